#include "regional-lb/config.hpp"

#include <array>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "regional-lb/balancer_factory.hpp"
#include "regional-lb/config_schema.hpp"
#include "regional-lb/tls.hpp"

namespace gslb::lb {
namespace {

using V = ValueType;
constexpr std::int64_t kDay = 86'400'000;

// The schema tables: the single source of keys, defaults, ranges and docs.
// Defaults must agree with the initialisers in config.hpp (checked by a unit test).
constexpr std::array<SchemaItem, 7> top_schema{{
    {"server", V::mapping, false, "", 0, 0, "process-wide proxy settings"},
    {"listeners", V::sequence, true, "", 0, 0, "addresses to accept HTTP on"},
    {"pools", V::mapping, true, "", 0, 0, "backend pools by name"},
    {"routes", V::sequence, false, "", 0, 0, "routing rules, first match wins"},
    {"admin", V::mapping, false, "", 0, 0, "admin listener: /health, /status, /metrics, drain"},
    {"access_log", V::mapping, false, "", 0, 0, "one line per request (absent: no access log)"},
    {"state", V::string, false, "", 0, 0,
     "SQLite file keeping drains, weights and check states across restarts (relative: to this file); "
     "`--state` overrides"},
}};

constexpr std::array<SchemaItem, 2> access_log_schema{{
    {"path", V::string, true, "", 0, 0, "file to append to (reopened on SIGHUP), or \"-\" for stdout"},
    {"format", V::string, false, "json", 0, 0, "json (one object per line) or combined (Apache/nginx)"},
}};

constexpr std::array<SchemaItem, 4> server_schema{{
    {"workers", V::integer, false, "2", 1, 256, "worker threads, each with its own event loop and balancers"},
    {"server_header", V::string, false, "gslb", 0, 0, "Server header on responses; empty keeps the backend's"},
    {"timeouts", V::mapping, false, "", 0, 0, "deadlines"},
    {"limits", V::mapping, false, "", 0, 0, "request size limits"},
}};

constexpr std::array<SchemaItem, 6> timeouts_schema{{
    {"client_header", V::duration, false, "10s", 1, kDay,
     "first byte of a request to the end of its header (slowloris)"},
    {"client_idle", V::duration, false, "1m", 1, kDay, "keep-alive wait for the next request, and each body read"},
    {"backend_connect", V::duration, false, "3s", 1, kDay, "TCP connect to a backend; then 502 or the next backend"},
    {"backend_response", V::duration, false, "30s", 1, kDay, "request sent to response header received; then 504"},
    {"backend_idle", V::duration, false, "30s", 1, kDay, "longest a pooled idle backend connection is reused after"},
    {"shutdown_grace", V::duration, false, "10s", 0, kDay, "SIGTERM: time allowed for in-flight requests"},
}};

constexpr std::array<SchemaItem, 4> limits_schema{{
    {"request_line", V::integer, false, "8192", 64, 1 << 20, "bytes in the request line; more is 414"},
    {"header_bytes", V::integer, false, "65536", 256, 16 << 20, "bytes in all header fields; more is 431"},
    {"header_count", V::integer, false, "100", 1, 10000, "header fields; more is 431"},
    {"body_bytes", V::integer, false, "1073741824", 0, INT64_MAX, "request body bytes; more is 413"},
}};

constexpr std::array<SchemaItem, 2> admin_schema{{
    {"address", V::string, true, "", 0, 0, "IP:PORT of the admin API (loopback unless a token is set)"},
    {"token", V::string, false, "", 0, 0,
     "bearer token (16+ characters) every request but GET /health must carry; required off loopback"},
}};

constexpr std::array<SchemaItem, 2> listener_schema{{
    {"address", V::string, true, "", 0, 0, "IP:PORT or [IPv6]:PORT to listen on"},
    {"tls", V::mapping, false, "", 0, 0, "terminate TLS here (absent: plain HTTP)"},
}};

constexpr std::array<SchemaItem, 3> tls_schema{{
    {"certificates", V::sequence, true, "", 0, 0, "certificate/key pairs; SNI picks one, the first is the default"},
    {"min_version", V::string, false, "1.2", 0, 0, "oldest TLS version accepted: \"1.2\" or \"1.3\""},
    {"handshake_timeout", V::duration, false, "10s", 1, kDay, "deadline for the TLS handshake"},
}};

constexpr std::array<SchemaItem, 2> certificate_schema{{
    {"cert", V::string, true, "", 0, 0, "PEM certificate chain file (relative: to region.yaml's folder)"},
    {"key", V::string, true, "", 0, 0, "PEM private key file of that certificate"},
}};

constexpr std::array<SchemaItem, 3> passive_schema{{
    {"failures", V::integer, false, "5", 0, 1000,
     "consecutive failures (connect error, timeout, 5xx) that eject; 0: off"},
    {"eject", V::duration, false, "30s", 1, kDay, "first ejection time; doubles on each repeat"},
    {"max_eject", V::duration, false, "5m", 1, kDay, "longest ejection"},
}};

constexpr std::array<SchemaItem, 2> sticky_schema{{
    {"cookie", V::string, false, "GSLB_STICKY", 0, 0, "cookie name"},
    {"ttl", V::duration, false, "0s", 0, 365 * kDay, "cookie Max-Age; 0s: a session cookie"},
}};

constexpr std::array<SchemaItem, 9> pool_schema{{
    {"balancer", V::string, false, "round_robin", 0, 0, "algorithm: see `balancers` in the reference"},
    {"hash_key", V::string, false, "client_ip", 0, 0,
     "key for ip_hash/consistent_hash: client_ip, header:NAME or cookie:NAME"},
    {"max_idle_per_backend", V::integer, false, "32", 0, 10000,
     "idle keep-alive connections kept per backend per worker"},
    {"backends", V::sequence, true, "", 0, 0, "the pool's members"},
    {"check", V::mapping, false, "", 0, 0, "active HTTP health check (absent: none)"},
    {"passive", V::mapping, false, "", 0, 0, "passive checks: eject members that keep failing"},
    {"sticky", V::mapping, false, "", 0, 0, "cookie session affinity (absent: off)"},
    {"slow_start", V::duration, false, "0s", 0, kDay, "weight ramp-up after a backend comes back; 0s: off"},
    {"min_healthy", V::integer, false, "1", 1, 10000,
     "admin /health answers 200 only while at least this many backends are available"},
}};

constexpr std::array<SchemaItem, 2> backend_schema{{
    {"address", V::string, true, "", 0, 0, "IP:PORT of the backend"},
    {"weight", V::integer, false, "1", 1, 256, "relative share of requests"},
}};

constexpr std::array<SchemaItem, 6> check_schema{{
    {"path", V::string, false, "/health", 0, 0, "request path of the probe"},
    {"expect", V::integer, false, "200", 100, 599, "status that means healthy"},
    {"interval", V::duration, false, "10s", 100, kDay, "time between probes"},
    {"timeout", V::duration, false, "5s", 1, kDay, "probe deadline"},
    {"rise", V::integer, false, "2", 1, 100, "consecutive successes to mark up"},
    {"fall", V::integer, false, "3", 1, 100, "consecutive failures to mark down"},
}};

constexpr std::array<SchemaItem, 10> route_schema{{
    {"host", V::string, false, "", 0, 0, "match: Host equals this (case-insensitive, port ignored)"},
    {"path_prefix", V::string, false, "", 0, 0, "match: path starts with this"},
    {"path", V::string, false, "", 0, 0, "match: path equals this"},
    {"method", V::string, false, "", 0, 0, "match: request method"},
    {"scheme", V::string, false, "", 0, 0, "match: http (plain listener) or https (TLS listener)"},
    {"header", V::mapping, false, "", 0, 0, "match: { name: N, value: V } (value optional)"},
    {"pool", V::string, false, "", 0, 0, "action: forward to this pool"},
    {"respond", V::mapping, false, "", 0, 0, "action: fixed response { status, body }"},
    {"redirect", V::mapping, false, "", 0, 0, "action: redirect { location, status }"},
    {"name", V::string, false, "", 0, 0, "label for logs"},
}};

constexpr std::array<SchemaItem, 2> header_match_schema{{
    {"name", V::string, true, "", 0, 0, "header field name"},
    {"value", V::string, false, "", 0, 0, "exact value; empty: any value"},
}};

constexpr std::array<SchemaItem, 2> respond_schema{{
    {"status", V::integer, false, "200", 200, 599, "response status"},
    {"body", V::string, false, "", 0, 0, "response body (text/plain)"},
}};

constexpr std::array<SchemaItem, 5> redirect_schema{{
    {"location", V::string, false, "", 0, 0, "fixed Location; or give scheme/host/port to keep path and query"},
    {"scheme", V::string, false, "", 0, 0, "http or https (absent: the request's)"},
    {"host", V::string, false, "", 0, 0, "host name (absent: the request's Host, port dropped)"},
    {"port", V::integer, false, "0", 1, 65535, "port (absent: the scheme's default)"},
    {"status", V::integer, false, "302", 300, 308, "redirect status"},
}};

std::optional<Endpoint> endpoint_at(LoadContext& ctx, const Section& s, std::string_view key) {
  if (!s.has(key)) return std::nullopt;
  std::string error;
  auto e = parse_endpoint(s.string(key), &error);
  if (!e) ctx.error(s.mark(key), s.path(key) + ": " + error);
  return e;
}

void load_server(LoadContext& ctx, const YAML::Node& node, ServerConfig& out) {
  Section s(ctx, node, server_schema, "server");
  out.workers = static_cast<int>(s.integer("workers"));
  out.server_header = s.string("server_header");
  Section t(ctx, s.node("timeouts"), timeouts_schema, "server.timeouts");
  out.timeouts.client_header = t.duration("client_header");
  out.timeouts.client_idle = t.duration("client_idle");
  out.timeouts.backend_connect = t.duration("backend_connect");
  out.timeouts.backend_response = t.duration("backend_response");
  out.timeouts.backend_idle = t.duration("backend_idle");
  out.timeouts.shutdown_grace = t.duration("shutdown_grace");
  Section l(ctx, s.node("limits"), limits_schema, "server.limits");
  out.limits.request_line = static_cast<std::uint32_t>(l.integer("request_line"));
  out.limits.header_bytes = static_cast<std::uint32_t>(l.integer("header_bytes"));
  out.limits.header_count = static_cast<std::uint32_t>(l.integer("header_count"));
  out.limits.body_bytes = static_cast<std::uint64_t>(l.integer("body_bytes"));
}

// Reads a whole file for a certificate or key; false and *error on failure.
bool read_file(const std::string& path, std::string& out, std::string* error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    *error = "cannot read " + path + ": " + std::strerror(errno);
    return false;
  }
  std::ostringstream text;
  text << in.rdbuf();
  out = text.str();
  return true;
}

std::optional<TlsConfig> load_tls(LoadContext& ctx, const YAML::Node& node, const std::string& path) {
  Section s(ctx, node, tls_schema, path);
  TlsConfig tls;
  const std::string version = s.string("min_version");
  if (version == "1.3") {
    tls.min_version = TlsVersion::tls1_3;
  } else if (version != "1.2") {
    ctx.error(s.mark("min_version"), s.path("min_version") + ": expected \"1.2\" or \"1.3\", got '" + version + "'");
  }
  tls.handshake_timeout = s.duration("handshake_timeout");
  const YAML::Node list = s.node("certificates");
  if (list.IsDefined() && list.size() == 0) ctx.error(list.Mark(), path + ".certificates: the list is empty");
  const std::filesystem::path base = std::filesystem::path(ctx.file).parent_path();
  bool ok = s.is_mapping() && list.IsDefined();
  for (std::size_t i = 0; list.IsDefined() && i < list.size(); ++i) {
    Section c(ctx, list[i], certificate_schema, path + ".certificates[" + std::to_string(i) + "]");
    if (!c.has("cert") || !c.has("key")) {
      ok = false;
      continue;
    }
    TlsCertificate cert;
    cert.cert_file = (base / c.string("cert")).string();
    cert.key_file = (base / c.string("key")).string();
    std::string error;
    if (!read_file(cert.cert_file, cert.cert_pem, &error)) {
      ctx.error(c.mark("cert"), c.path("cert") + ": " + error);
      ok = false;
      continue;
    }
    if (!read_file(cert.key_file, cert.key_pem, &error)) {
      ctx.error(c.mark("key"), c.path("key") + ": " + error);
      ok = false;
      continue;
    }
    auto names = check_certificate(cert.cert_pem, cert.key_pem, &error);
    if (!names) {
      // error starts with the half at fault: "cert: ..." or "key: ...".
      const bool key = error.rfind("key:", 0) == 0;
      const std::string file = key ? cert.key_file : cert.cert_file;
      const auto colon = error.find(": ");
      ctx.error(c.mark(key ? "key" : "cert"), c.path(key ? "key" : "cert") + ": " + file + ": " +
                                                  error.substr(colon == std::string::npos ? 0 : colon + 2));
      ok = false;
      continue;
    }
    cert.names = std::move(*names);
    tls.certificates.push_back(std::move(cert));
  }
  if (!ok) return std::nullopt;
  return tls;
}

void load_listeners(LoadContext& ctx, const YAML::Node& list, std::vector<ListenerConfig>& out) {
  if (!list.IsDefined()) return;
  if (list.size() == 0) ctx.error(list.Mark(), "listeners: at least one listener is needed");
  std::set<std::string> seen;
  for (std::size_t i = 0; i < list.size(); ++i) {
    Section s(ctx, list[i], listener_schema, "listeners[" + std::to_string(i) + "]");
    auto e = endpoint_at(ctx, s, "address");
    if (!e) continue;
    if (!seen.insert(e->text).second) {
      ctx.error(s.mark("address"), s.path("address") + ": " + e->text + " is listed twice");
      continue;
    }
    ListenerConfig listener{*e, std::nullopt};
    if (s.has("tls")) listener.tls = load_tls(ctx, s.node("tls"), s.path("tls"));
    out.push_back(std::move(listener));
  }
}

void load_hash_key(LoadContext& ctx, const Section& s, HashKey& out) {
  const std::string text = s.string("hash_key");
  if (text == "client_ip") {
    out.source = HashKey::Source::client_ip;
    return;
  }
  const auto colon = text.find(':');
  const std::string kind = text.substr(0, colon);
  const std::string name = colon == std::string::npos ? "" : text.substr(colon + 1);
  if ((kind == "header" || kind == "cookie") && !name.empty()) {
    out.source = kind == "header" ? HashKey::Source::header : HashKey::Source::cookie;
    out.name = name;
    return;
  }
  ctx.error(s.mark("hash_key"),
            s.path("hash_key") + ": expected client_ip, header:NAME or cookie:NAME, got '" + text + "'");
}

void load_pool(LoadContext& ctx, const std::string& name, const YAML::Node& node, PoolConfig& out) {
  const std::string path = "pools." + name;
  Section s(ctx, node, pool_schema, path);
  out.name = name;
  out.balancer = s.string("balancer");
  if (s.has("balancer") && !is_balancer_name(out.balancer)) {
    std::string known;
    for (auto n : balancer_names()) known += (known.empty() ? "" : ", ") + std::string(n);
    ctx.error(s.mark("balancer"),
              s.path("balancer") + ": unknown balancer '" + out.balancer + "' (known: " + known + ")");
  }
  load_hash_key(ctx, s, out.hash_key);
  out.max_idle_per_backend = static_cast<int>(s.integer("max_idle_per_backend"));
  out.slow_start = s.duration("slow_start");
  out.min_healthy = static_cast<int>(s.integer("min_healthy"));
  const YAML::Node backends = s.node("backends");
  if (backends.IsDefined() && backends.size() == 0) ctx.error(backends.Mark(), path + ".backends: the list is empty");
  std::set<std::string> seen;
  for (std::size_t i = 0; backends.IsDefined() && i < backends.size(); ++i) {
    Section b(ctx, backends[i], backend_schema, path + ".backends[" + std::to_string(i) + "]");
    auto e = endpoint_at(ctx, b, "address");
    if (!e) continue;
    if (!seen.insert(e->text).second) {
      ctx.error(b.mark("address"), b.path("address") + ": " + e->text + " is already a backend of this pool");
      continue;
    }
    out.backends.push_back({*e, static_cast<int>(b.integer("weight"))});
  }
  if (s.has("min_healthy") && !out.backends.empty() && out.min_healthy > static_cast<int>(out.backends.size())) {
    ctx.error(s.mark("min_healthy"), s.path("min_healthy") + ": " + std::to_string(out.min_healthy) +
                                         " is more than the pool's " + std::to_string(out.backends.size()) +
                                         " backends (the region could never be healthy)");
  }
  Section passive(ctx, s.node("passive"), passive_schema, path + ".passive");
  out.passive.failures = static_cast<int>(passive.integer("failures"));
  out.passive.eject = passive.duration("eject");
  out.passive.max_eject = passive.duration("max_eject");
  if (out.passive.max_eject < out.passive.eject) {
    ctx.error(passive.mark("max_eject"), passive.path("max_eject") + ": shorter than eject");
  }
  if (s.has("sticky")) {
    Section st(ctx, s.node("sticky"), sticky_schema, path + ".sticky");
    StickyConfig sticky{st.string("cookie"), st.duration("ttl")};
    // RFC 6265 §4.1.1: cookie-name is an RFC 2616 token.
    const bool token =
        !sticky.cookie.empty() && sticky.cookie.find_first_of(" \t\"(),/:;<=>?@[\\]{}") == std::string::npos;
    if (!token)
      ctx.error(st.mark("cookie"), st.path("cookie") + ": '" + sticky.cookie + "' is not a valid cookie name");
    out.sticky = sticky;
  }
  if (s.has("check")) {
    Section c(ctx, s.node("check"), check_schema, path + ".check");
    CheckConfig check;
    check.path = c.string("path");
    if (check.path.empty() || check.path[0] != '/') {
      ctx.error(c.mark("path"), c.path("path") + ": must start with '/'");
    }
    check.expect = static_cast<int>(c.integer("expect"));
    check.interval = c.duration("interval");
    check.timeout = c.duration("timeout");
    check.rise = static_cast<int>(c.integer("rise"));
    check.fall = static_cast<int>(c.integer("fall"));
    if (check.timeout > check.interval) {
      ctx.error(c.mark("timeout"), c.path("timeout") + ": " + base::format_duration(check.timeout) +
                                       " is longer than the interval " + base::format_duration(check.interval));
    }
    out.check = check;
  }
}

void load_route(LoadContext& ctx, std::size_t index, const YAML::Node& node, const RegionConfig& config,
                RouteConfig& out) {
  const std::string path = "routes[" + std::to_string(index) + "]";
  Section s(ctx, node, route_schema, path);
  out.host = s.string("host");
  out.path_prefix = s.string("path_prefix");
  out.path = s.string("path");
  out.method = s.string("method");
  out.scheme = s.string("scheme");
  if (s.has("scheme") && out.scheme != "http" && out.scheme != "https") {
    ctx.error(s.mark("scheme"), s.path("scheme") + ": expected http or https, got '" + out.scheme + "'");
  }
  for (const char* key : {"path_prefix", "path"}) {
    const std::string v = s.string(key);
    if (s.has(key) && (v.empty() || v[0] != '/')) ctx.error(s.mark(key), s.path(key) + ": must start with '/'");
  }
  if (s.has("path") && s.has("path_prefix")) {
    ctx.error(s.mark("path"), path + ": give path or path_prefix, not both");
  }
  if (s.has("header")) {
    Section h(ctx, s.node("header"), header_match_schema, path + ".header");
    out.header_name = h.string("name");
    out.header_value = h.string("value");
  }
  int actions = 0;
  if (s.has("pool")) {
    ++actions;
    out.action = RouteConfig::Action::forward;
    out.pool = s.string("pool");
    if (!config.find_pool(out.pool)) {
      ctx.error(s.mark("pool"), s.path("pool") + ": no pool named '" + out.pool + "'");
    }
  }
  if (s.has("respond")) {
    ++actions;
    out.action = RouteConfig::Action::respond;
    Section r(ctx, s.node("respond"), respond_schema, path + ".respond");
    out.status = static_cast<int>(r.integer("status"));
    out.body = r.string("body");
  }
  if (s.has("redirect")) {
    ++actions;
    out.action = RouteConfig::Action::redirect;
    Section r(ctx, s.node("redirect"), redirect_schema, path + ".redirect");
    out.location = r.string("location");
    out.redirect_scheme = r.string("scheme");
    out.redirect_host = r.string("host");
    out.redirect_port = static_cast<int>(r.integer("port"));
    out.status = static_cast<int>(r.integer("status"));
    const bool built = r.has("scheme") || r.has("host") || r.has("port");
    if (r.has("location") == built && r.is_mapping()) {
      ctx.error(r.section_mark(), r.path("location") + ": give either location or scheme/host/port" +
                                      (built ? ", not both" : " (nothing says where to redirect)"));
    }
    if (r.has("scheme") && out.redirect_scheme != "http" && out.redirect_scheme != "https") {
      ctx.error(r.mark("scheme"), r.path("scheme") + ": expected http or https, got '" + out.redirect_scheme + "'");
    }
    if (out.redirect_host.find_first_of("/?# :@") != std::string::npos) {
      ctx.error(r.mark("host"), r.path("host") + ": '" + out.redirect_host + "' is not a host name");
    }
    if (out.status != 301 && out.status != 302 && out.status != 303 && out.status != 307 && out.status != 308) {
      ctx.error(r.mark("status"), r.path("status") + ": " + std::to_string(out.status) +
                                      " is not a redirect status (301, 302, 303, 307, 308)");
    }
  }
  if (actions != 1 && s.is_mapping()) {
    ctx.error(s.section_mark(),
              path + ": needs exactly one action of pool, respond or redirect (has " + std::to_string(actions) + ")");
  }
}

}  // namespace

