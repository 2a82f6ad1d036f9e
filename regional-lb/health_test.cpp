#include <doctest/doctest.h>

#include "regional-lb/pool.hpp"
#include "regional-lb/rise_fall.hpp"

using namespace gslb::lb;

TEST_CASE("rise/fall: the first result decides, then thresholds apply") {
  RiseFall dead(2, 3);
  CHECK(dead.record(false));  // first result: down at once
  CHECK_FALSE(dead.up());
  CHECK_FALSE(dead.record(true));
  CHECK_FALSE(dead.record(false));  // a failure resets the rise streak
  CHECK_FALSE(dead.record(true));
  CHECK(dead.record(true));  // two in a row
  CHECK(dead.up());
  CHECK_FALSE(dead.record(false));
  CHECK_FALSE(dead.record(false));
  CHECK(dead.record(false));  // three in a row
  CHECK_FALSE(dead.up());

  RiseFall live(2, 3);
  CHECK_FALSE(live.record(true));  // already presumed up: no change
  CHECK(live.up());
}

TEST_CASE("pool flags combine: drain beats down beats up; each source clears only itself") {
  PoolConfig c;
  c.name = "p";
  std::string error;
  c.backends.push_back({*parse_endpoint("10.0.0.1:80", &error), 1});
  c.backends.push_back({*parse_endpoint("10.0.0.2:80", &error), 1});
  Pool pool(c, gslb::base::SipKey{1, 2});
  const auto first_version = pool.view()->version();
  CHECK(pool.set_checked_up(0, false));
  CHECK(pool.view()->members()[0].state == MemberState::down);
  CHECK(pool.view()->version() != first_version);
  CHECK_FALSE(pool.set_ejected(0, true));     // still down: no new view
  CHECK_FALSE(pool.set_checked_up(0, true));  // still ejected
  CHECK(pool.view()->members()[0].state == MemberState::down);
  CHECK(pool.set_draining(0, true));
  CHECK(pool.view()->members()[0].state == MemberState::draining);
  CHECK(pool.set_draining(0, false));
  CHECK(pool.view()->members()[0].state == MemberState::down);
  CHECK(pool.set_ejected(0, false));
  CHECK(pool.view()->members()[0].state == MemberState::up);
  CHECK(pool.available_count() == 2);
}

TEST_CASE("slow start ramps the effective weight from 10 % to 100 % and stops") {
  PoolConfig c;
  c.name = "p";
  std::string error;
  c.backends.push_back({*parse_endpoint("10.0.0.1:80", &error), 100});
  c.backends.push_back({*parse_endpoint("10.0.0.2:80", &error), 100});
  Pool pool(c, gslb::base::SipKey{1, 2});
  const auto t0 = std::chrono::steady_clock::time_point{} + std::chrono::hours(1);
  const std::chrono::milliseconds ramp{10'000};
  pool.start_ramp(1, t0);
  CHECK(pool.view()->members()[1].effective_weight == 10);
  CHECK(pool.view()->total_weight() == 110);
  CHECK(pool.tick_ramps(t0 + std::chrono::seconds(5), ramp));
  CHECK(pool.view()->members()[1].effective_weight == 55);  // 100 × (0.1 + 0.9 × 0.5)
  CHECK(pool.view()->members()[0].effective_weight == 100);
  CHECK_FALSE(pool.tick_ramps(t0 + std::chrono::seconds(10), ramp));
  CHECK(pool.view()->members()[1].effective_weight == 100);
  const auto version = pool.view()->version();
  CHECK_FALSE(pool.tick_ramps(t0 + std::chrono::seconds(20), ramp));
  CHECK(pool.view()->version() == version);  // nothing moved: no new view
}
