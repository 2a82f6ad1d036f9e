// failover order, the health filter's modes, panic threshold, health-aware
// TTL and NODATA for a missing family.
#include <doctest/doctest.h>

#include <algorithm>
#include <map>

#include "gslb/steering/test_policy.hpp"

namespace gslb::policy {
namespace {

using testing::addresses;
using V = std::vector<std::string>;

Policy failover_policy(WhenAllDown mode, int answers = 1) {
  Policy p = testing::world_policy();
  Record r = testing::record("fo", "web", {Steering::failover}, answers);
  r.failover = {"us-east", "eu-west", "ap-south"};
  r.when_all_down = mode;
  p.records["fo"] = r;
  return p;
}

TEST_CASE("failover: the first region with a healthy member wins") {
  const CompiledPolicy cp = compile(failover_policy(WhenAllDown::answer_all, 4));
  testing::Runner run{cp};
  const auto client = testing::source_client("192.0.2.1");
  auto result = run.run("fo", &client);
  CHECK(addresses(result.answer, base::IpFamily::v4) == V{"10.0.0.5"});  // only the winning region
  CHECK(result.answer.scope_prefix == 0);                                // not client-dependent
  run.set_down("web/10.0.0.5");
  CHECK(addresses(run.run("fo", &client).answer, base::IpFamily::v4) == V{"10.0.0.3"});
  run.set_down("web/10.0.0.3");
  CHECK(addresses(run.run("fo", &client).answer, base::IpFamily::v4) == V{"10.0.0.6"});
  run.set_down("web/10.0.0.3", false);
  CHECK(addresses(run.run("fo", &client).answer, base::IpFamily::v4) == V{"10.0.0.3"});
}

CompiledPolicy small_pool(WhenAllDown mode, int panic = 0) {
  Policy p = testing::world_policy();
  Pool small;
  small.name = "small";
  for (int i = 1; i <= 4; ++i)
    small.members.push_back(testing::member("small", "eu-west", "192.0.2." + std::to_string(i)));
  p.pools["small"] = small;
  Record r = testing::record("s", "small", {Steering::failover}, 4);
  r.failover = {"eu-west"};
  r.when_all_down = mode;
  p.records["s"] = r;
  p.panic_threshold_percent = panic;
  return compile(p);
}

TEST_CASE("failover: members of the winning region share its traffic (no fixed order)") {
  const CompiledPolicy cp = small_pool(WhenAllDown::answer_all);
  testing::Runner run{cp};
  std::map<std::string, int> first;
  for (int i = 0; i < 400; ++i) ++first[addresses(run.run("s", nullptr).answer, base::IpFamily::v4).at(0)];
  CHECK(first.size() == 4);
  for (const auto& [address, n] : first) CHECK(n > 40);
}

TEST_CASE("when_all_down: answer_all fails open, servfail and nodata do what they say") {
  for (auto mode : {WhenAllDown::answer_all, WhenAllDown::servfail, WhenAllDown::nodata}) {
    const CompiledPolicy cp = small_pool(mode);
    testing::Runner run{cp};
    for (int i = 1; i <= 4; ++i) run.set_down("small/192.0.2." + std::to_string(i));
    const auto result = run.run("s", nullptr);
    if (mode == WhenAllDown::answer_all) {
      CHECK(result.answer.kind == dns::DynamicAnswer::Kind::answer);
      CHECK(result.answer.addresses.size() == 4);
      CHECK(result.health.failed_open());
    } else {
      CHECK(result.answer.kind ==
            (mode == WhenAllDown::servfail ? dns::DynamicAnswer::Kind::servfail : dns::DynamicAnswer::Kind::nodata));
      CHECK(result.answer.addresses.empty());
      CHECK_FALSE(result.health.failed_open());
    }
  }
}

TEST_CASE("panic threshold: below N% healthy, health is ignored") {
  const CompiledPolicy cp = small_pool(WhenAllDown::servfail, 50);
  testing::Runner run{cp};
  run.set_down("small/192.0.2.1");
  run.set_down("small/192.0.2.2");
  auto result = run.run("s", nullptr);  // 50% healthy: not below, filter applies
  auto got = addresses(result.answer, base::IpFamily::v4);
  std::sort(got.begin(), got.end());
  CHECK(got == V{"192.0.2.3", "192.0.2.4"});
  CHECK_FALSE(result.health.failed_open());
  run.set_down("small/192.0.2.3");  // 25%: panic, all four, counted as fail-open
  result = run.run("s", nullptr);
  CHECK(result.answer.addresses.size() == 4);
  CHECK(result.health.kind == HealthOutcome::Kind::panic);
  CHECK(result.health.failed_open());
}

TEST_CASE("health-aware TTL: min(record TTL, time until any pool member could change)") {
  const CompiledPolicy cp = small_pool(WhenAllDown::answer_all);
  testing::Runner run{cp};
  CHECK(run.run("s", nullptr).answer.ttl == 30);
  run.health[2].stable_until = run.now + std::chrono::milliseconds(12'500);
  CHECK(run.run("s", nullptr).answer.ttl == 12);
  run.health[1].stable_until = run.now + std::chrono::seconds(100);
  CHECK(run.run("s", nullptr).answer.ttl == 12);
  run.health[0].stable_until = run.now - std::chrono::seconds(1);
  CHECK(run.run("s", nullptr).answer.ttl == 0);
}

TEST_CASE("NODATA when the pool has no member of the asked family") {
  Policy p = testing::world_policy();
  Pool v4;
  v4.name = "v4";
  v4.members.push_back(testing::member("v4", "eu-west", "192.0.2.1"));
  p.pools["v4"] = v4;
  p.records["only4"] = testing::record("only4", "v4", {Steering::geo}, 1);
  const CompiledPolicy cp = compile(p);
  testing::Runner run{cp};
  const auto client = testing::source_client("192.0.2.1");
  const auto aaaa = run.run("only4", &client, base::IpFamily::v6);
  CHECK(aaaa.answer.kind == dns::DynamicAnswer::Kind::nodata);
  CHECK(aaaa.answer.scope_prefix == 0);
  CHECK(aaaa.answer.ttl == 30);
  const auto a = run.run("only4", &client);
  CHECK(addresses(a.answer, base::IpFamily::v4) == V{"192.0.2.1"});
  CHECK(a.answer.scope_prefix == 0);  // one candidate: the same for every client
}

}  // namespace
}  // namespace gslb::policy
