// geo and latency steps: nearest regions by great-circle distance from the
// committed test database's cities, with the ECS scope each answer carries.
#include <doctest/doctest.h>

#include <set>

#include "gslb/steering/test_policy.hpp"

namespace gslb::policy {
namespace {

using testing::addresses;

struct Row {
  const char* client;  // "a.b.c.d" packet source, or "cidr" with '/' = ECS
  std::vector<std::string> expected;
  int scope;
};

geo::ClientAddress client_of(const std::string& text) {
  return text.find('/') != std::string::npos ? testing::ecs_client(text) : testing::source_client(text);
}

TEST_CASE("geo: nearest regions, great-circle, with ECS scope") {
  Policy p = testing::world_policy();
  p.records["near"] = testing::record("near", "web", {Steering::geo}, 2);
  p.nets.push_back({*base::Prefix::parse("192.0.2.128/25"), "us-east", {}});
  const CompiledPolicy cp = compile(p);
  testing::Runner run{cp};
  const std::vector<Row> rows = {
      // Tromsø, 69.6°N: Murmansk (550 km) before Stockholm (1100 km) though
      // Stockholm is nearer in degrees. Database network /24; the override
      // 192.0.2.128/25 beside it makes "no override" hold for /25 only.
      {"192.0.2.5", {"10.0.0.2", "10.0.0.1"}, 25},
      // Inside the override: us-east first (the rest unranked), scope the rule's /25.
      {"192.0.2.200", {"10.0.0.5"}, 25},
      // A dual-stack socket's v4-mapped view is located as IPv4.
      {"::ffff:192.0.2.5", {"10.0.0.2", "10.0.0.1"}, 25},
      // Sydney, then Tokyo.
      {"198.51.100.7", {"10.0.0.6", "10.0.0.7"}, 24},
      // ECS /22 around Sydney: scope capped at the source prefix.
      {"198.51.100.0/22", {"10.0.0.6", "10.0.0.7"}, 22},
      // Vancouver: the /24 nested in San Francisco's /16.
      {"198.18.7.9", {"10.0.0.4", "10.0.0.5"}, 24},
      // San Francisco next to the hole: 198.18.8.0/21 is the uniform network.
      {"198.18.8.1", {"10.0.0.4", "10.0.0.5"}, 21},
      // Reykjavik (64°N) by ECS /20: Stockholm first; the database network /16 is the scope.
      {"100.67.0.0/20", {"10.0.0.1", "10.0.0.3"}, 16},
      // São Paulo and Johannesburg (southern hemisphere).
      {"100.64.1.1", {"10.0.0.8", "10.0.0.5"}, 16},
      {"100.65.1.1", {"10.0.0.8", "10.0.0.3"}, 16},
  };
  for (const Row& row : rows) {
    CAPTURE(row.client);
    const auto client = client_of(row.client);
    const auto result = run.run("near", &client);
    auto got = addresses(result.answer, base::IpFamily::v4);
    got.resize(row.expected.size());
    CHECK(got == row.expected);
    CHECK(int(result.answer.scope_prefix) == row.scope);
  }
}

TEST_CASE("geo: IPv6 clients and AAAA answers, prefix edges") {
  Policy p = testing::world_policy();
  p.records["near"] = testing::record("near", "web", {Steering::geo}, 1);
  const CompiledPolicy cp = compile(p);
  testing::Runner run{cp};
  const std::vector<Row> rows = {
      {"2001:db8:300:5::1", {"2001:db8:ff::4"}, 64},  // Vancouver /64 inside the /48
      {"2001:db8:300:6::1", {"2001:db8:ff::4"}, 63},  // San Francisco beside it
      {"2001:db8:100::/40", {"2001:db8:ff::2"}, 40},  // Tromsø by ECS /40 (shorter than the /48)
      {"2001:db8:200::1", {"2001:db8:ff::6"}, 48},    // Sydney
  };
  for (const Row& row : rows) {
    CAPTURE(row.client);
    const auto client = client_of(row.client);
    const auto result = run.run("near", &client, base::IpFamily::v6);
    CHECK(addresses(result.answer, base::IpFamily::v6) == row.expected);
    CHECK(int(result.answer.scope_prefix) == row.scope);
  }
}

TEST_CASE("geo: bias attracts clients from farther away (Route 53 geoproximity)") {
  Policy p = testing::world_policy();
  p.records["near"] = testing::record("near", "web", {Steering::geo}, 1);
  const auto tromso = testing::source_client("192.0.2.5");
  // Stockholm at +60 shrinks its 1100 km to 440 km: now ahead of Murmansk (550 km).
  p.regions["eu-north"].bias = 60;
  const CompiledPolicy biased = compile(p);
  testing::Runner run{biased};
  CHECK(addresses(run.run("near", &tromso).answer, base::IpFamily::v4) == std::vector<std::string>{"10.0.0.1"});
  // The unbiased latency estimate still says Murmansk.
  p.records["fast"] = testing::record("fast", "web", {Steering::latency}, 1);
  const CompiledPolicy with_latency = compile(p);
  testing::Runner run2{with_latency};
  CHECK(addresses(run2.run("fast", &tromso).answer, base::IpFamily::v4) == std::vector<std::string>{"10.0.0.2"});
}

TEST_CASE("geo: unknown client or location ranks nothing") {
  Policy p = testing::world_policy();
  p.records["near"] = testing::record("near", "web", {Steering::geo}, 2);
  const CompiledPolicy cp = compile(p);
  testing::Runner run{cp};
  // Nothing ranks the regions, so every member is equally good: answers
  // spread over all of them.
  std::set<std::string> seen;
  for (int i = 0; i < 300; ++i) {
    const auto result = run.run("near", nullptr);
    CHECK(result.answer.addresses.size() == 2);
    CHECK(result.answer.scope_prefix == 0);
    for (const auto& a : addresses(result.answer, base::IpFamily::v4)) seen.insert(a);
  }
  CHECK(seen.size() == 8);
  // 127.0.0.1 is in no database network: unranked too; the scope is the
  // empty network's prefix around it, never longer than the /32 source.
  const auto local = testing::source_client("127.0.0.1");
  const auto r2 = run.run("near", &local);
  CHECK(r2.answer.addresses.size() == 2);
  CHECK(r2.answer.scope_prefix <= 32);
}

}  // namespace
}  // namespace gslb::policy
