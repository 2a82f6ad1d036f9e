// RttEstimator: a smoothed round-trip time and the largest of the recent
// samples, for latency steering and for display. One instance per probe
// stream, used from one thread.
//
// Smoothing is TCP's SRTT (RFC 6298 §2): srtt += (sample - srtt) / 8, with the
// first sample taken as is. The recent maximum is over the last kWindow
// samples, so one slow probe shows up for kWindow probes and then ages out.
// Only successful probes are fed in (a timed-out probe has no RTT), and the
// scheduler resets the estimator when the state changes: a target that was
// down for an hour should not be ranked by its RTT from before.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <optional>

namespace gslb::health {

class RttEstimator {
 public:
  static constexpr std::size_t kWindow = 8;

  void add(std::chrono::microseconds sample);
  void reset();

  // nullopt until the first sample after construction or reset().
  std::optional<std::chrono::microseconds> smoothed() const;
  std::optional<std::chrono::microseconds> recent_max() const;
  std::size_t samples() const { return count_; }

 private:
  double srtt_us_ = 0;
  std::array<std::chrono::microseconds, kWindow> recent_{};
  std::size_t count_ = 0;  // samples since reset; recent_ holds min(count_, kWindow)
};

}  // namespace gslb::health
