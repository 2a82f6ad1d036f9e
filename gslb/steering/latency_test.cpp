// latency step: ranking by the imported table, mixed rows on one RTT scale
// with the distance estimate, the fallbacks, and the ECS scope of each.
#include <doctest/doctest.h>

#include "gslb/steering/test_policy.hpp"

namespace gslb::policy {
namespace {

using testing::addresses;

// Members 10.0.0.N / 2001:db8:ff::N in the world policy's regions:
// 1 eu-north (Stockholm), 2 murmansk, 3 eu-west (Frankfurt), 4 us-west (San
// Francisco), 5 us-east (New York), 6 ap-south (Sydney), 7 ap-north (Tokyo),
// 8 sa-east (São Paulo).
CompiledPolicy latency_policy(const std::vector<std::tuple<const char*, const char*, double>>& facts,
                              bool with_override = false) {
  Policy p = testing::world_policy();
  p.records["fast"] = testing::record("fast", "web", {Steering::latency}, 2);
  p.records["fast1"] = testing::record("fast1", "web", {Steering::latency}, 1);
  if (with_override) p.nets.push_back({*base::Prefix::parse("192.0.2.128/25"), "us-east", {}});
  CompiledPolicy cp = compile(p);
  LatencyTable::Builder b;
  for (const auto& [prefix, region, rtt] : facts) b.add(*base::Prefix::parse(prefix), region, rtt);
  cp.latency = PolicyLatency(std::move(b).build(), cp.region_names);
  return cp;
}

geo::ClientAddress client_of(const std::string& text) {
  return text.find('/') != std::string::npos ? testing::ecs_client(text) : testing::source_client(text);
}

TEST_CASE("latency: the table decides over geography, scope = the table prefix") {
  // Tromsø's /24 measures San Francisco and São Paulo fastest (a peering
  // oddity); geography alone would say Murmansk, Stockholm.
  const CompiledPolicy cp = latency_policy({
      {"192.0.2.0/24", "us-west", 5},
      {"192.0.2.0/24", "sa-east", 6},
      {"192.0.2.0/24", "murmansk", 90},
      {"192.0.2.0/24", "eu-north", 95},
      {"192.0.2.0/24", "eu-west", 99},
      {"192.0.2.0/24", "us-east", 120},
      {"192.0.2.0/24", "ap-south", 300},
      {"192.0.2.0/24", "ap-north", 250},
  });
  testing::Runner run{cp};
  for (const char* c : {"192.0.2.5", "192.0.2.0/24", "::ffff:192.0.2.5"}) {
    CAPTURE(std::string(c));
    const auto client = client_of(c);
    const auto result = run.run("fast", &client);
    CHECK(addresses(result.answer, base::IpFamily::v4) == std::vector<std::string>{"10.0.0.4", "10.0.0.8"});
    CHECK(int(result.answer.scope_prefix) == 24);
  }
  // AAAA answers for the same client rank the same regions.
  const auto tromso = testing::source_client("192.0.2.5");
  CHECK(addresses(run.run("fast", &tromso, base::IpFamily::v6).answer, base::IpFamily::v6) ==
        std::vector<std::string>{"2001:db8:ff::4", "2001:db8:ff::8"});
  // An ECS /16 around Tromsø does not reveal the /24: the table has no row
  // that short, so distance decides (Murmansk, Stockholm) over the /16.
  const auto wide = testing::ecs_client("192.0.0.0/16");
  const auto r16 = run.run("fast", &wide);
  CHECK(int(r16.answer.scope_prefix) <= 16);
}

TEST_CASE("latency: regions missing from a row are estimated from distance on the same scale") {
  // Sydney's row measures only ap-south (a bad 300 ms) and us-west (120 ms).
  // Tokyo is ~7800 km away: 2 × 7800 / 200 + 5 ≈ 83 ms, so it ranks first,
  // then us-west's measured 120 ms, ahead of the estimated ≥ 130 ms rest.
  const CompiledPolicy cp = latency_policy({{"198.51.0.0/16", "ap-south", 300}, {"198.51.0.0/16", "us-west", 120}});
  testing::Runner run{cp};
  const auto sydney = testing::source_client("198.51.100.7");
  const auto result = run.run("fast", &sydney);
  CHECK(addresses(result.answer, base::IpFamily::v4) == std::vector<std::string>{"10.0.0.7", "10.0.0.4"});
  // Table /16, location /24: the answer depends on both, so /24.
  CHECK(int(result.answer.scope_prefix) == 24);

  // With every candidate measured the location does not matter: scope /16.
  const CompiledPolicy all = latency_policy({{"198.51.0.0/16", "eu-north", 1},
                                             {"198.51.0.0/16", "murmansk", 2},
                                             {"198.51.0.0/16", "eu-west", 3},
                                             {"198.51.0.0/16", "us-west", 4},
                                             {"198.51.0.0/16", "us-east", 5},
                                             {"198.51.0.0/16", "ap-south", 6},
                                             {"198.51.0.0/16", "ap-north", 7},
                                             {"198.51.0.0/16", "sa-east", 8}});
  testing::Runner run_all{all};
  const auto r = run_all.run("fast", &sydney);
  CHECK(addresses(r.answer, base::IpFamily::v4) == std::vector<std::string>{"10.0.0.1", "10.0.0.2"});
  CHECK(int(r.answer.scope_prefix) == 16);
}

TEST_CASE("latency: without a client location, measured regions first, the rest unordered") {
  const CompiledPolicy cp = latency_policy({{"10.0.0.0/8", "sa-east", 40}, {"10.0.0.0/8", "ap-north", 20}});
  testing::Runner run{cp};
  // 10.x is in no database network: no coordinates for the estimate.
  const auto client = testing::source_client("10.1.2.3");
  for (int i = 0; i < 20; ++i) {
    const auto result = run.run("fast", &client);
    CHECK(addresses(result.answer, base::IpFamily::v4) == std::vector<std::string>{"10.0.0.7", "10.0.0.8"});
  }
  // No database at all: the same.
  const auto no_db = run.run("fast", &client, base::IpFamily::v4, nullptr);
  CHECK(addresses(no_db.answer, base::IpFamily::v4) == std::vector<std::string>{"10.0.0.7", "10.0.0.8"});
}

TEST_CASE("latency: no row, a row of unknown regions, or no table: the distance order") {
  // The row names a region this policy does not define (another zone's).
  const CompiledPolicy cp = latency_policy({{"192.0.2.0/24", "mars-1", 1}, {"10.0.0.0/8", "us-west", 1}});
  CHECK(cp.latency.unknown_names().size() == 1);
  testing::Runner run{cp};
  const auto tromso = testing::source_client("192.0.2.5");
  auto result = run.run("fast", &tromso);
  CHECK(addresses(result.answer, base::IpFamily::v4) == std::vector<std::string>{"10.0.0.2", "10.0.0.1"});
  CHECK(int(result.answer.scope_prefix) == 24);
  // Sydney has no row: distance (Sydney, Tokyo); the miss holds for a wide
  // block, the location for /24.
  const auto sydney = testing::source_client("198.51.100.7");
  result = run.run("fast", &sydney);
  CHECK(addresses(result.answer, base::IpFamily::v4) == std::vector<std::string>{"10.0.0.6", "10.0.0.7"});
  CHECK(int(result.answer.scope_prefix) == 24);
  // A table row whose prefix is narrower than the location's network makes
  // a miss beside it narrower too: the answer is only known not to come
  // from the table over the block without the row.
  const CompiledPolicy narrow = latency_policy({{"198.51.100.128/25", "us-east", 1}});
  testing::Runner run_narrow{narrow};
  result = run_narrow.run("fast", &sydney);
  CHECK(addresses(result.answer, base::IpFamily::v4) == std::vector<std::string>{"10.0.0.6", "10.0.0.7"});
  CHECK(int(result.answer.scope_prefix) == 25);
  const auto inside = testing::source_client("198.51.100.200");
  result = run_narrow.run("fast1", &inside);
  CHECK(addresses(result.answer, base::IpFamily::v4) == std::vector<std::string>{"10.0.0.5"});
  // Mixed (one measured region, the rest estimated): /25 and /24 → /25.
  CHECK(int(result.answer.scope_prefix) == 25);

  // No table: the plain distance order, as before the table existed.
  Policy p = testing::world_policy();
  p.records["fast"] = testing::record("fast", "web", {Steering::latency}, 2);
  const CompiledPolicy plain = compile(p);
  CHECK(plain.latency.empty());
  testing::Runner run_plain{plain};
  CHECK(addresses(run_plain.run("fast", &tromso).answer, base::IpFamily::v4) ==
        std::vector<std::string>{"10.0.0.2", "10.0.0.1"});
}

TEST_CASE("latency: IPv6 clients and the ECS source prefix bound") {
  const CompiledPolicy cp = latency_policy({{"2001:db8:100::/40", "sa-east", 3},
                                            {"2001:db8:100::/40", "ap-north", 4},
                                            {"2001:db8:100::/48", "eu-west", 1},
                                            {"2001:db8:100::/48", "us-east", 2}});
  testing::Runner run{cp};
  // The /48 row is the longest match for a host in it.
  auto client = testing::source_client("2001:db8:100::1");
  auto result = run.run("fast", &client, base::IpFamily::v6);
  CHECK(addresses(result.answer, base::IpFamily::v6) == std::vector<std::string>{"2001:db8:ff::3", "2001:db8:ff::5"});
  // ECS /44: the /48 row cannot be told apart; the /40 row decides.
  client = testing::ecs_client("2001:db8:100::/44");
  result = run.run("fast", &client, base::IpFamily::v6);
  CHECK(addresses(result.answer, base::IpFamily::v6) == std::vector<std::string>{"2001:db8:ff::8", "2001:db8:ff::7"});
  // Mixed row (others estimated); the location scope (/44 capped) and the
  // table scope (/44: limited by the source) agree.
  CHECK(int(result.answer.scope_prefix) == 44);
}

TEST_CASE("latency: a net override still wins") {
  const CompiledPolicy cp = latency_policy({{"192.0.2.0/24", "us-west", 1}}, true);
  testing::Runner run{cp};
  const auto client = testing::source_client("192.0.2.200");
  const auto result = run.run("fast1", &client);
  CHECK(addresses(result.answer, base::IpFamily::v4) == std::vector<std::string>{"10.0.0.5"});
}

TEST_CASE("latency: explain names the source and the RTTs") {
  const CompiledPolicy cp = latency_policy({{"198.51.0.0/16", "ap-south", 300}, {"198.51.0.0/16", "us-west", 120}});
  testing::Runner run{cp};
  const auto sydney = testing::source_client("198.51.100.7");
  PipelineInput in{cp,      run.find("fast"), base::IpFamily::v4, &sydney, &testing::city_db(), run.health, run.now,
                   run.rng, run.key};
  Trace trace;
  run_pipeline(in, run.scratch, &trace);
  REQUIRE(trace.steps.size() == 2);
  const std::string& note = trace.steps[1].note;
  CAPTURE(note);
  CHECK(note.find("source: latency table + distance estimate; row 198.51.0.0/16 (table scope /16)") == 0);
  CHECK(note.find("ap-north 83.") != std::string::npos);
  CHECK(note.find("(estimated, 78") != std::string::npos);
  CHECK(note.find("us-west 120.0 ms (table)") != std::string::npos);
  CHECK(note.find("ap-south 300.0 ms (table)") != std::string::npos);

  const auto tromso = testing::source_client("192.0.2.5");
  PipelineInput miss{cp,      run.find("fast"), base::IpFamily::v4, &tromso, &testing::city_db(), run.health, run.now,
                     run.rng, run.key};
  Trace t2;
  run_pipeline(miss, run.scratch, &t2);
  CHECK(t2.steps[1].note.find("source: distance estimate (no table row)") == 0);
  CHECK(t2.steps[1].note.find("estimated RTT: murmansk") != std::string::npos);
}

}  // namespace
}  // namespace gslb::policy
