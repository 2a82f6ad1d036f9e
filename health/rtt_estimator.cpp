#include "health/rtt_estimator.hpp"

#include <algorithm>
#include <cmath>

namespace gslb::health {

void RttEstimator::add(std::chrono::microseconds sample) {
  if (sample.count() < 0) sample = std::chrono::microseconds(0);
  const double value = static_cast<double>(sample.count());
  // RFC 6298 §2.2/§2.3 with alpha = 1/8.
  srtt_us_ = count_ == 0 ? value : srtt_us_ + (value - srtt_us_) / 8.0;
  recent_[count_ % kWindow] = sample;
  ++count_;
}

void RttEstimator::reset() {
  srtt_us_ = 0;
  count_ = 0;
}

std::optional<std::chrono::microseconds> RttEstimator::smoothed() const {
  if (count_ == 0) return std::nullopt;
  return std::chrono::microseconds(static_cast<std::int64_t>(std::llround(srtt_us_)));
}

std::optional<std::chrono::microseconds> RttEstimator::recent_max() const {
  if (count_ == 0) return std::nullopt;
  const std::size_t held = std::min(count_, kWindow);
  return *std::max_element(recent_.begin(), recent_.begin() + static_cast<std::ptrdiff_t>(held));
}

}  // namespace gslb::health
