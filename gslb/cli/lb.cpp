// `gslb lb -c region.yaml`: run the regional HTTP load balancer until SIGTERM
// or SIGINT, then drain (stop accepting, finish in-flight requests within
// server.timeouts.shutdown_grace) and exit 0. SIGHUP reloads region.yaml
// (a bad file is reported and the old configuration keeps serving).
// `--check` only validates; `--reference` prints the region.yaml reference.
// `--state FILE` (or `state:` in region.yaml) keeps admin drains/weights and
// health-check states in SQLite across restarts; a file that cannot be opened
// or is not a gslb state database stops the start with a message naming it.
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <csignal>
#include <iostream>

#include "base/log.hpp"
#include "base/siphash.hpp"
#include "gslb/cli/command.hpp"
#include "health/state_store.hpp"
#include "regional-lb/config.hpp"
#include "regional-lb/listener.hpp"

namespace gslb::cli {
namespace {

int run_lb(const Args& args) {
  std::string config_path;
  std::string state_path;  // --state: overrides region.yaml's state
  bool check_only = false;
  for (std::size_t i = 0; i < args.size(); ++i) {
    if ((args[i] == "-c" || args[i] == "--config") && i + 1 < args.size()) {
      config_path = args[++i];
    } else if (args[i] == "--state" && i + 1 < args.size()) {
      state_path = args[++i];
    } else if (args[i] == "--check") {
      check_only = true;
    } else if (args[i] == "--reference") {
      lb::write_config_reference(std::cout);
      return exit_ok;
    } else if (args[i] == "--debug") {
      base::Log::set_level(base::LogLevel::debug);
    } else {
      return usage_error("lb", "unexpected argument '" + args[i] + "'");
    }
  }
  if (config_path.empty()) return usage_error("lb", "missing -c region.yaml");

  auto load = lb::load_region_config(config_path);
  load.diagnostics.print(std::cerr);
  if (!load.config) return exit_invalid;
  if (check_only) return exit_ok;

  const auto grace = load.config->server.timeouts.shutdown_grace;
  if (state_path.empty()) state_path = load.config->state_file;
  // Opened before anything listens: settings and check states are restored
  // into the pools first, so no request sees the configured defaults.
  std::unique_ptr<health::StateStore> store;
  if (!state_path.empty()) {
    std::string error;
    store = health::StateStore::open(state_path, error);
    if (!store) {
      std::cerr << "gslb lb: state file " << error << "\n";
      return exit_invalid;
    }
    base::log_info("lb", "state file ", state_path);
  }
  auto region = std::make_shared<const lb::Region>(std::move(*load.config), base::random_sip_key());
  lb::Server server(region, store.get());
  std::string error;
  if (!server.bind(error)) {
    std::cerr << "gslb lb: " << error << "\n";
    return exit_invalid;
  }
  boost::asio::io_context control;
  boost::asio::signal_set signals(control, SIGTERM, SIGINT, SIGHUP);
  bool stop = false;
  std::function<void(const boost::system::error_code&, int)> on_signal = [&](const boost::system::error_code& ec,
                                                                             int signal) {
    if (ec) return;
    if (signal == SIGHUP) {
      // Build and validate the whole new configuration; on any error keep
      // serving the old one (STYLE.md habit 1).
      auto next = lb::load_region_config(config_path);
      for (const auto& d : next.diagnostics.items()) base::log_error("lb", d.format());
      std::string reload_error;
      if (!next.config) {
        base::log_error("lb", "reload failed: ", config_path, " has errors; still serving the old configuration");
      } else if (next.config->state_file != region->config.state_file) {
        base::log_error("lb",
                        "reload refused: state file changed; restart to apply; still serving the old configuration");
      } else if (!server.reload(std::move(*next.config), reload_error)) {
        base::log_error("lb", "reload refused: ", reload_error, "; still serving the old configuration");
      } else {
        base::log_info("lb", "reloaded ", config_path);
      }
      signals.async_wait(on_signal);
      return;
    }
    stop = true;
  };
  signals.async_wait(on_signal);
  server.start();
  for (const auto& e : server.local_endpoints()) base::log_info("lb", "listening on ", e);
  if (const auto admin = server.admin_endpoint()) base::log_info("lb", "admin API on ", *admin);
  while (!stop) control.run_one();
  base::log_info("lb", "shutting down (grace ", base::format_duration(grace), ")");
  server.shutdown(grace);
  base::log_info("lb", "stopped");
  return exit_ok;
}

const Registration registration{
    {"lb", "lb -c region.yaml [--state FILE] [--check]  run the regional HTTP load balancer", run_lb}};

}  // namespace
}  // namespace gslb::cli
