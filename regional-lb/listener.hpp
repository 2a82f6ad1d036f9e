// The running proxy: N workers plus one acceptor per configured listener.
// Acceptors run on worker 0 and hand each new connection to the next worker
// in turn (the socket is created on that worker's io_context), so connections
// spread evenly and a session lives on one thread for its whole life.
//
// Lifecycle, from one control thread: bind() → start() → shutdown().
// shutdown is two-phase (STYLE.md pitfall 21): stop accepting and close idle
// keep-alive connections, let in-flight requests finish within the grace
// period, then stop every loop hard.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "regional-lb/admin_api.hpp"
#include "regional-lb/health_monitor.hpp"
#include "regional-lb/region.hpp"
#include "regional-lb/worker.hpp"

namespace gslb::lb {

class Server {
 public:
  explicit Server(std::shared_ptr<const Region> region);
  ~Server();

  // Opens every listener. On failure returns false with a message naming the address.
  bool bind(std::string& error);
  // The bound addresses (useful when a config asked for port 0).
  std::vector<boost::asio::ip::tcp::endpoint> local_endpoints() const;
  // The admin listener's address, if one is configured.
  std::optional<boost::asio::ip::tcp::endpoint> admin_endpoint() const;
  void start();
  void shutdown(std::chrono::milliseconds grace);

 private:
  void accept_next(std::size_t listener);

  std::shared_ptr<const Region> region_;
  HealthMonitor health_;
  std::unique_ptr<AdminServer> admin_;
  std::vector<std::unique_ptr<Worker>> workers_;
  std::vector<std::unique_ptr<boost::asio::ip::tcp::acceptor>> acceptors_;  // on workers_[0]
  std::size_t next_worker_ = 0;                                             // workers_[0]'s thread only
  bool started_ = false;
};

}  // namespace gslb::lb
