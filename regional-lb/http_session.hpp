// One downstream (client) connection: the keep-alive loop. Reads a request
// header under the client_header deadline (after waiting at most client_idle
// for its first byte), applies limits and framing checks, routes it, and
// answers or forwards it; requests are handled one at a time in arrival
// order, so pipelined requests are answered in order and at most one is
// buffered beyond the one in progress (STYLE.md habit 16).
//
// Lives on its worker's thread; owned by its own coroutine (shared_ptr).
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/message.hpp>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "regional-lb/access_log.hpp"
#include "regional-lb/client_stream.hpp"
#include "regional-lb/stream_io.hpp"

namespace gslb::lb {

class Worker;
class TlsServerContext;

// What a session needs from the listener that accepted it; owned by the
// Server, which outlives every session.
struct ListenerContext {
  std::size_t index = 0;            // into RegionConfig::listeners (and Region::tls)
  AccessLog* access_log = nullptr;  // the server's; may be off
};

class HttpSession : public std::enable_shared_from_this<HttpSession> {
 public:
  // Worker thread only. Takes ownership of the accepted socket.
  static void start(Worker& worker, const ListenerContext& listener, boost::asio::ip::tcp::socket socket);
  ~HttpSession();

  // Worker thread only: close the connection if it is between requests (drain).
  void close_if_idle();

  HttpSession(Worker& worker, const ListenerContext& listener, boost::asio::ip::tcp::socket socket);  // use start()

 private:
  boost::asio::awaitable<void> run();
  boost::asio::awaitable<void> close_gracefully();
  boost::asio::awaitable<bool> handshake();
  void log_request(AccessLog& log, const boost::beast::http::request_header<>& header,
                   std::chrono::steady_clock::time_point began, std::chrono::system_clock::time_point began_wall,
                   bool parsed, unsigned version) const;

  Worker& worker_;
  const ListenerContext& listener_;
  ClientStream client_;                          // plain: non-blocking mode (write_all)
  Deadline deadline_;                            // client_'s socket's (rebound after a TLS handshake)
  std::shared_ptr<const TlsServerContext> tls_;  // kept for the connection's life (SNI callback)
  RequestRecord record_;
  boost::beast::flat_buffer buffer_;
  std::string out_;  // response bytes being written, reused
  std::vector<char> body_buffer_;
  std::string ip_text_;
  std::string ip_bytes_;
  bool idle_ = false;
};

}  // namespace gslb::lb
