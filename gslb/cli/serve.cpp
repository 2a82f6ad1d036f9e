// `gslb serve`: the authoritative DNS server. Reads gslb.yaml (-c) if given,
// then applies the command-line flags, which win over the file.
#include <charconv>
#include <iostream>
#include <optional>

#include "base/log.hpp"
#include "dns/server.hpp"
#include "gslb/admin_api.hpp"
#include "gslb/cli/command.hpp"
#include "gslb/config.hpp"
#include "gslb/gslb_service.hpp"

namespace gslb::cli {
namespace {

constexpr std::string_view usage_text =
    R"(usage: gslb serve [-c gslb.yaml] --zones DIR --listen IP:PORT [--listen ...]
                  [--workers N] [--edns-size N] [--query-log]
                  [--axfr-allow CIDR ...] [--notify IP:PORT ...]
                  [--tcp-idle-timeout DURATION] [--tcp-max-connections N]
                  [--rate-limit N] [--udp-coalesce-us N]
                  [--log-level debug|info|warning|error] [--geoip FILE]
                  [--state FILE] [--admin IP:PORT]
       gslb serve --help-config      the keys gslb.yaml accepts

Serves the zones of DIR (every *.zone file) over UDP and TCP on each listen
address ("127.0.0.1:53", "[::1]:53"), and answers the GSLB records of each
<zone>.gslb.yaml beside them. --geoip names a MaxMind DB (City or Country)
for geo steering; without one, geo steps rank without a client location.
Members of pools with a `check:` are probed; their health state, RTT and
operator overrides are kept in the SQLite file --state (without one, in
memory only) and restored at start. --admin serves the admin HTTP API
(GET /status, GET /metrics, POST /members/POOL/ADDRESS/up|down|drain|clear);
see `gslb status`. The state file's latency table (gslb latency import)
feeds the latency steering step, read at start and on SIGHUP.
--rate-limit N limits identical UDP answers to one client network (/24,
/56) to N a second (response rate limiting against reflection attacks):
over it, every second such answer goes out truncated (TC, so a real client
retries over TCP) and the others are dropped. Off by default; see
rate_limit: in --help-config for the slip and prefixes.
--udp-coalesce-us N (default 30): after a receive of 4 or more queries,
the worker waits N µs before the next, so that under load each wake-up
takes a larger batch; 0 answers every query at once.
Flags win over the config file. SIGHUP reloads zones and policies together
(all or nothing); SIGTERM or SIGINT drains and exits 0.
Exit codes: 0 ok, 1 invalid input (config, zone directory, address in use), 2 usage.
)";

// What the command line said; unset fields leave the config file's value.
struct Flags {
  std::optional<std::string> config;
  std::optional<std::string> zones;
  std::vector<base::SocketAddress> listen;
  std::optional<unsigned> workers;
  std::optional<std::uint16_t> edns_size;
  bool query_log = false;
  std::vector<base::AddressPrefix> axfr_allow;
  std::vector<base::SocketAddress> notify;
  std::optional<std::chrono::milliseconds> tcp_idle_timeout;
  std::optional<unsigned> tcp_max_connections;
  std::optional<unsigned> rate_limit;
  std::optional<unsigned> udp_coalesce_us;
  std::optional<base::LogLevel> log_level;
  std::optional<std::string> geoip;
  std::optional<std::string> state;
  std::optional<base::SocketAddress> admin;
  bool help_config = false;
};

std::optional<unsigned long> to_number(const std::string& text, unsigned long min, unsigned long max) {
  unsigned long value = 0;
  const auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc{} || p != text.data() + text.size() || value < min || value > max)
    return std::nullopt;
  return value;
}

