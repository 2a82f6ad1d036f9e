#include "health/rtt_estimator.hpp"

#include <doctest/doctest.h>

using gslb::health::RttEstimator;
using std::chrono::microseconds;

TEST_CASE("rtt estimator: empty, first sample, smoothing") {
  RttEstimator rtt;
  CHECK_FALSE(rtt.smoothed().has_value());
  CHECK_FALSE(rtt.recent_max().has_value());

  rtt.add(microseconds(800));
  CHECK(rtt.smoothed() == microseconds(800));  // first sample taken as is
  rtt.add(microseconds(1600));
  CHECK(rtt.smoothed() == microseconds(900));  // 800 + (1600 - 800) / 8
  CHECK(rtt.recent_max() == microseconds(1600));
}

TEST_CASE("rtt estimator: converges to a steady value") {
  RttEstimator rtt;
  rtt.add(microseconds(10000));
  for (int i = 0; i < 100; ++i) rtt.add(microseconds(1000));
  auto smoothed = rtt.smoothed()->count();
  CHECK(smoothed >= 1000);
  CHECK(smoothed <= 1001);
}

TEST_CASE("rtt estimator: recent max ages out after the window") {
  RttEstimator rtt;
  rtt.add(microseconds(50000));
  for (std::size_t i = 0; i + 1 < RttEstimator::kWindow; ++i) rtt.add(microseconds(1000));
  CHECK(rtt.recent_max() == microseconds(50000));
  rtt.add(microseconds(1000));
  CHECK(rtt.recent_max() == microseconds(1000));
}

TEST_CASE("rtt estimator: reset forgets everything") {
  RttEstimator rtt;
  rtt.add(microseconds(5000));
  rtt.reset();
  CHECK_FALSE(rtt.smoothed().has_value());
  CHECK(rtt.samples() == 0);
  rtt.add(microseconds(200));
  CHECK(rtt.smoothed() == microseconds(200));
  CHECK(rtt.recent_max() == microseconds(200));
}
