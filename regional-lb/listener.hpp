// The running proxy: N workers plus one acceptor per configured listener.
// Acceptors run on worker 0 and hand each new connection to the next worker
// in turn (the socket is created on that worker's io_context), so connections
// spread evenly and a session lives on one thread for its whole life.
//
// Lifecycle, from one control thread: bind() → start() → [reload()...] →
// shutdown(). shutdown is two-phase (STYLE.md pitfall 21): stop accepting and
// close idle keep-alive connections, let in-flight requests finish within the
// grace period, then stop every loop hard.
#pragma once

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "base/snapshot.hpp"
#include "regional-lb/access_log.hpp"
#include "regional-lb/admin_api.hpp"
#include "regional-lb/health_monitor.hpp"
#include "regional-lb/http_session.hpp"
#include "regional-lb/operator_state.hpp"
#include "regional-lb/region.hpp"
#include "regional-lb/worker.hpp"

namespace gslb::lb {

class Server {
 public:
  // store (may be null) keeps operator settings and check states across
  // restarts; not owned, it must outlive the Server. Stored settings are
  // applied to region here, before anything listens.
  explicit Server(std::shared_ptr<const Region> region, health::StateStore* store = nullptr);
  ~Server();

  // Opens every listener (and the admin listener) and the access log. On
  // failure returns false with a message naming the address or file.
  bool bind(std::string& error);
  // The bound addresses (useful when a config asked for port 0).
  std::vector<boost::asio::ip::tcp::endpoint> local_endpoints() const;
  std::optional<boost::asio::ip::tcp::endpoint> admin_endpoint() const;
  void start();

  // SIGHUP: put a new, validated configuration in service. Listener
  // addresses, the admin address and the worker count are fixed at start; a
  // config changing them is refused (false, error set) and the old one keeps
  // serving. TLS settings and certificates (re-read by the loader) apply to
  // new connections; the access log is reopened (logrotate). Pools
  // start afresh (health re-checked; the first probe result decides);
  // requests in progress finish under the old configuration.
  bool reload(RegionConfig config, std::string& error);

  void shutdown(std::chrono::milliseconds grace);

 private:
  void accept_next(std::size_t listener);

  health::StateStore* const store_;
  OperatorState operators_;  // drains and weights set through the admin API
  base::Snapshot<Region> regions_;
  std::shared_ptr<HealthMonitor> health_;  // of the region in service
  std::vector<std::unique_ptr<Worker>> workers_;
  std::vector<std::unique_ptr<boost::asio::ip::tcp::acceptor>> acceptors_;  // on workers_[0]
  std::vector<std::unique_ptr<ListenerContext>> listener_contexts_;         // same order; read by sessions
  AccessLog access_log_;
  std::size_t next_worker_ = 0;  // workers_[0]'s thread only
  // The admin API's own loop, independent of reloads.
  boost::asio::io_context control_io_{1};
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> control_work_;
  std::thread control_thread_;
  std::unique_ptr<AdminServer> admin_;
  bool started_ = false;
};

}  // namespace gslb::lb