// Returns an empty string on success, else the usage error.
std::string parse_flags(const Args& args, Flags& flags, bool& help) {
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& flag = args[i];
    if (flag == "-h" || flag == "--help") {
      help = true;
      return {};
    }
    if (flag == "--help-config") {
      flags.help_config = true;
      return {};
    }
    if (flag == "--query-log") {
      flags.query_log = true;
      continue;
    }
    if (i + 1 >= args.size())
      return flag.rfind('-', 0) == 0 ? flag + " needs a value" : "unexpected argument '" + flag + "'";
    const std::string& value = args[++i];
    if (flag == "-c" || flag == "--config") {
      flags.config = value;
    } else if (flag == "--zones") {
      flags.zones = value;
    } else if (flag == "--geoip") {
      flags.geoip = value;
    } else if (flag == "--state") {
      flags.state = value;
    } else if (flag == "--admin") {
      const auto address = base::SocketAddress::parse(value);
      if (!address) return flag + ": '" + value + "' is not IP:PORT (e.g. 127.0.0.1:8053)";
      flags.admin = *address;
    } else if (flag == "--listen" || flag == "--notify") {
      const auto address = base::SocketAddress::parse(value);
      if (!address) return flag + ": '" + value + "' is not IP:PORT (e.g. 127.0.0.1:53 or [::1]:53)";
      (flag == "--listen" ? flags.listen : flags.notify).push_back(*address);
    } else if (flag == "--axfr-allow") {
      const auto prefix = base::AddressPrefix::parse(value);
      if (!prefix) return flag + ": '" + value + "' is not an address or CIDR prefix";
      flags.axfr_allow.push_back(*prefix);
    } else if (flag == "--workers") {
      const auto n = to_number(value, 1, 256);
      if (!n) return "--workers: '" + value + "' is not a number from 1 to 256";
      flags.workers = static_cast<unsigned>(*n);
    } else if (flag == "--edns-size") {
      const auto n = to_number(value, 512, 65535);
      if (!n) return "--edns-size: '" + value + "' is not a number from 512 to 65535";
      flags.edns_size = static_cast<std::uint16_t>(*n);
    } else if (flag == "--tcp-idle-timeout") {
      const auto d = policy::parse_duration(value);
      if (!d || d->count() <= 0) return "--tcp-idle-timeout: '" + value + "' is not a duration (e.g. 10s, 500ms)";
      flags.tcp_idle_timeout = *d;
    } else if (flag == "--tcp-max-connections") {
      const auto n = to_number(value, 1, 1'000'000);
      if (!n) return "--tcp-max-connections: '" + value + "' is not a number from 1 to 1000000";
      flags.tcp_max_connections = static_cast<unsigned>(*n);
    } else if (flag == "--udp-coalesce-us") {
      const auto n = to_number(value, 0, 100'000);
      if (!n) return "--udp-coalesce-us: '" + value + "' is not a number from 0 to 100000";
      flags.udp_coalesce_us = static_cast<unsigned>(*n);
    } else if (flag == "--rate-limit") {
      const auto n = to_number(value, 0, 1'000'000);
      if (!n) return "--rate-limit: '" + value + "' is not a number of answers a second (0 = off)";
      flags.rate_limit = static_cast<unsigned>(*n);
    } else if (flag == "--log-level") {
      if (value == "debug")
        flags.log_level = base::LogLevel::debug;
      else if (value == "info")
        flags.log_level = base::LogLevel::info;
      else if (value == "warning")
        flags.log_level = base::LogLevel::warning;
      else if (value == "error")
        flags.log_level = base::LogLevel::error;
      else
        return "--log-level: '" + value + "' is not debug, info, warning or error";
    } else {
      return "unknown option '" + flag + "'";
    }
  }
  return {};
}

dns::ServerOptions server_options(const policy::ServeConfig& config) {
  dns::ServerOptions o;
  o.zones_dir = config.zones_dir;
  o.listen = config.listen;
  o.workers = config.workers;
  o.notify = config.notify;
  o.worker.processor.edns_udp_size = config.edns_udp_size;
  o.worker.processor.answer_chaos = config.chaos_answer;
  o.worker.processor.chaos_version = config.chaos_version;
  o.worker.processor.chaos_identity = config.chaos_identity;
  o.worker.tcp_idle_timeout = config.tcp_idle_timeout;
  o.worker.tcp_max_connections = config.tcp_max_connections;
  o.worker.udp_coalesce = config.udp_coalesce;
  o.worker.processor.transfer_allow = config.axfr_allow;
  o.worker.query_log = config.query_log;
  o.worker.rate_limit = config.rate_limit;
  return o;
}

