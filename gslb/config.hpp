// gslb.yaml: the configuration of `gslb serve`. Each key is described once in
// a schema table (key, type, default, doc) that the loader walks, so the
// loader, `gslb check` and the docs cannot drift apart (STYLE.md "config
// schema as data"). Unknown keys are errors; every error carries file:line:col.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/diagnostic.hpp"
#include "base/net_util.hpp"
#include "dns/rate_limiter.hpp"

namespace gslb::policy {

struct ServeConfig {
  std::filesystem::path zones_dir;          // relative paths resolved against the config file's directory
  std::vector<base::SocketAddress> listen;  // UDP and TCP on each
  unsigned workers = 0;                     // 0 = one per core
  std::uint16_t edns_udp_size = 1232;
  std::chrono::milliseconds tcp_idle_timeout{10'000};
  unsigned tcp_max_connections = 1000;
  std::chrono::microseconds udp_coalesce{30};  // 0 = off
  bool chaos_answer = true;
  std::string chaos_version = "gslb";
  std::string chaos_identity;                   // empty = host name
  std::vector<base::AddressPrefix> axfr_allow;  // empty = nobody may transfer
  std::vector<base::SocketAddress> notify;      // secondaries told about new serials
  bool query_log = false;
  dns::RateLimitOptions rate_limit;  // UDP response rate limiting; off by default
  std::filesystem::path geoip;       // MaxMind DB for geo steering; empty = none (geo steps rank without location)
  std::filesystem::path state;       // SQLite health/override state + latency table; empty = in memory only
  std::optional<base::SocketAddress> admin;  // admin HTTP API; none = off
  std::string admin_token;                   // bearer token the admin API requires; empty = loopback only
};

// One row of the schema: `key` is dotted for nested sections ("tcp.idle_timeout").
struct ConfigKeyDoc {
  std::string_view key;
  std::string_view type;
  std::string_view default_value;
  std::string_view doc;
};
// Every key gslb.yaml accepts, in file order, for docs and `gslb check`.
std::vector<ConfigKeyDoc> serve_config_schema();

// Reads and validates a gslb.yaml file. Collects every problem into `diags`
// (as "file:line:col: error: ..."); returns nullopt if any is an error.
std::optional<ServeConfig> load_serve_config(const std::filesystem::path& file, base::DiagnosticList& diags);

// The same from text: `file_name` is used in diagnostics and `base_dir` to
// resolve relative paths.
std::optional<ServeConfig> parse_serve_config(std::string_view text, const std::string& file_name,
                                              const std::filesystem::path& base_dir, base::DiagnosticList& diags);

// Parses a duration: "10s", "500ms", "2m", or a bare number of seconds.
std::optional<std::chrono::milliseconds> parse_duration(std::string_view text);

}  // namespace gslb::policy
