// Engine: lookup by canonical owner key, A/AAAA by family, health from a
// HealthView (forced down, health-aware TTL), fail-open counting, workers on
// several threads, and explain text.
#include "gslb/engine.hpp"

#include <doctest/doctest.h>

#include <thread>

#include "gslb/steering/test_policy.hpp"

namespace gslb::policy {
namespace {

dns::ClientInfo client_info(const std::string& ip) {
  dns::ClientInfo info;
  base::IpAddress::parse(ip)->to_sockaddr(info.source, 5353);
  return info;
}

dns::ClientInfo ecs_info(const std::string& resolver, const std::string& subnet, int prefix) {
  dns::ClientInfo info = client_info(resolver);
  const auto address = *base::IpAddress::parse(subnet);
  info.has_ecs = true;
  info.ecs_family = address.is_v4() ? 1 : 2;
  info.ecs_source_prefix = static_cast<std::uint8_t>(prefix);
  std::copy(address.bytes().begin(), address.bytes().end(), info.ecs_address.begin());
  return info;
}

std::string key(const std::string& name) {
  return dns::Name::parse(name)->canonical_key();
}

struct Fixture {
  std::shared_ptr<const geo::GeoDb> db{geo::GeoDb::open(geo::test_data_path("test-city.mmdb")).db.release()};
  base::Snapshot<geo::GeoDb> geo{db};
  Engine engine{&geo, {.rng_seed = 7, .hash_key = base::SipKey{3, 4}}};
  CompiledPolicyPtr policy;