const PoolConfig* RegionConfig::find_pool(std::string_view name) const {
  for (const auto& p : pools) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

std::optional<Endpoint> parse_endpoint(std::string_view text, std::string* error) {
  auto fail = [&](std::string message) -> std::optional<Endpoint> {
    if (error) *error = std::move(message);
    return std::nullopt;
  };
  std::string_view host, port;
  if (!text.empty() && text[0] == '[') {
    const auto close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':') {
      return fail("expected [IPv6]:PORT, got '" + std::string(text) + "'");
    }
    host = text.substr(1, close - 1);
    port = text.substr(close + 2);
  } else {
    const auto colon = text.rfind(':');
    if (colon == std::string_view::npos) return fail("expected IP:PORT, got '" + std::string(text) + "'");
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
    if (host.find(':') != std::string_view::npos) {
      return fail("write IPv6 addresses in brackets, like [::1]:8080, got '" + std::string(text) + "'");
    }
  }
  boost::system::error_code ec;
  const auto ip = boost::asio::ip::make_address(std::string(host), ec);
  if (ec) return fail("'" + std::string(host) + "' is not an IP address (host names are not resolved)");
  unsigned long value = 0;
  if (port.empty() || port.size() > 5) return fail("bad port '" + std::string(port) + "'");
  for (char c : port) {
    if (c < '0' || c > '9') return fail("bad port '" + std::string(port) + "'");
    value = value * 10 + static_cast<unsigned long>(c - '0');
  }
  if (value > 65535) return fail("port " + std::string(port) + " is out of range 0..65535");
  Endpoint e;
  e.ip = ip;
  e.port = static_cast<std::uint16_t>(value);
  e.text =
      ip.is_v6() ? "[" + ip.to_string() + "]:" + std::to_string(value) : ip.to_string() + ":" + std::to_string(value);
  return e;
}

