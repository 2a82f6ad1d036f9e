#include "dns/worker.hpp"

#include <unistd.h>

#include <algorithm>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include "base/log.hpp"
#include "dns/tcp_server.hpp"
#include "dns/udp_server.hpp"

namespace gslb::dns {

Worker::Worker(unsigned index, WorkerShared& shared, std::vector<ListenSocket> udp, std::vector<ListenSocket> tcp)
    : index_(index),
      shared_(shared),
      io_(std::make_unique<boost::asio::io_context>(1)),
      processor_(shared.settings.processor, shared.settings.dynamic),
      reader_(shared.zones),
      tcp_scratch_(65535) {
  if (shared.settings.query_log) query_log_ = std::make_unique<QueryLog>();
  for (auto& s : udp) udp_.push_back(std::make_unique<UdpListener>(index, shared, s));
  for (auto& s : tcp) tcp_.push_back(std::make_shared<TcpListener>(*this, s));
}

Worker::~Worker() {
  join();
  // Order matters: listeners and the timer use io_; pending handlers inside
  // io_ own connections, whose destructors unregister from connections_.
  udp_.clear();
  tcp_.clear();
  hard_stop_.reset();
  io_.reset();
}

void Worker::start() {
  for (auto& u : udp_) u->start();
  for (auto& t : tcp_) t->start();
  thread_ = std::thread([this] { run(); });
}

void Worker::run() {
  try {
    io_->run();
  } catch (const std::exception& e) {
    // Nothing on the query path throws on input; reaching here is a bug, and
    // the other workers keep serving.
    base::log_error("worker", "worker ", index_, " stopped: ", e.what());
  }
  if (query_log_) query_log_->flush();
}

void Worker::request_stop(std::chrono::milliseconds grace) {
  // UDP threads answer what is queued and close their sockets on their own.
  for (auto& u : udp_) u->request_stop();
  boost::asio::post(*io_, [this, grace] { stop_now(grace); });
}

void Worker::stop_now(std::chrono::milliseconds grace) {
  stopping_ = true;
  for (auto& t : tcp_) t->close();
  // Copy: shutdown() may end a connection, which edits the list.
  const auto connections = connections_;
  for (auto* c : connections) c->shutdown();
  // Exchanges still in progress get `grace` to finish; then stop hard.
  hard_stop_ = std::make_unique<boost::asio::steady_timer>(*io_, grace);
  hard_stop_->async_wait([this](const boost::system::error_code& error) {
    if (!error) io_->stop();
  });
  if (connections_.empty()) hard_stop_->cancel();
}

void Worker::join() {
  for (auto& u : udp_) u->join();
  if (thread_.joinable()) thread_.join();
}

void Worker::add_connection(TcpConnection* c) {
  connections_.push_back(c);
}

void Worker::remove_connection(TcpConnection* c) {
  connections_.erase(std::remove(connections_.begin(), connections_.end(), c), connections_.end());
  if (stopping_ && connections_.empty() && hard_stop_) hard_stop_->cancel();
}

}  // namespace gslb::dns
