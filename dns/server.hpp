// Server: the authoritative DNS service of `gslb serve`. Owns the published
// zone snapshot, the query workers (UDP + TCP per listen address each), and
// the control thread, which reloads zones on SIGHUP, sends NOTIFY when serials
// change, and drains and stops on SIGTERM/SIGINT.
#pragma once

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <vector>

#include "base/net_util.hpp"
#include "base/snapshot.hpp"
#include "dns/notify.hpp"
#include "dns/worker.hpp"
#include "dns/zone_set.hpp"

namespace gslb::dns {

struct ServerOptions {
  std::filesystem::path zones_dir;
  std::vector<base::SocketAddress> listen;  // port 0 = pick one (logged; the same for UDP and TCP)
  unsigned workers = 0;                     // 0 = one per core
  WorkerSettings worker;
  std::vector<base::SocketAddress> notify;
  std::chrono::milliseconds shutdown_grace{3000};  // for TCP exchanges under way at SIGTERM
  // Control thread, after a zone set loads (start-up and every reload) and
  // before it is published: whatever must be published together with the
  // zones (GSLB policies) is loaded here. Returning false (with the reasons in
  // the list) keeps the zones being served, or fails start(): zones and what
  // depends on them change together or not at all.
  std::function<bool(const ZoneSet&, base::DiagnosticList&)> on_zones_loaded;
};

class Server {
 public:
  explicit Server(ServerOptions options);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Loads the zones (serving those that load; diagnostics logged with
  // file:line) and binds every socket. Returns false, having logged why, if
  // the zone directory is missing or an address cannot be bound.
  bool start();

  // Runs the control loop on the calling thread until SIGTERM/SIGINT (or
  // stop()); reloads on SIGHUP. Returns once every worker has stopped.
  void run();

  // Any thread: reload zones / stop, as the signals do.
  void reload();
  void stop();

  // The listen addresses with their ports resolved; valid after start().
  const std::vector<base::SocketAddress>& addresses() const { return bound_; }

 private:
  bool bind_sockets(std::vector<std::vector<ListenSocket>>& udp, std::vector<std::vector<ListenSocket>>& tcp);
  void do_reload();
  void do_stop();
  void wait_for_signal();

  ServerOptions options_;
  base::Snapshot<ZoneSet> zones_;
  WorkerShared shared_;
  std::vector<base::SocketAddress> bound_;
  std::vector<std::unique_ptr<Worker>> workers_;
  boost::asio::io_context control_;
  std::unique_ptr<Notifier> notifier_;
  struct Signals;
  std::unique_ptr<Signals> signals_;
  bool stopped_ = false;
};

}  // namespace gslb::dns
