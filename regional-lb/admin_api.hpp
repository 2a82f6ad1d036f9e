// The admin API of `gslb lb`, on its own listener (region.yaml `admin`), run
// on the control thread beside the health checks:
//
//   GET  /health    for the DNS side's probes: 200 when every pool has an
//                   available member, else 503; the JSON body gives each
//                   pool's available/total members and in-flight requests.
//   GET  /status    every backend: state, weight, in-flight, latency EWMA, counters.
//   GET  /metrics   the same as Prometheus text (exposition format 0.0.4).
//   POST /pools/NAME/backends/IP:PORT/drain     stop sending it new requests
//   POST /pools/NAME/backends/IP:PORT/undrain   take it back
//
// handle() is a pure function of the Region (plus a connection count) so it
// is unit-tested without sockets; AdminServer only moves bytes.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <functional>
#include <memory>
#include <string>

#include "regional-lb/region.hpp"
#include "regional-lb/stats.hpp"

namespace gslb::lb {

namespace http = boost::beast::http;

// Any thread. Mutates pool drain flags for the drain endpoints.
http::response<http::string_body> handle_admin_request(const Region& region,
                                                       const http::request<http::string_body>& request,
                                                       const ProcessStats& stats);

class AdminServer {
 public:
  // region returns the Region in service now (it changes on reload); stats
  // sums the workers' counters for /metrics. Both are called on io's thread.
  AdminServer(std::function<std::shared_ptr<const Region>()> region, boost::asio::io_context& io,
              std::function<ProcessStats()> stats);

  bool bind(const Endpoint& address, std::string& error);
  boost::asio::ip::tcp::endpoint local_endpoint() const;
  void start();  // accept loop on io
  void stop();   // closes the acceptor (io's thread or before io runs)

 private:
  boost::asio::awaitable<void> accept_loop();
  boost::asio::awaitable<void> serve(boost::asio::ip::tcp::socket socket);

  std::function<std::shared_ptr<const Region>()> region_;
  boost::asio::io_context& io_;
  std::function<ProcessStats()> stats_;
  boost::asio::ip::tcp::acceptor acceptor_;
};

}  // namespace gslb::lb
