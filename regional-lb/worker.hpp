// One proxy worker: a thread running its own io_context, with its own
// balancer instances, idle backend connections and session registry. Every
// member below is touched only on the worker's thread except where noted, so
// the request path takes no lock (Envoy's per-worker design; STYLE.md pitfall 15).
//
// What a worker derives from one Region (balancers, view readers, idle
// backend connections) is a WorkerRegion, replaced whole on reload. Each
// request holds the WorkerRegion it started with, so a reload never changes
// a request's pool or config halfway.
#pragma once

#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <memory>
#include <thread>
#include <unordered_set>
#include <vector>

#include "base/snapshot.hpp"
#include "regional-lb/balancer.hpp"
#include "regional-lb/region.hpp"
#include "regional-lb/stats.hpp"
#include "regional-lb/upstream_connections.hpp"

namespace gslb::lb {

class HttpSession;
class HealthMonitor;

struct PoolState {
  base::Snapshot<PoolView>::Reader views;
  std::unique_ptr<Balancer> balancer;

  // The current view, as a pointer whose reference count lives on this
  // worker: a request holds it across suspensions (another request may
  // refresh the reader meanwhile), and copying it touches no cache line that
  // other workers write (STYLE.md pitfall 2). It shares ownership of the
  // published view through a worker-local holder (aliasing constructor).
  std::shared_ptr<const PoolView> current();

  // Cache behind current(); this worker's thread only.
  std::uint64_t seen_version_ = 0;
  std::shared_ptr<const PoolView> local_;
};

// Built on the control thread, then used only on one worker's thread.
struct WorkerRegion {
  // health may be null (no passive checks). seed: the worker's.
  WorkerRegion(std::shared_ptr<const Region> region, std::shared_ptr<HealthMonitor> health, std::uint64_t seed);

  const std::shared_ptr<const Region> region;
  const std::shared_ptr<HealthMonitor> health;
  std::vector<PoolState> pools;
  UpstreamConnections upstream;

  // Counts the outcome of one attempt on view.members()[member] (metrics and
  // passive checks). responded: a response header arrived; ok: and it was below 500.
  void record_outcome(std::size_t pool, const PoolView& view, std::uint32_t member, bool responded, bool ok);
};

class Worker {
 public:
  // seed varies per worker (balancer cursors, RNGs).
  explicit Worker(std::uint64_t seed);
  ~Worker();
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  boost::asio::io_context& io() { return io_; }
  std::uint64_t seed() const { return seed_; }

  // Worker thread (or before start()): the WorkerRegion new requests use.
  std::shared_ptr<WorkerRegion> current() const { return current_; }
  // Before start(): the first WorkerRegion. After: use replace().
  void set_region(std::shared_ptr<WorkerRegion> state) { current_ = std::move(state); }
  // Any thread (posts): new requests use next; requests in progress finish
  // with what they started with; the old idle backend connections close.
  void replace(std::shared_ptr<WorkerRegion> next);

  // A backend of region's pool is being drained: close this worker's idle
  // connections to it (if the worker still serves region). Any thread (posts).
  void close_idle(const Region* region, std::size_t pool, std::size_t member);

  // Shutdown, phase one: stop keeping connections alive and close the ones
  // waiting for their next request. Safe from any thread (posts).
  void drain();
  bool draining() const { return draining_; }
  // Sessions alive on this worker; any thread.
  int active_sessions() const { return active_.load(std::memory_order_acquire); }
  // Written on this worker's thread only; read by the admin thread.
  ResponseCounters& responses() { return responses_; }

  void start();  // spawns the thread
  void stop();   // shutdown phase two: stops the loop (cancelling everything) and joins

  // Called by HttpSession on this worker's thread.
  void add_session(HttpSession* s);
  void remove_session(HttpSession* s);

 private:
  const std::uint64_t seed_;
  boost::asio::io_context io_{1};
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
  std::shared_ptr<WorkerRegion> current_;
  std::unordered_set<HttpSession*> sessions_;
  bool draining_ = false;
  std::atomic<int> active_{0};
  ResponseCounters responses_;
  std::thread thread_;
};

}  // namespace gslb::lb
