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
#include <memory>
#include <string>
#include <vector>

#include "regional-lb/stream_io.hpp"

namespace gslb::lb {

class Worker;

class HttpSession : public std::enable_shared_from_this<HttpSession> {
 public:
  // Worker thread only. Takes ownership of the accepted socket.
  static void start(Worker& worker, boost::asio::ip::tcp::socket socket);
  ~HttpSession();

  // Worker thread only: close the connection if it is between requests (drain).
  void close_if_idle();

  HttpSession(Worker& worker, boost::asio::ip::tcp::socket socket);  // use start()

 private:
  boost::asio::awaitable<void> run();
  boost::asio::awaitable<void> close_gracefully();

  Worker& worker_;
  boost::asio::ip::tcp::socket client_;  // non-blocking mode (write_all)
  Deadline deadline_;                    // client_'s
  boost::beast::flat_buffer buffer_;
  std::string out_;  // response bytes being written, reused
  std::vector<char> body_buffer_;
  std::string ip_text_;
  std::string ip_bytes_;
  bool idle_ = false;
};

}  // namespace gslb::lb
