#include "regional-lb/worker.hpp"

#include <boost/asio/post.hpp>

#include "regional-lb/balancer_factory.hpp"
#include "regional-lb/health_monitor.hpp"
#include "regional-lb/http_session.hpp"

namespace gslb::lb {

namespace {
std::vector<std::size_t> members_per_pool(const Region& region) {
  std::vector<std::size_t> out;
  for (const auto& p : region.config.pools) out.push_back(p.backends.size());
  return out;
}
}  // namespace

std::shared_ptr<const PoolView> PoolState::current() {
  const PoolView* latest = views.get();
  if (!local_ || latest->version() != seen_version_) {
    auto holder = std::make_shared<const std::shared_ptr<const PoolView>>(views.shared());
    local_ = std::shared_ptr<const PoolView>(holder, holder->get());
    seen_version_ = latest->version();
  }
  return local_;
}

WorkerRegion::WorkerRegion(std::shared_ptr<const Region> r, std::shared_ptr<HealthMonitor> h, std::uint64_t seed)
    : region(std::move(r)), health(std::move(h)), upstream(members_per_pool(*region)) {
  for (std::size_t i = 0; i < region->pools.size(); ++i) {
    pools.push_back(PoolState{base::Snapshot<PoolView>::Reader(region->pools[i]->views()),
                              make_balancer(region->config.pools[i].balancer, seed * 1000003 + i), 0, nullptr});
  }
}

void WorkerRegion::record_outcome(std::size_t pool, const PoolView& view, std::uint32_t member, bool responded,
                                  bool ok) {
  BackendLoad& load = *view.members()[member].load;
  if (responded) load.responses.fetch_add(1, std::memory_order_relaxed);
  if (!ok) load.failures.fetch_add(1, std::memory_order_relaxed);
  if (health) health->record(pool, member, ok);
}

Worker::Worker(std::uint64_t seed) : seed_(seed), work_(boost::asio::make_work_guard(io_)) {}

Worker::~Worker() {
  stop();
}

void Worker::start() {
  thread_ = std::thread([this] { io_.run(); });
}

void Worker::replace(std::shared_ptr<WorkerRegion> next) {
  boost::asio::post(io_, [this, next = std::move(next)]() mutable {
    // Idle connections of the old region are closed now; the ones in use
    // close when their request ends (they are owned by it, not by the cache).
    if (current_) current_->upstream.clear();
    current_ = std::move(next);
  });
}

void Worker::close_idle(const Region* region, std::size_t pool, std::size_t member) {
  boost::asio::post(io_, [this, region, pool, member] {
    if (current_ && current_->region.get() == region) current_->upstream.close_idle(pool, member);
  });
}

void Worker::drain() {
  boost::asio::post(io_, [this] {
    draining_ = true;
    // Copy: closing a session may remove it from the set.
    const std::vector<HttpSession*> sessions(sessions_.begin(), sessions_.end());
    for (HttpSession* s : sessions) s->close_if_idle();
    if (current_) current_->upstream.clear();
  });
}

void Worker::stop() {
  work_.reset();
  io_.stop();
  if (thread_.joinable()) thread_.join();
}

void Worker::add_session(HttpSession* s) {
  sessions_.insert(s);
  active_.fetch_add(1, std::memory_order_release);
}

void Worker::remove_session(HttpSession* s) {
  sessions_.erase(s);
  active_.fetch_sub(1, std::memory_order_release);
}

}  // namespace gslb::lb
