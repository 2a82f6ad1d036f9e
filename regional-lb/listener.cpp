#include "regional-lb/listener.hpp"

#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include "base/log.hpp"
#include "regional-lb/http_session.hpp"

namespace gslb::lb {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {
std::shared_ptr<const Region> with_settings(std::shared_ptr<const Region> region, OperatorState& operators) {
  operators.load();
  operators.apply(*region);
  return region;
}
}  // namespace

Server::Server(std::shared_ptr<const Region> region, health::StateStore* store)
    : store_(store),
      operators_(store),
      regions_(with_settings(region, operators_)),
      health_(std::make_shared<HealthMonitor>(region, store_)),
      control_work_(asio::make_work_guard(control_io_)) {
  const int n = std::max(1, region->config.server.workers);
  for (int i = 0; i < n; ++i) {
    auto worker = std::make_unique<Worker>(static_cast<std::uint64_t>(i) * 0x9e3779b97f4a7c15ULL + 1);
    worker->set_region(std::make_shared<WorkerRegion>(region, health_, worker->seed()));
    workers_.push_back(std::move(worker));
  }
}

Server::~Server() {
  for (auto& w : workers_) w->stop();
  health_->stop();
  control_work_.reset();
  control_io_.stop();
  if (control_thread_.joinable()) control_thread_.join();
}

bool Server::bind(std::string& error) {
  const auto region = regions_.load();
  if (region->config.admin.address) {
    admin_ = std::make_unique<AdminServer>(
        [this] { return regions_.load(); }, control_io_,
        [this] {
          ProcessStats stats;
          for (const auto& w : workers_) {
            stats.client_connections += w->active_sessions();
            for (std::size_t c = 0; c < 5; ++c) {
              stats.responses_by_class[c] += w->responses().by_class[c].load(std::memory_order_relaxed);
            }
          }
          return stats;
        },
        AdminActions{&operators_, [this](const Region& r, std::size_t pool, std::size_t member) {
                       for (auto& w : workers_) w->close_idle(&r, pool, member);
                     }});
    if (!admin_->bind(*region->config.admin.address, error)) return false;
  }
  if (!access_log_.configure(region->config.access_log, error)) return false;
  for (const auto& l : region->config.listeners) {
    auto acceptor = std::make_unique<tcp::acceptor>(workers_[0]->io());
    const tcp::endpoint endpoint(l.address.ip, l.address.port);
    boost::system::error_code ec;
    acceptor->open(endpoint.protocol(), ec);
    if (!ec) acceptor->set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec && endpoint.address().is_v6()) acceptor->set_option(asio::ip::v6_only(true), ec);
    if (!ec) acceptor->bind(endpoint, ec);
    if (!ec) acceptor->listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
      error = "cannot listen on " + l.address.text + ": " + ec.message();
      return false;
    }
    acceptors_.push_back(std::move(acceptor));
    listener_contexts_.push_back(
        std::make_unique<ListenerContext>(ListenerContext{listener_contexts_.size(), &access_log_}));
  }
  return true;
}

std::optional<tcp::endpoint> Server::admin_endpoint() const {
  if (!admin_) return std::nullopt;
  return admin_->local_endpoint();
}

std::vector<tcp::endpoint> Server::local_endpoints() const {
  std::vector<tcp::endpoint> out;
  for (const auto& a : acceptors_) {
    boost::system::error_code ec;
    out.push_back(a->local_endpoint(ec));
  }
  return out;
}

void Server::start() {
  for (std::size_t i = 0; i < acceptors_.size(); ++i) {
    asio::post(workers_[0]->io(), [this, i] { accept_next(i); });
  }
  if (admin_) admin_->start();
  control_thread_ = std::thread([this] { control_io_.run(); });
  health_->start();
  for (auto& w : workers_) w->start();
  started_ = true;
}

void Server::accept_next(std::size_t listener) {
  Worker& target = *workers_[next_worker_];
  next_worker_ = (next_worker_ + 1) % workers_.size();
  acceptors_[listener]->async_accept(target.io(), [this, listener, &target](boost::system::error_code ec,
                                                                            tcp::socket socket) {
    if (ec == asio::error::operation_aborted || !acceptors_[listener]->is_open()) return;
    if (ec) {
      // EMFILE/ENFILE and friends: back off instead of spinning on a full table.
      base::log_warning("lb", "accept failed: ", ec.message());
      auto timer = std::make_shared<asio::steady_timer>(workers_[0]->io(), std::chrono::milliseconds(100));
      timer->async_wait([this, listener, timer](boost::system::error_code) { accept_next(listener); });
      return;
    }
    asio::post(target.io(), [&target, context = listener_contexts_[listener].get(), s = std::move(socket)]() mutable {
      HttpSession::start(target, *context, std::move(s));
    });
    accept_next(listener);
  });
}

namespace {

std::string listener_list(const RegionConfig& c) {
  std::string out;
  for (const auto& l : c.listeners) out += l.address.text + " ";
  return out;
}

std::string admin_text(const RegionConfig& c) {
  return c.admin.address ? c.admin.address->text : "none";
}

}  // namespace

bool Server::reload(RegionConfig config, std::string& error) {
  const auto old = regions_.load();
  if (listener_list(config) != listener_list(old->config)) {
    error = "listeners changed (" + listener_list(old->config) + "→ " + listener_list(config) + "); restart to apply";
    return false;
  }
  if (admin_text(config) != admin_text(old->config)) {
    error = "admin address changed; restart to apply";
    return false;
  }
  if (std::max(1, config.server.workers) != static_cast<int>(workers_.size())) {
    error = "worker count changed; restart to apply";
    return false;
  }
  // Reopened even when unchanged: after logrotate moved the file, SIGHUP
  // makes a new one.
  if (!access_log_.configure(config.access_log, error)) return false;
  // Build everything, then switch: until the posts below run, the old region serves.
  auto region = std::make_shared<const Region>(std::move(config), old->hash_key);
  operators_.apply(*region);
  auto health = std::make_shared<HealthMonitor>(region, store_);
  health->start();
  for (auto& w : workers_) w->replace(std::make_shared<WorkerRegion>(region, health, w->seed()));
  regions_.publish(region);
  // An admin request that landed on the old region between apply() and
  // publish() is in operators_: apply again (unchanged members publish nothing).
  operators_.apply(*region);
  // The old monitor stops probing now; requests still holding the old region
  // may call record() on it, which then does nothing.
  std::exchange(health_, health)->stop();
  return true;
}

void Server::shutdown(std::chrono::milliseconds grace) {
  if (!started_) return;
  asio::post(workers_[0]->io(), [this] {
    for (auto& a : acceptors_) {
      boost::system::error_code ignored;
      a->close(ignored);
    }
  });
  if (admin_) asio::post(control_io_, [this] { admin_->stop(); });
  for (auto& w : workers_) w->drain();
  // Polling here is on the control thread and bounded by grace; the workers
  // keep serving in-flight requests meanwhile.
  const auto deadline = std::chrono::steady_clock::now() + grace;
  while (std::chrono::steady_clock::now() < deadline) {
    int active = 0;
    for (auto& w : workers_) active += w->active_sessions();
    if (active == 0) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  for (auto& w : workers_) w->stop();
  health_->stop();
  control_work_.reset();
  control_io_.stop();
  if (control_thread_.joinable()) control_thread_.join();
  started_ = false;
}

}  // namespace gslb::lb
