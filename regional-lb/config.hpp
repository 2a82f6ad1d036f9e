// region.yaml: the configuration of one `gslb lb` instance — listeners, proxy
// settings (timeouts, limits, Server header), backend pools with their
// balancer and health check, and routing rules. Plain immutable values; the
// loader validates everything (schema tables in config.cpp, cross-references
// such as route → pool) and reports every problem as "file:line:col: error:".
//
// Example:
//   server:
//     workers: 2
//     timeouts: { client_header: 10s, backend_connect: 3s, backend_response: 30s }
//   listeners:
//     - address: 127.0.0.1:8080
//     - address: 127.0.0.1:8443
//       tls: { certificates: [ { cert: site.pem, key: site.key } ], min_version: "1.2" }
//   access_log: { path: /var/log/gslb/access.log, format: json }
//   pools:
//     web:
//       balancer: weighted_round_robin
//       backends:
//         - { address: 127.0.0.1:9001, weight: 5 }
//         - { address: "[::1]:9002" }
//       check: { path: /health, expect: 200, interval: 10s }
//   routes:
//     - { host: www.example.com, path_prefix: /api, pool: web }
//     - { redirect: { location: "https://www.example.com/" } }
//     - { redirect: { scheme: https, status: 308 } }   # same host, path and query
#pragma once

#include <boost/asio/ip/address.hpp>
#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "base/diagnostic.hpp"
#include "base/duration.hpp"

