// DNS over TCP (RFC 7766) on a worker's io_context: an acceptor per listen
// address per worker (SO_REUSEPORT spreads connections), and one coroutine
// per connection reading 2-byte length-framed queries (RFC 1035 §4.2.2) and
// answering them in order, several per connection.
//
// Limits: a cap on concurrent connections across all workers (beyond it a
// connection is accepted and closed at once, so that a client learns at once
// instead of waiting in the backlog); an idle timeout between queries (RFC
// 7766 §6.2.3); a deadline to finish reading a started query and to write
// each response.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <memory>

#include "dns/worker.hpp"

namespace gslb::dns {

class TcpListener : public std::enable_shared_from_this<TcpListener> {
 public:
  // Worker thread. Takes ownership of `socket.fd` (listening, non-blocking).
  TcpListener(Worker& worker, ListenSocket socket);
  void start();
  void close();

 private:
  void accept();

  Worker& worker_;
  base::SocketAddress address_;
  boost::asio::ip::tcp::acceptor acceptor_;
};

class TcpConnection : public std::enable_shared_from_this<TcpConnection> {
 public:
  TcpConnection(Worker& worker, boost::asio::ip::tcp::socket socket);
  ~TcpConnection();
  void start();
  // Worker shutdown: close now if waiting for a query; otherwise after the
  // response being written.
  void shutdown();

 private:
  class Session;
  void arm(std::chrono::milliseconds timeout);
  void close();

  Worker& worker_;
  boost::asio::ip::tcp::socket socket_;
  boost::asio::steady_timer deadline_;
  sockaddr_storage peer_{};
  bool idle_ = true;  // waiting for the first byte of a query
};

}  // namespace gslb::dns