ConfigLoad parse_region_config(std::string_view text, const std::string& file) {
  ConfigLoad result;
  LoadContext ctx{file, result.diagnostics};
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    ctx.error(e.mark, e.msg);
    return result;
  }
  Section top(ctx, root, top_schema, "region.yaml");
  if (!top.is_mapping()) return result;
  RegionConfig config;
  if (top.has("access_log")) {
    Section log(ctx, top.node("access_log"), access_log_schema, "access_log");
    AccessLogConfig access;
    access.path = log.string("path");
    if (log.has("path") && access.path.empty()) ctx.error(log.mark("path"), "access_log.path: empty");
    const std::string format = log.string("format");
    if (format == "combined") {
      access.format = AccessLogConfig::Format::combined;
    } else if (format != "json") {
      ctx.error(log.mark("format"), "access_log.format: expected json or combined, got '" + format + "'");
    }
    if (access.path != "-" && !access.path.empty()) {
      access.path = (std::filesystem::path(file).parent_path() / access.path).string();
    }
    config.access_log = access;
  }
  if (top.has("admin")) {
    Section admin(ctx, top.node("admin"), admin_schema, "admin");
    config.admin.address = endpoint_at(ctx, admin, "address");
    config.admin.token = admin.string("token");
    if (admin.has("token") && config.admin.token.size() < 16) {
      ctx.error(admin.mark("token"), "admin.token: use at least 16 characters");
    } else if (config.admin.address && config.admin.token.empty() && !config.admin.address->ip.is_loopback()) {
      ctx.error(admin.mark("address"), "admin.address: " + config.admin.address->text +
                                           " is not a loopback address; set admin.token to expose the admin API");
    }
  }
  if (top.has("state")) {
    config.state_file = top.string("state");
    if (config.state_file.empty()) {
      ctx.error(top.mark("state"), "state: give a file name");
    } else if (std::filesystem::path(config.state_file).is_relative()) {
      config.state_file = (std::filesystem::path(file).parent_path() / config.state_file).string();
    }
  }
  load_server(ctx, top.node("server"), config.server);
  load_listeners(ctx, top.node("listeners"), config.listeners);
  const YAML::Node pools = top.node("pools");
  if (pools.IsDefined()) {
    if (pools.size() == 0) ctx.error(pools.Mark(), "pools: at least one pool is needed");
    for (const auto& entry : pools) {
      const std::string name = entry.first.Scalar();
      if (config.find_pool(name)) {
        ctx.error(entry.first.Mark(), "duplicate key '" + name + "' in pools");
        continue;
      }
      PoolConfig pool;
      load_pool(ctx, name, entry.second, pool);
      config.pools.push_back(std::move(pool));
    }
  }
  const YAML::Node routes = top.node("routes");
  for (std::size_t i = 0; routes.IsDefined() && i < routes.size(); ++i) {
    RouteConfig route;
    load_route(ctx, i, routes[i], config, route);
    config.routes.push_back(std::move(route));
  }
  if (config.routes.empty() && config.pools.size() > 1) {
    ctx.error(top.section_mark(), "routes: required when there is more than one pool (which pool gets a request?)");
  }
  if (!result.diagnostics.has_errors()) result.config = std::move(config);
  return result;
}

