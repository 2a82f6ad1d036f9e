#include "dns/server.hpp"

#include <unistd.h>

#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <csignal>
#include <map>
#include <string>
#include <thread>

#include "base/log.hpp"

namespace gslb::dns {

namespace {

void log_diagnostics(const base::DiagnosticList& diags) {
  for (const auto& d : diags.items()) {
    if (d.severity == base::Severity::error) {
      base::log_error("zones", d.format());
    } else {
      base::log_warning("zones", d.format());
    }
  }
}

void close_all(std::vector<std::vector<ListenSocket>>& sockets) {
  for (auto& per_worker : sockets)
    for (auto& s : per_worker)
      if (s.fd >= 0) ::close(s.fd);
  sockets.clear();
}

}  // namespace

struct Server::Signals {
  explicit Signals(boost::asio::io_context& io) : set(io, SIGHUP, SIGTERM, SIGINT) {}
  boost::asio::signal_set set;
};

Server::Server(ServerOptions options)
    : options_(std::move(options)),
      zones_(std::make_shared<const ZoneSet>(std::vector<Zone::ConstPtr>{})),
      shared_{options_.worker, zones_} {
  if (options_.workers == 0) options_.workers = std::max(1u, std::thread::hardware_concurrency());
  // Each worker has its own UDP socket per address: the rate is shared out.
  options_.worker.rate_limit_share = options_.workers;
}

Server::~Server() {
  do_stop();
  if (signals_) {
    // We are on the way out: a repeated SIGTERM/SIGINT (a supervisor's second
    // request, say) must not turn a clean exit into death by signal. Destroying
    // the signal_set makes Asio restore SIG_DFL, so ignore them after that.
    signals_.reset();
    std::signal(SIGTERM, SIG_IGN);
    std::signal(SIGINT, SIG_IGN);
  }
}

bool Server::bind_sockets(std::vector<std::vector<ListenSocket>>& udp, std::vector<std::vector<ListenSocket>>& tcp) {
  udp.assign(options_.workers, {});
  tcp.assign(options_.workers, {});
  for (auto address : options_.listen) {
    // Refuse an address another socket holds (SO_REUSEPORT would share it
    // silently with, say, a second gslb), and settle port 0 once so that UDP,
    // TCP and every worker use the same port.
    std::error_code error;
    const bool any_port = address.port() == 0;
    // With port 0 the kernel's UDP pick may be taken for TCP: pick again.
    for (int attempt = 0;; ++attempt) {
      if (any_port) address.set_port(0);
      const auto udp_port = base::probe_exclusive_bind(address, SOCK_DGRAM, error);
      if (udp_port != 0) {
        address.set_port(udp_port);
        if (base::probe_exclusive_bind(address, SOCK_STREAM, error) != 0) break;
        if (any_port && attempt < 20) continue;
        base::log_error("server", "cannot listen on tcp ", address.to_string(), ": ", error.message());
        return false;
      }
      base::log_error("server", "cannot listen on udp ", address.to_string(), ": ", error.message());
      return false;
    }
    for (unsigned w = 0; w < options_.workers; ++w) {
      const int u = base::open_udp_socket(address, error);
      if (u < 0) {
        base::log_error("server", "cannot listen on udp ", address.to_string(), ": ", error.message());
        return false;
      }
      udp[w].push_back({u, address});
      const int t = base::open_tcp_listener(address, 1024, error);
      if (t < 0) {
        base::log_error("server", "cannot listen on tcp ", address.to_string(), ": ", error.message());
        return false;
      }
      tcp[w].push_back({t, address});
    }
    bound_.push_back(address);
  }
  return true;
}

bool Server::start() {
  if (!std::filesystem::is_directory(options_.zones_dir)) {
    base::log_error("server", "zone directory ", options_.zones_dir.string(), " does not exist");
    return false;
  }
  if (options_.listen.empty()) {
    base::log_error("server", "nothing to listen on (give --listen IP:PORT or listen: in the config)");
    return false;
  }
  base::DiagnosticList diags;
  const ZoneLoadOptions load{options_.zones_dir, false};
  auto set = load_zone_directory(load, diags, nullptr);
  log_diagnostics(diags);
  for (const auto& zone : set->zones()) {
    base::log_info("zones", "zone ", zone->origin().to_string(), ": ", zone->record_count(), " records, serial ",
                   zone->serial());
  }
  if (set->zones().empty()) base::log_warning("zones", "no zone loaded from ", options_.zones_dir.string());
  if (options_.on_zones_loaded) {
    base::DiagnosticList hook_diags;
    const bool ok = options_.on_zones_loaded(*set, hook_diags);
    log_diagnostics(hook_diags);
    if (!ok) {
      base::log_error("server", "start-up aborted: what the zones depend on did not load");
      return false;
    }
  }
  zones_.publish(std::move(set));

  std::vector<std::vector<ListenSocket>> udp, tcp;
  if (!bind_sockets(udp, tcp)) {
    close_all(udp);
    close_all(tcp);
    return false;
  }
  for (unsigned w = 0; w < options_.workers; ++w) {
    workers_.push_back(std::make_unique<Worker>(w, shared_, std::move(udp[w]), std::move(tcp[w])));
  }
  notifier_ = std::make_unique<Notifier>(control_, NotifyOptions{options_.notify});
  signals_ = std::make_unique<Signals>(control_);
  for (auto& w : workers_) w->start();
  for (const auto& a : bound_) base::log_info("server", "listening on ", a.to_string(), " (udp, tcp)");
  base::log_info("server", "ready: ", zones_.load()->zones().size(), " zones, ", options_.workers, " workers",
                 options_.worker.query_log ? ", query log on" : "",
                 options_.worker.processor.transfer_allow.empty() ? "" : ", axfr allowed to some clients",
                 options_.notify.empty() ? "" : ", notify on",
                 options_.worker.rate_limit.enabled()
                     ? ", udp rate limit " + std::to_string(options_.worker.rate_limit.responses_per_second) + "/s"
                     : std::string());
  return true;
}

void Server::wait_for_signal() {
  signals_->set.async_wait([this](const boost::system::error_code& error, int signal) {
    if (error) return;
    if (signal == SIGHUP) {
      do_reload();
      wait_for_signal();
      return;
    }
    base::log_info("server", signal == SIGINT ? "SIGINT" : "SIGTERM", ": stopping");
    do_stop();
  });
}

void Server::run() {
  if (signals_) wait_for_signal();
  control_.run();
  do_stop();
}

void Server::reload() {
  boost::asio::post(control_, [this] { do_reload(); });
}

void Server::stop() {
  boost::asio::post(control_, [this] { do_stop(); });
}

void Server::do_reload() {
  if (stopped_) return;
  const auto started = std::chrono::steady_clock::now();
  if (!std::filesystem::is_directory(options_.zones_dir)) {
    base::log_error("reload", "zone directory ", options_.zones_dir.string(),
                    " does not exist; keeping the zones being served");
    return;
  }
  const auto previous = zones_.load();
  base::DiagnosticList diags;
  const ZoneLoadOptions load{options_.zones_dir, false};
  auto next = load_zone_directory(load, diags, previous.get());
  log_diagnostics(diags);

  std::map<std::string, const Zone*> before;
  for (const auto& z : previous->zones()) before.emplace(z->origin().canonical_key(), z.get());
  std::vector<Zone::ConstPtr> changed;
  for (const auto& z : next->zones()) {
    const auto it = before.find(z->origin().canonical_key());
    if (it == before.end()) {
      base::log_info("reload", "zone ", z->origin().to_string(), " added: ", z->record_count(), " records, serial ",
                     z->serial());
      changed.push_back(z);
    } else {
      if (it->second->serial() != z->serial()) {
        base::log_info("reload", "zone ", z->origin().to_string(), " serial ", it->second->serial(), " -> ",
                       z->serial(), " (", z->record_count(), " records)");
        changed.push_back(z);
      } else if (it->second != z.get()) {
        base::log_warning("reload", "zone ", z->origin().to_string(), " content reloaded with unchanged serial ",
                          z->serial(), "; secondaries will not transfer it");
      }
      before.erase(it);
    }
  }
  for (const auto& [key, z] : before) base::log_info("reload", "zone ", z->origin().to_string(), " removed");
  if (options_.on_zones_loaded) {
    base::DiagnosticList hook_diags;
    const bool ok = options_.on_zones_loaded(*next, hook_diags);
    log_diagnostics(hook_diags);
    if (!ok) {
      base::log_error("reload", "failed: keeping the zones and policies being served");
      return;
    }
  }
  zones_.publish(std::move(next));
  const auto elapsed =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started).count();
  base::log_info("reload", "done in ", elapsed, " ms: ", zones_.load()->zones().size(), " zones, ", diags.error_count(),
                 " errors, ", diags.warning_count(), " warnings");
  if (notifier_) {
    for (const auto& z : changed) notifier_->notify(z);
  }
}

void Server::do_stop() {
  if (stopped_) return;
  stopped_ = true;
  if (signals_) {
    boost::system::error_code ignored;
    signals_->set.cancel(ignored);
  }
  // Two phases: workers stop accepting and drain at once; exchanges under way
  // get the grace period; then every worker is joined.
  const bool was_running = !workers_.empty();
  for (auto& w : workers_) w->request_stop(options_.shutdown_grace);
  for (auto& w : workers_) w->join();
  workers_.clear();
  control_.stop();
  if (was_running) base::log_info("server", "stopped");
}

}  // namespace gslb::dns