int run_serve(const Args& args) {
  Flags flags;
  bool help = false;
  if (auto error = parse_flags(args, flags, help); !error.empty()) return usage_error("serve", error);
  if (help) {
    std::cout << usage_text;
    return exit_ok;
  }
  if (flags.help_config) {
    // The loader's own schema table, so this list cannot drift from what it accepts.
    std::cout << "gslb.yaml keys (gslb serve -c FILE):\n\n";
    for (const auto& key : policy::serve_config_schema()) {
      std::cout << "  " << key.key << " (" << key.type << ", default " << key.default_value << ")\n      " << key.doc
                << "\n";
    }
    return exit_ok;
  }
  if (flags.log_level) base::Log::set_level(*flags.log_level);

  policy::ServeConfig config;
  if (flags.config) {
    base::DiagnosticList diags;
    auto loaded = policy::load_serve_config(*flags.config, diags);
    diags.print(std::cerr);
    if (!loaded) return exit_invalid;
    config = std::move(*loaded);
  }
  // Flags win over the file; a repeated flag replaces the file's whole list.
  if (flags.zones) config.zones_dir = *flags.zones;
  if (!flags.listen.empty()) config.listen = flags.listen;
  if (!flags.notify.empty()) config.notify = flags.notify;
  if (!flags.axfr_allow.empty()) config.axfr_allow = flags.axfr_allow;
  if (flags.workers) config.workers = *flags.workers;
  if (flags.edns_size) config.edns_udp_size = *flags.edns_size;
  if (flags.query_log) config.query_log = true;
  if (flags.tcp_idle_timeout) config.tcp_idle_timeout = *flags.tcp_idle_timeout;
  if (flags.tcp_max_connections) config.tcp_max_connections = *flags.tcp_max_connections;
  if (flags.rate_limit) config.rate_limit.responses_per_second = *flags.rate_limit;
  if (flags.udp_coalesce_us) config.udp_coalesce = std::chrono::microseconds(*flags.udp_coalesce_us);
  if (flags.geoip) config.geoip = *flags.geoip;
  if (flags.state) config.state = *flags.state;
  if (flags.admin) config.admin = *flags.admin;

  if (config.zones_dir.empty()) return usage_error("serve", "no zone directory: give --zones DIR or zones: in -c FILE");
  if (config.listen.empty()) return usage_error("serve", "no address: give --listen IP:PORT or listen: in -c FILE");

  policy::GslbService gslb(config.zones_dir);
  gslb.set_state_file(config.state);
  if (!config.geoip.empty()) {
    if (auto error = gslb.open_geo(config.geoip); !error.empty()) {
      base::log_error("geo", "cannot use --geoip ", config.geoip.string(), ": ", error);
      return exit_invalid;
    }
  } else {
    base::log_info("geo", "no GeoIP database (--geoip): geo steps rank without a client location");
  }

  health::Scheduler::Options health_options;
  // Health changes reach answers within this; a publication only rebuilds
  // the engine's per-member health array.
  health_options.publish_interval = std::chrono::milliseconds(250);
  if (auto error = gslb.enable_health(config.state, health_options); !error.empty()) {
    base::log_error("health", "cannot use the state file: ", error);
    return exit_invalid;
  }
  if (config.state.empty()) base::log_info("health", "no --state file: health state and overrides are kept in memory");

  std::optional<policy::AdminServer> admin;
  if (config.admin) {
    admin.emplace(gslb, config.admin_token);
    if (auto error = admin->start(*config.admin); !error.empty()) {
      base::log_error("admin", error);
      return exit_invalid;
    }
  }

  dns::ServerOptions options = server_options(config);
  options.worker.dynamic = &gslb.engine();
  // Runs on the server's control thread, before the zone set is published,
  // so a broken policy keeps both the old zones and the old policies.
  options.on_zones_loaded = [&gslb](const dns::ZoneSet& zones, base::DiagnosticList& diags) {
    if (!gslb.load_policies(zones, diags)) return false;
    base::log_info("gslb", gslb.policy_count(), " policies loaded");
    if (const auto& table = gslb.latency_table())
      base::log_info("gslb", "latency table: ", table->row_count(), " prefixes, ", table->entry_count(), " RTTs, ",
                     table->region_names().size(), " regions");
    return true;
  };
  dns::Server server(std::move(options));
  if (!server.start()) return exit_invalid;
  gslb.watch_geo();
  gslb.start_health();
  server.run();
  if (admin) admin->stop();
  gslb.stop_health();
  return exit_ok;
}

const Registration registration{
    {"serve", "serve --zones DIR --listen IP:PORT [-c gslb.yaml] ...  authoritative DNS (SIGHUP reloads)", run_serve}};

}  // namespace
}  // namespace gslb::cli
