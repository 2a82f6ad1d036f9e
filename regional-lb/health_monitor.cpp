#include "regional-lb/health_monitor.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <map>

#include "base/log.hpp"

namespace gslb::lb {

namespace asio = boost::asio;
constexpr auto tok = asio::as_tuple(asio::use_awaitable);

namespace {

// Stored states older than this are not restored: the backend may have
// changed completely while the LB was not watching.
constexpr std::chrono::seconds kRestoreMaxAge{3600};

}  // namespace

health::CheckSpec check_spec(const CheckConfig& check, const Endpoint& target) {
  health::CheckSpec spec;
  spec.type = health::CheckType::http;
  spec.port = target.port;
  spec.path = check.path;
  spec.expect = health::StatusExpectation{check.expect, check.expect};
  spec.interval = check.interval;
  spec.timeout = check.timeout;
  spec.rise = check.rise;
  spec.fall = check.fall;
  spec.jitter = 0.1;
  return spec;
}

HealthMonitor::HealthMonitor(std::shared_ptr<const Region> region, health::StateStore* store)
    : owner_(std::move(region)),
      region_(*owner_),
      work_(asio::make_work_guard(io_)),
      ramping_(region_.config.pools.size(), false),
      store_(store) {
  bool any_check = false;
  for (const auto& pool : region_.config.pools) {
    auto& members = passive_.emplace_back();
    auto& ids = target_ids_.emplace_back();
    checked_.emplace_back(pool.backends.size(), health::State::unknown);
    for (const auto& backend : pool.backends) {
      members.push_back(std::make_unique<Passive>());
      ids.push_back(pool.check ? pool.name + "/" + backend.address.text : std::string());
      any_check = any_check || pool.check.has_value();
    }
  }
  if (!any_check) return;
  if (store_) restore_checks(*store_);
  health::Scheduler::Options options;
  options.http.user_agent = "gslb-lb-check";
  options.store = store_;
  options.restore_max_age = kRestoreMaxAge;
  // Runs on the scheduler's thread and must not block: hand over to ours.
  options.on_publish = [this](const std::shared_ptr<const health::HealthView>& view) {
    asio::post(io_, [this, view] { on_checks(view); });
  };
  checks_ = std::make_unique<health::Scheduler>(std::move(options));
}

void HealthMonitor::restore_checks(health::StateStore& store) {
  // Before any listener accepts: a member that was down when the last run
  // ended must not take traffic until it passes `rise` probes. The
  // scheduler restores the same rows as its state machines' starting states.
  store.flush();  // a reload's predecessor may still have results queued
  std::map<std::string, health::CheckRecord> stored;
  const auto oldest = std::chrono::system_clock::now() - kRestoreMaxAge;
  for (auto& r : store.load_checks()) {
    if (r.updated >= oldest) stored.emplace(r.check_key, std::move(r));
  }
  for (std::size_t p = 0; p < region_.config.pools.size(); ++p) {
    const PoolConfig& pool = region_.config.pools[p];
    if (!pool.check) continue;
    for (std::size_t m = 0; m < pool.backends.size(); ++m) {
      const Endpoint& address = pool.backends[m].address;
      const auto it = stored.find(health::Scheduler::check_key(address.ip, check_spec(*pool.check, address)));
      if (it == stored.end()) continue;
      checked_[p][m] = it->second.state;
      region_.pools[p]->set_check_info(
          m, Pool::CheckInfo{health::to_string(it->second.state), it->second.rtt, "restored: " + it->second.detail});
      if (it->second.state == health::State::down) {
        region_.pools[p]->set_checked_up(m, false);
        base::log_info("lb", "pool ", pool.name, " backend ", address.text,
                       " starts down (state file: ", it->second.detail, ")");
      }
    }
  }
}

HealthMonitor::~HealthMonitor() {
  stop();
}

void HealthMonitor::start() {
  if (checks_) {
    for (std::size_t p = 0; p < region_.config.pools.size(); ++p) {
      const PoolConfig& pool = region_.config.pools[p];
      if (!pool.check) continue;
      for (std::size_t m = 0; m < pool.backends.size(); ++m) {
        const Endpoint& address = pool.backends[m].address;
        const std::string error = checks_->add_target(target_ids_[p][m], address.ip, check_spec(*pool.check, address));
        // The config loader checks the same ranges; this is a programming error.
        if (!error.empty()) base::log_error("lb", "pool ", pool.name, " backend ", address.text, ": check: ", error);
      }
    }
    checks_->start();
  }
  thread_ = std::thread([this] { io_.run(); });
}

void HealthMonitor::stop() {
  // The scheduler first: it posts to io_ until it has stopped.
  if (checks_) checks_->stop();
  work_.reset();
  io_.stop();
  if (thread_.joinable()) thread_.join();
}

void HealthMonitor::on_checks(const std::shared_ptr<const health::HealthView>& view) {
  for (std::size_t p = 0; p < target_ids_.size(); ++p) {
    for (std::size_t m = 0; m < target_ids_[p].size(); ++m) {
      if (target_ids_[p][m].empty()) continue;
      const health::TargetHealth* t = view->find(target_ids_[p][m]);
      // Operator overrides (drain) are the pool's own flag: only the probed state counts here.
      if (!t) continue;
      region_.pools[p]->set_check_info(
          m,
          Pool::CheckInfo{t->probed == health::State::unknown ? "" : health::to_string(t->probed), t->rtt, t->detail});
      if (t->probed == health::State::unknown || t->probed == checked_[p][m]) continue;
      // Members start up (optimistic until the first result): a first "up" changes nothing.
      const bool was_up = checked_[p][m] != health::State::down;
      checked_[p][m] = t->probed;
      const bool up = t->probed == health::State::up;
      if (up == was_up) continue;
      if (region_.pools[p]->set_checked_up(m, up) && up) came_back(p, m);
      base::log_info("lb", "pool ", region_.config.pools[p].name, " backend ",
                     region_.config.pools[p].backends[m].address.text, " is now ", up ? "up" : "down", " (", t->detail,
                     ")");
    }
  }
}

void HealthMonitor::record(std::size_t pool, std::uint32_t member, bool ok) {
  const PassiveConfig& cfg = region_.config.pools[pool].passive;
  if (cfg.failures <= 0 || pool >= passive_.size() || member >= passive_[pool].size()) return;
  Passive& p = *passive_[pool][member];
  if (ok) {
    // Only write when there is something to reset: successes are the common
    // case and should not bounce this cache line between workers.
    if (p.failures.load(std::memory_order_relaxed) != 0) p.failures.store(0, std::memory_order_relaxed);
    return;
  }
  if (p.failures.fetch_add(1, std::memory_order_relaxed) + 1 >= cfg.failures &&
      !p.ejected.exchange(true, std::memory_order_acq_rel)) {
    asio::post(io_, [this, pool, member] { eject(pool, member); });
  }
}

void HealthMonitor::came_back(std::size_t pool_index, std::size_t member) {
  const auto duration = region_.config.pools[pool_index].slow_start;
  if (duration.count() <= 0) return;
  region_.pools[pool_index]->start_ramp(member, std::chrono::steady_clock::now());
  if (!ramping_[pool_index]) {
    ramping_[pool_index] = true;
    asio::co_spawn(io_, ramp_loop(pool_index), asio::detached);
  }
}

asio::awaitable<void> HealthMonitor::ramp_loop(std::size_t pool_index) {
  const auto duration = region_.config.pools[pool_index].slow_start;
  // Twenty steps per ramp, but not more often than every 100 ms.
  const auto step = std::max<std::chrono::milliseconds>(duration / 20, std::chrono::milliseconds(100));
  asio::steady_timer timer(io_);
  while (region_.pools[pool_index]->tick_ramps(std::chrono::steady_clock::now(), duration)) {
    timer.expires_after(step);
    auto [ec] = co_await timer.async_wait(tok);
    if (ec) break;
  }
  ramping_[pool_index] = false;
}

void HealthMonitor::eject(std::size_t pool_index, std::size_t member) {
  const PoolConfig& cfg = region_.config.pools[pool_index];
  Pool& pool = *region_.pools[pool_index];
  Passive& p = *passive_[pool_index][member];
  const auto& view = pool.view();
  const bool available = view->members()[member].state == MemberState::up;
  if (available && view->available().size() <= 1) {
    base::log_warning("lb", "pool ", cfg.name, " backend ", cfg.backends[member].address.text,
                      " keeps failing but is the last available one: not ejected");
    p.failures.store(0, std::memory_order_relaxed);
    p.ejected.store(false, std::memory_order_release);
    return;
  }
  ++p.ejections;
  auto backoff = cfg.passive.eject;
  for (int i = 1; i < p.ejections && backoff < cfg.passive.max_eject; ++i) backoff *= 2;
  backoff = std::min(backoff, cfg.passive.max_eject);
  view->members()[member].load->ejections.fetch_add(1, std::memory_order_relaxed);
  pool.set_ejected(member, true);
  base::log_info("lb", "pool ", cfg.name, " backend ", cfg.backends[member].address.text, " ejected for ",
                 base::format_duration(backoff), " after ", cfg.passive.failures, " consecutive failures");
  auto timer = std::make_shared<asio::steady_timer>(io_, backoff);
  timer->async_wait([this, timer, pool_index, member](const boost::system::error_code& ec) {
    if (ec) return;
    const PoolConfig& c = region_.config.pools[pool_index];
    Passive& state = *passive_[pool_index][member];
    if (region_.pools[pool_index]->set_ejected(member, false)) came_back(pool_index, member);
    state.failures.store(0, std::memory_order_relaxed);
    state.ejected.store(false, std::memory_order_release);
    base::log_info("lb", "pool ", c.name, " backend ", c.backends[member].address.text, " back from ejection");
  });
}

}  // namespace gslb::lb
