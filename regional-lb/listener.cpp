#include "regional-lb/listener.hpp"

#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <thread>

#include "base/log.hpp"
#include "regional-lb/http_session.hpp"

namespace gslb::lb {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

Server::Server(std::shared_ptr<const Region> region) : region_(std::move(region)), health_(*region_) {
  const int n = std::max(1, region_->config.server.workers);
  for (int i = 0; i < n; ++i) {
    workers_.push_back(std::make_unique<Worker>(*region_, static_cast<std::uint64_t>(i) * 0x9e3779b97f4a7c15ULL + 1));
    workers_.back()->set_health_monitor(&health_);
  }
}

Server::~Server() {
  for (auto& w : workers_) w->stop();
  health_.stop();
}

bool Server::bind(std::string& error) {
  if (region_->config.admin.address) {
    admin_ = std::make_unique<AdminServer>(*region_, health_.io(), [this] {
      int active = 0;
      for (const auto& w : workers_) active += w->active_sessions();
      return active;
    });
    if (!admin_->bind(*region_->config.admin.address, error)) return false;
  }
  for (const auto& l : region_->config.listeners) {
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
  health_.start();
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
    asio::post(target.io(), [&target, s = std::move(socket)]() mutable { HttpSession::start(target, std::move(s)); });
    accept_next(listener);
  });
}

void Server::shutdown(std::chrono::milliseconds grace) {
  if (!started_) return;
  asio::post(workers_[0]->io(), [this] {
    for (auto& a : acceptors_) {
      boost::system::error_code ignored;
      a->close(ignored);
    }
  });
  if (admin_) asio::post(health_.io(), [this] { admin_->stop(); });
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
  health_.stop();
  started_ = false;
}

}  // namespace gslb::lb
