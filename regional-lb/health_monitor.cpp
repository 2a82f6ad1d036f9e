#include "regional-lb/health_monitor.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <random>

#include "base/log.hpp"
#include "regional-lb/rise_fall.hpp"

namespace gslb::lb {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
constexpr auto tok = asio::as_tuple(asio::use_awaitable);

HealthMonitor::HealthMonitor(std::shared_ptr<const Region> region)
    : owner_(std::move(region)),
      region_(*owner_),
      work_(asio::make_work_guard(io_)),
      ramping_(region_.config.pools.size(), false) {
  for (const auto& pool : region_.config.pools) {
    auto& members = passive_.emplace_back();
    for (std::size_t i = 0; i < pool.backends.size(); ++i) members.push_back(std::make_unique<Passive>());
  }
}

HealthMonitor::~HealthMonitor() {
  stop();
}

void HealthMonitor::start() {
  for (std::size_t p = 0; p < region_.config.pools.size(); ++p) {
    if (!region_.config.pools[p].check) continue;
    for (std::size_t m = 0; m < region_.config.pools[p].backends.size(); ++m) {
      asio::co_spawn(io_, check_loop(p, m), asio::detached);
    }
  }
  thread_ = std::thread([this] { io_.run(); });
}

void HealthMonitor::stop() {
  work_.reset();
  io_.stop();
  if (thread_.joinable()) thread_.join();
}

namespace {

struct ProbeResult {
  bool ok = false;
  std::string detail;
};

asio::awaitable<ProbeResult> probe(asio::io_context& io, const Endpoint& target, const CheckConfig& check) {
  beast::tcp_stream stream(io);
  // One deadline for the whole probe: connect, request and response header.
  stream.expires_after(check.timeout);
  auto [ec] = co_await stream.async_connect(asio::ip::tcp::endpoint(target.ip, target.port), tok);
  if (ec) co_return ProbeResult{false, "connect: " + ec.message()};
  http::request<http::empty_body> req{http::verb::get, check.path, 11};
  req.set(http::field::host, target.text);
  req.set(http::field::user_agent, "gslb-lb-check");
  req.set(http::field::connection, "close");
  auto [wec, wn] = co_await http::async_write(stream, req, tok);
  if (wec) co_return ProbeResult{false, "write: " + wec.message()};
  beast::flat_buffer buffer;
  http::response_parser<http::empty_body> parser;
  auto [rec, rn] = co_await http::async_read_header(stream, buffer, parser, tok);
  if (rec) co_return ProbeResult{false, "response: " + rec.message()};
  const int status = parser.get().result_int();
  beast::error_code ignored;
  stream.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  if (status != check.expect) {
    co_return ProbeResult{false, "status " + std::to_string(status) + ", expected " + std::to_string(check.expect)};
  }
  co_return ProbeResult{true, "status " + std::to_string(status)};
}

}  // namespace

asio::awaitable<void> HealthMonitor::check_loop(std::size_t pool_index, std::size_t member) {
  const PoolConfig& pool = region_.config.pools[pool_index];
  const CheckConfig& check = *pool.check;
  const Endpoint& target = pool.backends[member].address;
  RiseFall state(check.rise, check.fall);
  std::mt19937_64 rng(std::random_device{}());
  std::uniform_real_distribution<double> jitter(0.9, 1.1);
  asio::steady_timer timer(io_);
  while (true) {
    const ProbeResult result = co_await probe(io_, target, check);
    if (state.record(result.ok)) {
      if (region_.pools[pool_index]->set_checked_up(member, state.up()) && state.up()) came_back(pool_index, member);
      base::log_info("lb", "pool ", pool.name, " backend ", target.text, " is now ", state.up() ? "up" : "down", " (",
                     result.detail, ")");
    }
    const auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(check.interval * jitter(rng));
    timer.expires_after(wait);
    auto [ec] = co_await timer.async_wait(tok);
    if (ec) co_return;
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
