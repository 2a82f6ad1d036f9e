// The admin HTTP API of `gslb serve` (`--admin IP:PORT`, config `admin:`),
// on its own io_context thread, off the query path:
//
//   GET  /status                 every member: state, since, rtt, forced (JSON)
//   GET  /status?format=text     the same as the table `gslb status` prints
//   GET  /metrics                Prometheus text (exposition format 0.0.4):
//                                answers per GSLB record, fail-open answers,
//                                members up/down
//   POST /members/POOL/ADDRESS/up|down|drain   force a member; the request
//                                body, if any, is the reason shown in status
//   POST /members/POOL/ADDRESS/clear           lift the override
//
// Access: without a token the API must listen on a loopback address and
// serves loopback peers only; with a token (config `admin_token:`) every
// request must carry "Authorization: Bearer TOKEN".
//
// handle_admin_request() is a function of the service and the request, so
// it is unit-tested without sockets; AdminServer only moves bytes, each
// exchange bounded in size, time and count (STYLE habit 16).
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "base/net_util.hpp"
#include "gslb/gslb_service.hpp"

namespace gslb::policy {

namespace http = boost::beast::http;

// Any thread. `token` empty: no Authorization required.
http::response<http::string_body> handle_admin_request(GslbService& service,
                                                       const http::request<http::string_body>& request,
                                                       const std::string& token);

// The `gslb status` table (also GET /status?format=text).
std::string status_table(const std::vector<GslbService::MemberStatus>& members);

class AdminServer {
 public:
  // `service` must outlive the server.
  AdminServer(GslbService& service, std::string token);
  ~AdminServer();  // stop()
  AdminServer(const AdminServer&) = delete;
  AdminServer& operator=(const AdminServer&) = delete;

  // Binds `address` and starts serving on a thread of its own. Returns "" or
  // the error (address in use, non-loopback address without a token).
  std::string start(const base::SocketAddress& address);
  // Closes the listener, ends the sessions and joins the thread. Idempotent.
  void stop();
  // The bound address (port resolved when 0 was asked for); valid after start().
  std::string local_address() const;

 private:
  boost::asio::awaitable<void> accept_loop();
  boost::asio::awaitable<void> serve(boost::asio::ip::tcp::socket socket);

  GslbService& service_;
  std::string token_;
  boost::asio::io_context io_;
  boost::asio::ip::tcp::acceptor acceptor_;
  std::thread thread_;
};

}  // namespace gslb::policy