ConfigLoad load_region_config(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    ConfigLoad result;
    result.diagnostics.error(path, 0, 0, "cannot open file");
    return result;
  }
  std::ostringstream text;
  text << in.rdbuf();
  return parse_region_config(text.str(), path);
}

void write_config_reference(std::ostream& out) {
  write_schema_table(out, "top level", top_schema);
  write_schema_table(out, "server", server_schema);
  write_schema_table(out, "server.timeouts", timeouts_schema);
  write_schema_table(out, "server.limits", limits_schema);
  write_schema_table(out, "admin", admin_schema);
  write_schema_table(out, "access_log", access_log_schema);
  write_schema_table(out, "listeners[]", listener_schema);
  write_schema_table(out, "listeners[].tls", tls_schema);
  write_schema_table(out, "listeners[].tls.certificates[]", certificate_schema);
  write_schema_table(out, "pools.NAME", pool_schema);
  write_schema_table(out, "pools.NAME.backends[]", backend_schema);
  write_schema_table(out, "pools.NAME.check", check_schema);
  write_schema_table(out, "pools.NAME.passive", passive_schema);
  write_schema_table(out, "pools.NAME.sticky", sticky_schema);
  write_schema_table(out, "routes[]", route_schema);
  write_schema_table(out, "routes[].header", header_match_schema);
  write_schema_table(out, "routes[].respond", respond_schema);
  write_schema_table(out, "routes[].redirect", redirect_schema);
  out << "### balancers\n\n";
  for (auto n : balancer_names()) out << "- `" << n << "`\n";
}

}  // namespace gslb::lb
