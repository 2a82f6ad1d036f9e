// weighted: shares follow weights (statistically, seeded RNG), a changed
// weight changes the shares, weight 0 only when every non-zero member is down.
#include <doctest/doctest.h>

#include <map>

#include "gslb/steering/test_policy.hpp"

namespace gslb::policy {
namespace {

Policy weighted_policy(std::vector<int> weights) {
  Policy p = testing::world_policy();
  Pool w;
  w.name = "w";
  for (std::size_t i = 0; i < weights.size(); ++i)
    w.members.push_back(testing::member("w", "eu-west", "192.0.2." + std::to_string(i + 1), weights[i]));
  p.pools["w"] = w;
  p.records["w"] = testing::record("w", "w", {Steering::weighted}, 1);
  return p;
}

std::map<std::string, int> pick_counts(testing::Runner& run, int picks) {
  std::map<std::string, int> counts;
  for (int i = 0; i < picks; ++i) {
    const auto result = run.run("w", nullptr);
    REQUIRE(result.answer.addresses.size() == 1);
    CHECK(result.answer.scope_prefix == 0);
    ++counts[testing::addresses(result.answer, base::IpFamily::v4)[0]];
  }
  return counts;
}

void check_shares(const std::vector<int>& weights, const std::map<std::string, int>& counts, int picks) {
  int total = 0;
  for (int w : weights) total += w;
  for (std::size_t i = 0; i < weights.size(); ++i) {
    const double fair = double(picks) * weights[i] / total;
    const auto it = counts.find("192.0.2." + std::to_string(i + 1));
    const int got = it == counts.end() ? 0 : it->second;
    CAPTURE(i);
    CAPTURE(fair);
    CHECK(got >= fair / 2);
    CHECK(got <= fair * 2);
  }
}

TEST_CASE("weighted: each member's share follows its weight, and follows a changed weight") {
  constexpr int kPicks = 20000;
  std::vector<int> weights = {10, 30, 60, 100};
  {
    const CompiledPolicy cp = compile(weighted_policy(weights));
    testing::Runner run{cp};
    check_shares(weights, pick_counts(run, kPicks), kPicks);
  }
  weights = {100, 60, 30, 10};
  const CompiledPolicy cp = compile(weighted_policy(weights));
  testing::Runner run{cp};
  const auto counts = pick_counts(run, kPicks);
  check_shares(weights, counts, kPicks);
  CHECK(counts.at("192.0.2.1") > counts.at("192.0.2.4") * 4);
}

TEST_CASE("weighted: without replacement, answers are distinct") {
  Policy p = weighted_policy({1, 1, 255});
  p.records["w"].answers = 3;
  const CompiledPolicy cp = compile(p);
  testing::Runner run{cp};
  for (int i = 0; i < 200; ++i) {
    auto got = testing::addresses(run.run("w", nullptr).answer, base::IpFamily::v4);
    std::sort(got.begin(), got.end());
    CHECK(got == std::vector<std::string>{"192.0.2.1", "192.0.2.2", "192.0.2.3"});
  }
}

TEST_CASE("weighted: weight 0 is used only when every non-zero member is down") {
  const CompiledPolicy cp = compile(weighted_policy({100, 100, 0}));
  testing::Runner run{cp};
  auto counts = pick_counts(run, 2000);
  CHECK(counts.count("192.0.2.3") == 0);
  run.set_down("w/192.0.2.1");
  counts = pick_counts(run, 500);
  CHECK(counts == std::map<std::string, int>{{"192.0.2.2", 500}});
  run.set_down("w/192.0.2.2");
  counts = pick_counts(run, 500);
  CHECK(counts == std::map<std::string, int>{{"192.0.2.3", 500}});
}

}  // namespace
}  // namespace gslb::policy
