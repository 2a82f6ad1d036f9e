#include "health/health_view.hpp"

#include <doctest/doctest.h>

using namespace gslb::health;
using std::chrono::milliseconds;

namespace {

TargetHealth up_target(std::chrono::steady_clock::time_point last_result, int results_to_change) {
  TargetHealth t;
  t.probed = State::up;
  t.up = true;
  t.last_result = last_result;
  t.results_to_change = results_to_change;
  t.interval = milliseconds(10000);
  t.jitter = 0;
  return t;
}

}  // namespace

TEST_CASE("health view: time until change is F x I minus time since last check") {
  const auto now = std::chrono::steady_clock::now();
  HealthView::Map map;
  map.emplace("fresh", up_target(now - milliseconds(4000), 3));     // fall 3, no failure yet
  map.emplace("failing", up_target(now - milliseconds(4000), 1));   // two failures of three already
  map.emplace("overdue", up_target(now - milliseconds(60000), 3));  // results late: could change any time
  TargetHealth jittery = up_target(now, 2);
  jittery.jitter = 0.1;
  map.emplace("jittery", jittery);
  TargetHealth forced = up_target(now, 1);
  forced.forced = Forced::down;
  forced.up = false;
  map.emplace("forced", forced);
  TargetHealth drained = up_target(now, 3);
  drained.forced = Forced::drain;
  map.emplace("drained", drained);
  TargetHealth unknown;
  map.emplace("unknown", unknown);
  const HealthView view(std::move(map));

  CHECK(view.time_until_change("fresh", now) == milliseconds(26000));  // 3 x 10 s - 4 s
  CHECK(view.time_until_change("failing", now) == milliseconds(6000));
  CHECK(view.time_until_change("overdue", now) == milliseconds(0));
  CHECK(view.time_until_change("jittery", now) == milliseconds(18000));  // 2 x 10 s x 0.9
  CHECK(view.time_until_change("forced", now) == milliseconds::max());
  CHECK(view.time_until_change("drained", now) == milliseconds(30000));  // drain does not freeze the probed state
  CHECK(view.time_until_change("unknown", now) == milliseconds(0));
  CHECK(view.time_until_change("no-such-target", now) == milliseconds(0));

  CHECK(view.find("fresh")->serving());
  CHECK_FALSE(view.find("drained")->serving());
  CHECK(view.find("drained")->up);
  CHECK(view.find("missing") == nullptr);
}
