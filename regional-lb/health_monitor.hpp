// Active and passive health checks for every pool of a Region.
//
// Active: the shared health library does the checking (as for the DNS side):
// one health::Scheduler runs an HTTP probe (GET check.path, status ==
// check.expect, one deadline of check.timeout) per (pool, member) with a
// `check` block, with ±10 % jitter, rise/fall through health::StateMachine
// and an RTT estimate per member. Its published view is turned into
// Pool::set_checked_up on this monitor's control thread. With a state store,
// results are persisted and a restart resumes from them: a member stored
// down starts down (before the listener accepts) and needs `rise` passing
// probes to come back; one stored up starts up. Without a store the first
// probe result decides.
//
// Passive: workers call record() after each forwarded attempt. `failures`
// consecutive failures eject the member for `eject` (doubling per repeat
// ejection up to `max_eject`), unless it is the pool's last available member
// (failing open beats refusing everything, STYLE.md pitfall 4).
//
// Threads: the scheduler's own thread for probes; one control thread (io())
// for state changes, ejections and slow-start ramps, never the workers'
// (STYLE.md pitfall 10).
#pragma once

#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "health/scheduler.hpp"
#include "health/state_store.hpp"
#include "regional-lb/region.hpp"

namespace gslb::lb {

// The health library's description of a pool's check of one member.
health::CheckSpec check_spec(const CheckConfig& check, const Endpoint& target);

class HealthMonitor {
 public:
  // Shares ownership of region; its pools' flags are updated from the control
  // thread. store may be null; otherwise it must outlive the monitor, and the
  // stored check states are applied to region's pools here, before return.
  HealthMonitor(std::shared_ptr<const Region> region, health::StateStore* store);
  ~HealthMonitor();
  HealthMonitor(const HealthMonitor&) = delete;
  HealthMonitor& operator=(const HealthMonitor&) = delete;

  void start();
  void stop();

  // The control loop, for other control-plane services (the admin API).
  boost::asio::io_context& io() { return io_; }

  // Any thread (the workers'): the outcome of one forwarded attempt. ok is
  // false for connect errors, timeouts, broken responses and 5xx statuses.
  // Lock-free; a success costs one relaxed load.
  void record(std::size_t pool, std::uint32_t member, bool ok);

 private:
  struct Passive {
    std::atomic<int> failures{0};
    std::atomic<bool> ejected{false};
    int ejections = 0;  // control thread only
  };

  // Control thread: a new view from the scheduler.
  void on_checks(const std::shared_ptr<const health::HealthView>& view);
  void restore_checks(health::StateStore& store);
  void eject(std::size_t pool, std::size_t member);
  // A member became available again: start its slow-start ramp (if configured).
  void came_back(std::size_t pool, std::size_t member);
  boost::asio::awaitable<void> ramp_loop(std::size_t pool);

  const std::shared_ptr<const Region> owner_;
  const Region& region_;
  boost::asio::io_context io_{1};
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
  std::vector<std::vector<std::unique_ptr<Passive>>> passive_;
  std::vector<bool> ramping_;  // per pool: a ramp_loop is running (control thread)
  // Per pool, per member: the scheduler's target id ("" without a check) and
  // the last checked state applied (control thread after start()).
  std::vector<std::vector<std::string>> target_ids_;
  std::vector<std::vector<health::State>> checked_;
  health::StateStore* const store_;
  std::unique_ptr<health::Scheduler> checks_;  // null when no pool has a check
  std::thread thread_;
};

}  // namespace gslb::lb
