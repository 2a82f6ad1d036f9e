// The admin API of `gslb lb`, on its own listener (region.yaml `admin`), run
// on the control thread beside the health checks:
//
//   GET  /health    for the DNS side's probes: 200 when every pool has an
//                   available member, else 503; the JSON body gives each
//                   pool's available/total members and in-flight requests.
//   GET  /status    every backend: state, weight, in-flight, latency EWMA, counters.
//   GET  /metrics   the same as Prometheus text (exposition format 0.0.4).
//   POST /pools/NAME/backends/IP:PORT/drain     stop sending it new requests
//                                               (in-flight ones finish; idle
//                                               upstream connections close)
//   POST /pools/NAME/backends/IP:PORT/enable    take it back (alias: undrain)
//   POST /pools/NAME/backends/IP:PORT/weight?value=N   set its weight (1..256);
//                                               value=config: back to region.yaml's
// Drains and weights are OperatorState's: they survive reloads and, with a
// state file, restarts (written before the 200 is sent).
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

#include "regional-lb/operator_state.hpp"
#include "regional-lb/region.hpp"
#include "regional-lb/stats.hpp"

namespace gslb::lb {

namespace http = boost::beast::http;

// What the operator endpoints act on.
struct AdminActions {
  OperatorState* operators = nullptr;  // null: drain and weight answer 503
  // Called after a member was drained (to close idle upstream connections); may be empty.
  std::function<void(const Region&, std::size_t pool, std::size_t member)> drained;
};

// Any thread. Mutates pool drain flags and weights through actions.operators.
http::response<http::string_body> handle_admin_request(const Region& region,
                                                       const http::request<http::string_body>& request,
                                                       const ProcessStats& stats, const AdminActions& actions);

class AdminServer {
 public:
  // region returns the Region in service now (it changes on reload); stats
  // sums the workers' counters for /metrics. Both are called on io's thread.
  AdminServer(std::function<std::shared_ptr<const Region>()> region, boost::asio::io_context& io,
              std::function<ProcessStats()> stats, AdminActions actions);

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
  AdminActions actions_;
  boost::asio::ip::tcp::acceptor acceptor_;
};

}  // namespace gslb::lb