  Fixture() {
    Policy p = testing::world_policy();
    p.records["www"] = testing::record("www", "web", {Steering::geo}, 1);
    Record fo = testing::record("fo", "web", {Steering::failover}, 1);
    fo.failover = {"us-east", "eu-west"};
    p.records["fo"] = fo;
    policy = std::make_shared<const CompiledPolicy>(compile(p));
  }
};

TEST_CASE("engine: answers A and AAAA for GSLB names and declines the rest") {
  Fixture f;
  const auto now = std::chrono::steady_clock::now();
  f.engine.publish({f.policy}, nullptr, now);
  const auto tromso = client_info("192.0.2.5");
  auto a = f.engine.answer(key("WWW.Example.com."), 1, tromso);
  REQUIRE(a);
  CHECK(testing::addresses(*a, base::IpFamily::v4) == std::vector<std::string>{"10.0.0.2"});
  CHECK(a->scope_prefix == 24);
  CHECK(a->ttl == 30);
  auto aaaa = f.engine.answer(key("www.example.com."), 28, ecs_info("127.0.0.1", "198.51.100.0", 24));
  REQUIRE(aaaa);
  CHECK(testing::addresses(*aaaa, base::IpFamily::v6) == std::vector<std::string>{"2001:db8:ff::6"});
  CHECK(aaaa->scope_prefix == 24);
  CHECK_FALSE(f.engine.answer(key("other.example.com."), 1, tromso));
  CHECK_FALSE(f.engine.answer(key("www.example.com."), 16, tromso));  // TXT: static data
}

TEST_CASE("engine: health view drives filtering, TTL and the fail-open counter") {
  Fixture f;
  const auto now = std::chrono::steady_clock::now();
  health::HealthView::Map targets;
  health::TargetHealth down;
  down.up = false;
  down.forced = health::Forced::down;
  targets["web/10.0.0.5"] = down;
  health::TargetHealth probed;  // up, checked just now: 3 failures × 5 s before it can go down
  probed.probed = health::State::up;
  probed.last_result = now;
  probed.results_to_change = 3;
  probed.interval = std::chrono::seconds(5);
  targets["web/10.0.0.3"] = probed;
  const health::HealthView view(targets);
  f.engine.publish({f.policy}, &view, now);
  auto a = f.engine.answer(key("fo.example.com."), 1, client_info("192.0.2.5"));
  REQUIRE(a);
  CHECK(testing::addresses(*a, base::IpFamily::v4) == std::vector<std::string>{"10.0.0.3"});
  CHECK(a->ttl <= 15);
  CHECK(a->ttl >= 14);
  CHECK(f.engine.fail_open_count() == 0);

  // Every IPv4 member down: answer_all fails open, and it is counted.
  for (int i = 1; i <= 8; ++i) targets["web/10.0.0." + std::to_string(i)] = down;
  const health::HealthView all_down(targets);
  f.engine.publish({f.policy}, &all_down, now);
  a = f.engine.answer(key("fo.example.com."), 1, client_info("192.0.2.5"));
  REQUIRE(a);
  CHECK(a->kind == dns::DynamicAnswer::Kind::answer);
  CHECK(testing::addresses(*a, base::IpFamily::v4) == std::vector<std::string>{"10.0.0.5"});
  CHECK(f.engine.fail_open_count() == 1);
}

TEST_CASE("engine: concurrent workers see consistent answers across a publish") {
  Fixture f;
  f.engine.publish({f.policy}, nullptr, std::chrono::steady_clock::now());
  auto worker = [&](int& wrong) {
    const auto sydney = client_info("198.51.100.9");
    for (int i = 0; i < 2000; ++i) {
      auto a = f.engine.answer(key("www.example.com."), 1, sydney);
      if (!a || testing::addresses(*a, base::IpFamily::v4) != std::vector<std::string>{"10.0.0.6"}) ++wrong;
    }
  };
  int wrong1 = 0, wrong2 = 0;
  std::thread t1(worker, std::ref(wrong1));
  std::thread t2(worker, std::ref(wrong2));
  for (int i = 0; i < 20; ++i) f.engine.publish({f.policy}, nullptr, std::chrono::steady_clock::now());
  t1.join();
  t2.join();
  CHECK(wrong1 == 0);
  CHECK(wrong2 == 0);
}

TEST_CASE("explain: location, candidates with health, steps, answer, TTL and scope") {
  Fixture f;
  health::HealthView::Map targets;
  health::TargetHealth down;
  down.up = false;
  down.forced = health::Forced::down;
  targets["web/10.0.0.2"] = down;
  const health::HealthView view(targets);
  f.engine.publish({f.policy}, &view, std::chrono::steady_clock::now());
  const std::string text = f.engine.explain(key("www.example.com."), 1, client_info("192.0.2.5"));
  CAPTURE(text);
  CHECK(text.find("record www (pool web, answers 1, ttl 30, steering geo)") != std::string::npos);
  CHECK(text.find("client: 192.0.2.5") != std::string::npos);
  CHECK(text.find("scope /25") == std::string::npos);  // no overrides in this policy
  CHECK(text.find("web/10.0.0.2  10.0.0.2  region murmansk  weight 100  DOWN") != std::string::npos);
  CHECK(text.find("step health: unhealthy members dropped") != std::string::npos);
  CHECK(text.find("step geo: nearest: murmansk(") != std::string::npos);
  CHECK(text.find("answer: answer 10.0.0.1\n") != std::string::npos);
  CHECK(text.find("ttl: 30\n") != std::string::npos);
  CHECK(text.find("ecs scope: /24\n") != std::string::npos);
  CHECK(f.engine.explain(key("nope.example.com."), 1, client_info("192.0.2.5")).find("static data") !=
        std::string::npos);
}

}  // namespace
}  // namespace gslb::policy

namespace gslb::policy {

TEST_CASE("the owner table finds every record owner and nothing else") {
  EngineState state;
  CHECK(state.find(dns::Name::parse("www.example.com.")->canonical_key()) == nullptr);  // empty, no table yet
  std::vector<std::string> owners;
  for (int i = 0; i < 300; ++i) owners.push_back("n" + std::to_string(i) + ".example.com.");
  owners.push_back("example.com.");  // apex
  owners.push_back("a-much-longer-label-than-eight-bytes.deeper.example.com.");
  for (std::size_t i = 0; i < owners.size(); ++i)
    state.index.push_back({dns::Name::parse(owners[i])->canonical_key(), 0, static_cast<std::uint16_t>(i), 0});
  std::sort(state.index.begin(), state.index.end(), [](const auto& a, const auto& b) { return a.key < b.key; });
  state.build_table();
  CHECK(state.table.size() >= 2 * owners.size());
  for (std::size_t i = 0; i < owners.size(); ++i) {
    const auto* e = state.find(dns::Name::parse(owners[i])->canonical_key());
    REQUIRE_MESSAGE(e != nullptr, owners[i]);
    CHECK(e->record == i);
  }
  for (const char* miss : {"n300.example.com.", "n1.example.org.", "com.", "n1.n1.example.com.", "x.example.com."})
    CHECK_MESSAGE(state.find(dns::Name::parse(miss)->canonical_key()) == nullptr, miss);
}

}  // namespace gslb::policy
