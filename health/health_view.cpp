#include "health/health_view.hpp"

#include <algorithm>

namespace gslb::health {

const TargetHealth* HealthView::find(std::string_view target_id) const {
  auto it = targets_.find(target_id);
  return it == targets_.end() ? nullptr : &it->second;
}

std::chrono::milliseconds HealthView::time_until_change(std::string_view target_id,
                                                        std::chrono::steady_clock::time_point now) const {
  const TargetHealth* target = find(target_id);
  return target ? health::time_until_change(*target, now) : std::chrono::milliseconds(0);
}

std::chrono::milliseconds time_until_change(const TargetHealth& target, std::chrono::steady_clock::time_point now) {
  using std::chrono::milliseconds;
  if (target.forced == Forced::up || target.forced == Forced::down) return milliseconds::max();
  if (target.probed == State::unknown) return milliseconds(0);
  const double min_wait_ms = static_cast<double>(target.interval.count()) * (1.0 - target.jitter);
  const auto earliest =
      target.last_result + milliseconds(static_cast<std::int64_t>(min_wait_ms * target.results_to_change));
  if (earliest <= now) return milliseconds(0);
  return std::chrono::duration_cast<milliseconds>(earliest - now);
}

}  // namespace gslb::health
