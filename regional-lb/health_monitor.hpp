// Active and passive health checks for every pool of a Region, on one
// control thread with its own io_context (probes never run on the proxy's
// workers, STYLE.md pitfall 10).
//
// Active: per (pool, member) with a `check` block, a GET of check.path every
// interval (±10 % jitter so probes do not fire together) under one deadline
// of check.timeout; status == check.expect is a success; RiseFall turns
// results into up/down, published through Pool::set_checked_up.
//
// Passive: workers call record() after each forwarded attempt. `failures`
// consecutive failures eject the member for `eject` (doubling per repeat
// ejection up to `max_eject`), unless it is the pool's last available member
// (failing open beats refusing everything, STYLE.md pitfall 4).
#pragma once

#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "regional-lb/region.hpp"

namespace gslb::lb {

class HealthMonitor {
 public:
  // Shares ownership of region; its pools' flags are updated from the control thread.
  explicit HealthMonitor(std::shared_ptr<const Region> region);
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

  boost::asio::awaitable<void> check_loop(std::size_t pool, std::size_t member);
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
  std::thread thread_;
};

}  // namespace gslb::lb
