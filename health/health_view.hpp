// HealthView: an immutable picture of every target's health, built by the
// Scheduler on its io thread and published through base::Snapshot. Readers on
// any thread hold a shared_ptr<const HealthView> and never see it change.
// Consumers that look targets up per query should index it once per
// published generation rather than search by string each time (pitfall 1).
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "health/overrides.hpp"
#include "health/state_machine.hpp"

namespace gslb::health {

struct TargetHealth {
  bool up = true;                 // effective_up(probed, forced)
  State probed = State::unknown;  // from probes (or restored), ignoring overrides
  Forced forced = Forced::none;
  std::chrono::system_clock::time_point since;        // when `probed` last changed (wall clock; display, persistence)
  std::chrono::steady_clock::time_point last_result;  // when the last probe finished; epoch when none yet
  std::optional<std::chrono::microseconds> rtt;       // smoothed (RttEstimator); none after a change until a success
  std::optional<std::chrono::microseconds> rtt_max;   // largest of the recent samples
  std::string detail;         // the last probe's detail, or "restored", or "" before the first result
  int results_to_change = 1;  // StateMachine::results_to_change()
  std::chrono::milliseconds interval{0};
  double jitter = 0;

  // Up and not draining: may receive new traffic.
  bool serving() const { return up && forced != Forced::drain; }
};

class HealthView {
 public:
  using Map = std::map<std::string, TargetHealth, std::less<>>;

  HealthView() = default;
  explicit HealthView(Map targets) : targets_(std::move(targets)) {}

  const TargetHealth* find(std::string_view target_id) const;
  const Map& targets() const { return targets_; }

  // A lower bound on how long the target's state stays as it is now, for
  // health-aware TTLs (gdnsd's sttl, STYLE.md habit 8): answer TTL =
  // min(record TTL, this).
  //
  // Derivation: a state change needs n = results_to_change more results that
  // disagree with the current state. Probes start one wait after the previous
  // result, and a wait is at least interval x (1 - jitter), and a result
  // arrives no sooner than its probe starts. So the earliest change is at
  //     last_result + n x interval x (1 - jitter),
  // and the time left is that minus `now`, floored at 0. For an up target with
  // fall F and no failure yet this is about F x I minus the time since the last
  // check. Forced up/down: probes cannot change it, so milliseconds::max().
  // Unknown (no result yet): 0, the first result may land at any moment.
  // Unknown target id: 0.
  std::chrono::milliseconds time_until_change(std::string_view target_id,
                                              std::chrono::steady_clock::time_point now) const;

 private:
  Map targets_;
};

std::chrono::milliseconds time_until_change(const TargetHealth& target, std::chrono::steady_clock::time_point now);

}  // namespace gslb::health