namespace gslb::lb {

// An IP literal and port. Host names are refused on purpose: resolving them
// would block the loader and make the backend set change behind the operator's back.
struct Endpoint {
  boost::asio::ip::address ip;
  std::uint16_t port = 0;
  std::string text;  // as written, for logs and hash-ring positions
};

enum class TlsVersion { tls1_2, tls1_3 };

// One certificate chain and its private key, read when the config was loaded
// (so a reload re-reads them, and what was validated is what is served).
struct TlsCertificate {
  std::string cert_file;  // as resolved (relative to region.yaml's folder)
  std::string key_file;
  std::string cert_pem;  // file contents
  std::string key_pem;
  std::vector<std::string> names;  // lower-case DNS names it serves (SAN, else CN)
};

// TLS termination on a listener (tls.hpp). The first certificate is the default.
struct TlsConfig {
  std::vector<TlsCertificate> certificates;
  TlsVersion min_version = TlsVersion::tls1_2;  // TLS 1.3 is always allowed
  base::Duration handshake_timeout{10'000};
};

struct ListenerConfig {
  Endpoint address;
  std::optional<TlsConfig> tls;  // absent: plain HTTP
};

// One line per request (access_log.hpp). Absent in RegionConfig: no log.
struct AccessLogConfig {
  enum class Format { json, combined };
  std::string path;  // a file (appended to; reopened on SIGHUP) or "-" for stdout
  Format format = Format::json;
};

struct Timeouts {
  base::Duration client_header{10'000};     // first byte of a request → end of its header
  base::Duration client_idle{60'000};       // keep-alive wait for the next request; also each body read
  base::Duration backend_connect{3'000};    // TCP connect to a backend
  base::Duration backend_response{30'000};  // request sent → response header received
  base::Duration backend_idle{30'000};      // how long an idle pooled backend connection may be reused
  base::Duration shutdown_grace{10'000};    // SIGTERM: wait this long for in-flight requests
};

struct Limits {
  std::uint32_t request_line = 8192;      // bytes; longer → 414
  std::uint32_t header_bytes = 65536;     // all header fields; more → 431
  std::uint32_t header_count = 100;       // fields; more → 431
  std::uint64_t body_bytes = 1ULL << 30;  // request body; more → 413
};

struct ServerConfig {
  int workers = 2;
  std::string server_header = "gslb";  // empty: pass the backend's Server header through
  Timeouts timeouts;
  Limits limits;
};

struct CheckConfig {
  std::string path = "/health";
  int expect = 200;
  base::Duration interval{10'000};
  base::Duration timeout{5'000};
  int rise = 2;
  int fall = 3;
};

// Passive checks (outlier detection): `failures` consecutive connect errors,
// timeouts or 5xx responses eject a member for `eject`, doubling on each
// repeat ejection up to `max_eject`. The last available member is never ejected.
struct PassiveConfig {
  int failures = 5;  // 0 disables passive checks
  base::Duration eject{30'000};
  base::Duration max_eject{300'000};
};

// Where consistent_hash (and ip_hash) take their key from.
struct HashKey {
  enum class Source { client_ip, header, cookie };
  Source source = Source::client_ip;
  std::string name;  // header or cookie name
};

// Cookie affinity: the first response names its backend in a cookie; later
// requests carrying it go to that backend while it is available.
struct StickyConfig {
  std::string cookie;     // cookie name
  base::Duration ttl{0};  // Max-Age; 0 = a session cookie
};

struct BackendConfig {
  Endpoint address;
  int weight = 1;
};

struct PoolConfig {
  std::string name;
  std::string balancer = "round_robin";
  HashKey hash_key;
  int max_idle_per_backend = 32;
  std::vector<BackendConfig> backends;
  std::optional<CheckConfig> check;
  PassiveConfig passive;
  std::optional<StickyConfig> sticky;
  // After a member comes back (check up, end of ejection) its effective
  // weight ramps from 10 % to 100 % over this time; 0 = off. Hash-based
  // balancers use configured weights and ignore it (so keys do not move twice).
  base::Duration slow_start{0};
  // The admin /health (what `gslb serve` checks) is 200 only while every pool
  // has at least this many available backends.
  int min_healthy = 1;
};

struct RouteConfig {
  // Match: every condition given must hold; none given matches everything.
  std::string host;         // exact, case-insensitive, port ignored
  std::string path_prefix;  // segment-unaware prefix of the path (before '?')
  std::string path;         // exact path (before '?')
  std::string method;       // exact, case-sensitive (RFC 9110 §9.1)
  std::string scheme;       // "http" (plain listener) or "https" (TLS listener); empty: either
  std::string header_name;  // header present with exactly header_value (or any value when empty)
  std::string header_value;
  // Action: exactly one of forward / respond / redirect.
  enum class Action { forward, respond, redirect };
  Action action = Action::forward;
  std::string pool;             // forward
  int status = 0;               // respond, redirect
  std::string body;             // respond
  std::string location;         // redirect to this fixed URL, or else build it from the request:
  std::string redirect_scheme;  // "http"/"https"; empty: the request's
  std::string redirect_host;    // empty: the request's Host (without port)
  int redirect_port = 0;        // 0: the scheme's default port (none written)
};

// The admin listener: /health for the DNS side, /status, /metrics, drain.
struct AdminConfig {
  std::optional<Endpoint> address;  // absent: no admin listener
  std::string token;                // empty: loopback only, no authentication
};

struct RegionConfig {
  ServerConfig server;
  AdminConfig admin;
  std::vector<ListenerConfig> listeners;
  std::vector<PoolConfig> pools;
  std::vector<RouteConfig> routes;  // top to bottom; if empty and one pool exists, everything goes there
  std::optional<AccessLogConfig> access_log;
  std::string state_file;  // SQLite state (empty: none); a relative name is resolved against the file's directory

  const PoolConfig* find_pool(std::string_view name) const;
};

struct ConfigLoad {
  std::optional<RegionConfig> config;  // set only when there were no errors
  base::DiagnosticList diagnostics;
};

// Parses text as region.yaml; file names it in diagnostics. Never throws.
ConfigLoad parse_region_config(std::string_view text, const std::string& file);
// Reads and parses a file (an unreadable file is one diagnostic). Never throws.
ConfigLoad load_region_config(const std::string& path);

// Parses "IP:PORT" / "[IPv6]:PORT"; nullopt and *error set otherwise.
std::optional<Endpoint> parse_endpoint(std::string_view text, std::string* error);

// The reference documentation of every section, generated from the schema tables.
void write_config_reference(std::ostream& out);

}  // namespace gslb::lb
