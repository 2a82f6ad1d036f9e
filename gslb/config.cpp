#include "gslb/config.hpp"

#include <yaml-cpp/yaml.h>

#include <charconv>
#include <deque>
#include <fstream>
#include <set>
#include <sstream>

namespace gslb::policy {

namespace {

// Where values come from and where problems go while one file is read.
struct Context {
  std::string file;
  std::filesystem::path base_dir;
  base::DiagnosticList& diags;

  void error(const YAML::Node& node, std::string message) const {
    const auto mark = node.Mark();
    diags.error(file, mark.line + 1, mark.column + 1, std::move(message));
  }
};

// A schema row: how to read one key into the config. Sections (type "map")
// have child rows instead of a reader.
struct Row {
  const char* key;
  const char* type;
  const char* default_value;
  const char* doc;
  void (*read)(const YAML::Node&, const std::string& path, ServeConfig&, const Context&);
  const std::vector<Row>* children = nullptr;
};

std::optional<std::string> scalar(const YAML::Node& node, const std::string& path, const char* expected,
                                  const Context& ctx) {
  if (!node.IsScalar()) {
    ctx.error(node, path + ": expected " + expected);
    return std::nullopt;
  }
  return node.Scalar();
}

std::optional<unsigned long> read_unsigned(const YAML::Node& node, const std::string& path, unsigned long min,
                                           unsigned long max, const Context& ctx) {
  const auto text = scalar(node, path, "an integer", ctx);
  if (!text) return std::nullopt;
  unsigned long value = 0;
  const auto* end = text->data() + text->size();
  const auto [p, ec] = std::from_chars(text->data(), end, value);
  if (text->empty() || ec != std::errc{} || p != end) {
    ctx.error(node, path + ": '" + *text + "' is not an integer");
    return std::nullopt;
  }
  if (value < min || value > max) {
    ctx.error(node,
              path + ": " + *text + " is out of range [" + std::to_string(min) + ", " + std::to_string(max) + "]");
    return std::nullopt;
  }
  return value;
}

std::optional<bool> read_bool(const YAML::Node& node, const std::string& path, const Context& ctx) {
  const auto text = scalar(node, path, "true or false", ctx);
  if (!text) return std::nullopt;
  if (*text == "true") return true;
  if (*text == "false") return false;
  ctx.error(node, path + ": '" + *text + "' is not true or false");
  return std::nullopt;
}

std::optional<std::string> read_string(const YAML::Node& node, const std::string& path, const Context& ctx) {
  return scalar(node, path, "a string", ctx);
}

// Accepts one item or a list of items; calls `each` with every scalar item.
template <typename Each>
void read_list(const YAML::Node& node, const std::string& path, const Context& ctx, Each each) {
  if (node.IsScalar()) {
    each(node, path);
    return;
  }
  if (!node.IsSequence()) {
    ctx.error(node, path + ": expected a list");
    return;
  }
  for (std::size_t i = 0; i < node.size(); ++i) {
    const auto item = node[i];
    const auto item_path = path + '[' + std::to_string(i) + ']';
    if (!item.IsScalar()) {
      ctx.error(item, item_path + ": expected a string");
      continue;
    }
    each(item, item_path);
  }
}

std::vector<base::SocketAddress> read_addresses(const YAML::Node& node, const std::string& path, const Context& ctx) {
  std::vector<base::SocketAddress> out;
  read_list(node, path, ctx, [&](const YAML::Node& item, const std::string& item_path) {
    if (const auto address = base::SocketAddress::parse(item.Scalar())) {
      out.push_back(*address);
    } else {
      ctx.error(item, item_path + ": '" + item.Scalar() + "' is not IP:PORT (e.g. 127.0.0.1:53 or [::1]:53)");
    }
  });
  return out;
}

void read_listen(const YAML::Node& n, const std::string& p, ServeConfig& c, const Context& ctx) {
  c.listen = read_addresses(n, p, ctx);
}
void read_zones(const YAML::Node& n, const std::string& p, ServeConfig& c, const Context& ctx) {
  if (const auto text = read_string(n, p, ctx)) {
    const std::filesystem::path dir(*text);
    c.zones_dir = dir.is_absolute() ? dir : ctx.base_dir / dir;
  }
}
void read_geoip(const YAML::Node& n, const std::string& p, ServeConfig& c, const Context& ctx) {
  if (const auto text = read_string(n, p, ctx)) {
    const std::filesystem::path file(*text);
    c.geoip = file.is_absolute() ? file : ctx.base_dir / file;
  }
}
void read_state(const YAML::Node& n, const std::string& p, ServeConfig& c, const Context& ctx) {
  if (const auto text = read_string(n, p, ctx)) {
    const std::filesystem::path file(*text);
    c.state = file.is_absolute() ? file : ctx.base_dir / file;
  }
}
void read_admin(const YAML::Node& n, const std::string& p, ServeConfig& c, const Context& ctx) {
  const auto text = scalar(n, p, "IP:PORT", ctx);
  if (!text) return;
  if (const auto address = base::SocketAddress::parse(*text)) {
    c.admin = *address;
  } else {
    ctx.error(n, p + ": '" + *text + "' is not IP:PORT (e.g. 127.0.0.1:8053)");
  }
}
void read_admin_token(const YAML::Node& n, const std::string& p, ServeConfig& c, const Context& ctx) {
  const auto text = read_string(n, p, ctx);
  if (!text) return;
  // Sent in an HTTP header: printable ASCII without spaces, and long enough
  // not to be guessed.
  bool printable = !text->empty();
  for (const char ch : *text) printable = printable && ch > 0x20 && ch < 0x7f;
  if (!printable || text->size() < 16) {
    ctx.error(n, p + ": expected at least 16 printable characters without spaces");
    return;
  }
  c.admin_token = *text;
}
void read_workers(const YAML::Node& n, const std::string& p, ServeConfig& c, const Context& ctx) {
  if (const auto v = read_unsigned(n, p, 0, 256, ctx)) c.workers = static_cast<unsigned>(*v);
}
void read_edns(const YAML::Node& n, const std::string& p, ServeConfig& c, const Context& ctx) {
  // RFC 6891 §6.2.3: values below 512 are treated as 512, so we refuse them.
  if (const auto v = read_unsigned(n, p, 512, 65535, ctx)) c.edns_udp_size = static_cast<std::uint16_t>(*v);
}
void read_idle(const YAML::Node& n, const std::string& p, ServeConfig& c, const Context& ctx) {
  const auto text = scalar(n, p, "a duration", ctx);
  if (!text) return;
  const auto value = parse_duration(*text);
  if (!value || value->count() <= 0) {
    ctx.error(n, p + ": '" + *text + "' is not a positive duration (e.g. 10s, 500ms, 2m)");
    return;
  }
  c.tcp_idle_timeout = *value;
}
void read_max_connections(const YAML::Node& n, const std::string& p, ServeConfig& c, const Context& ctx) {
  if (const auto v = read_unsigned(n, p, 1, 1'000'000, ctx)) c.tcp_max_connections = static_cast<unsigned>(*v);
}
void read_coalesce(const YAML::Node& n, const std::string& p, ServeConfig& c, const Context& ctx) {
  if (const auto v = read_unsigned(n, p, 0, 100'000, ctx)) c.udp_coalesce = std::chrono::microseconds(*v);
}
void read_chaos_answer(const YAML::Node& n, const std::string& p, ServeConfig& c, const Context& ctx) {
  if (const auto v = read_bool(n, p, ctx)) c.chaos_answer = *v;
}
void read_chaos_version(const YAML::Node& n, const std::string& p, ServeConfig& c, const Context& ctx) {
  if (const auto v = read_string(n, p, ctx)) c.chaos_version = *v;
}
void read_chaos_identity(const YAML::Node& n, const std::string& p, ServeConfig& c, const Context& ctx) {
  if (const auto v = read_string(n, p, ctx)) c.chaos_identity = *v;
}
void read_axfr_allow(const YAML::Node& n, const std::string& p, ServeConfig& c, const Context& ctx) {
  c.axfr_allow.clear();
  read_list(n, p, ctx, [&](const YAML::Node& item, const std::string& item_path) {
    if (const auto prefix = base::AddressPrefix::parse(item.Scalar())) {
      c.axfr_allow.push_back(*prefix);
    } else {
      ctx.error(item, item_path + ": '" + item.Scalar() + "' is not an address or CIDR prefix (e.g. 192.0.2.0/24)");
    }
  });
}
void read_notify(const YAML::Node& n, const std::string& p, ServeConfig& c, const Context& ctx) {
  c.notify = read_addresses(n, p, ctx);
}
void read_rate(const YAML::Node& n, const std::string& p, ServeConfig& c, const Context& ctx) {
  if (const auto v = read_unsigned(n, p, 0, 1'000'000, ctx))
    c.rate_limit.responses_per_second = static_cast<unsigned>(*v);
}
void read_slip(const YAML::Node& n, const std::string& p, ServeConfig& c, const Context& ctx) {
  if (const auto v = read_unsigned(n, p, 0, 100, ctx)) c.rate_limit.slip = static_cast<unsigned>(*v);
}
void read_ipv4_prefix(const YAML::Node& n, const std::string& p, ServeConfig& c, const Context& ctx) {
  if (const auto v = read_unsigned(n, p, 8, 32, ctx)) c.rate_limit.ipv4_prefix = static_cast<unsigned>(*v);
}
void read_ipv6_prefix(const YAML::Node& n, const std::string& p, ServeConfig& c, const Context& ctx) {
  if (const auto v = read_unsigned(n, p, 16, 128, ctx)) c.rate_limit.ipv6_prefix = static_cast<unsigned>(*v);
}
void read_query_log(const YAML::Node& n, const std::string& p, ServeConfig& c, const Context& ctx) {
  if (const auto v = read_bool(n, p, ctx)) c.query_log = *v;
}

// clang-format off
const std::vector<Row> tcp_rows = {
  {"idle_timeout", "duration", "10s", "close a TCP connection idle this long (RFC 7766 §6.2.3)", read_idle},
  {"max_connections", "integer", "1000", "concurrent TCP connections; more are accepted and closed at once", read_max_connections},
};
const std::vector<Row> udp_rows = {
  {"coalesce_us", "integer", "30", "after a receive of 4+ queries (under load), wait this many µs so the next takes more at once: fewer wake-ups, at most this much added latency; 0 = off", read_coalesce},
};
const std::vector<Row> chaos_rows = {
  {"answer", "boolean", "true", "answer version.bind / id.server (CH TXT); false = REFUSED", read_chaos_answer},
  {"version", "string", "gslb", "the version.bind answer", read_chaos_version},
  {"identity", "string", "host name", "the id.server / hostname.bind answer", read_chaos_identity},
};
const std::vector<Row> axfr_rows = {
  {"allow", "list of CIDR", "[] (nobody)", "clients allowed zone transfers (AXFR over TCP, IXFR); others get REFUSED", read_axfr_allow},
};
const std::vector<Row> rate_rows = {
  {"responses_per_second", "integer", "0 (off)", "identical UDP answers a client network gets a second; more are dropped or slipped", read_rate},
  {"slip", "integer", "2", "every slip-th answer over the rate goes out truncated (TC: a real client retries over TCP); 0 = drop all", read_slip},
  {"ipv4_prefix", "integer", "24", "IPv4 clients in one such network share the rate (8-32)", read_ipv4_prefix},
  {"ipv6_prefix", "integer", "56", "IPv6 clients in one such network share the rate (16-128)", read_ipv6_prefix},
};
const std::vector<Row> top_rows = {
  {"listen", "list of IP:PORT", "none (required)", "addresses served on UDP and TCP; [::1]:53 for IPv6", read_listen},
  {"zones", "path", "none (required)", "directory of *.zone files; relative to this file", read_zones},
  {"workers", "integer", "0 (one per core)", "query worker threads, each with its own sockets", read_workers},
  {"edns_udp_size", "integer", "1232", "EDNS UDP payload size we advertise (512-65535)", read_edns},
  {"udp", "map", "", "DNS over UDP", nullptr, &udp_rows},
  {"tcp", "map", "", "DNS over TCP", nullptr, &tcp_rows},
  {"chaos", "map", "", "CHAOS-class server identification", nullptr, &chaos_rows},
  {"axfr", "map", "", "outgoing zone transfers (RFC 5936)", nullptr, &axfr_rows},
  {"notify", "list of IP:PORT", "[]", "secondaries sent NOTIFY when a reload changes a serial (RFC 1996)", read_notify},
  {"rate_limit", "map", "", "UDP response rate limiting against reflection attacks (as NSD and Knot RRL)", nullptr, &rate_rows},
  {"query_log", "boolean", "false", "log one line per query (client, name, type, rcode, size)", read_query_log},
  {"geoip", "path", "none", "MaxMind DB (City or Country) for geo steering; relative to this file; reloaded when replaced", read_geoip},
  {"state", "path", "none (in memory)", "SQLite file keeping health state and operator overrides across restarts, and the latency table (gslb latency import); relative to this file", read_state},
  {"admin", "IP:PORT", "none (off)", "admin HTTP API (status, overrides, metrics); loopback only unless admin_token is set", read_admin},
  {"admin_token", "string", "none", "bearer token every admin API request must carry (Authorization: Bearer ...)", read_admin_token},
};
// clang-format on

std::string key_list(const std::vector<Row>& rows) {
  std::string out;
  for (const auto& row : rows) {
    if (!out.empty()) out += ", ";
    out += row.key;
  }
  return out;
}

void read_map(const YAML::Node& node, const std::string& path, const std::vector<Row>& rows, ServeConfig& config,
              const Context& ctx) {
  if (!node.IsMap()) {
    ctx.error(node, (path.empty() ? std::string("the file") : path) + ": expected a map of keys");
    return;
  }
  std::set<std::string> seen;
  for (const auto& entry : node) {
    const auto& key_node = entry.first;
    const std::string key = key_node.IsScalar() ? key_node.Scalar() : std::string("?");
    const std::string key_path = path.empty() ? key : path + '.' + key;
    const Row* row = nullptr;
    for (const auto& candidate : rows)
      if (key == candidate.key) row = &candidate;
    if (row == nullptr) {
      ctx.error(key_node, "unknown key '" + key_path + "' (expected one of: " + key_list(rows) + ")");
      continue;
    }
    if (!seen.insert(key).second) {
      ctx.error(key_node, "duplicate key '" + key_path + "'");
      continue;
    }
    if (row->children != nullptr) {
      read_map(entry.second, key_path, *row->children, config, ctx);
    } else {
      row->read(entry.second, key_path, config, ctx);
    }
  }
}

void add_docs(const std::vector<Row>& rows, const std::string& prefix, std::vector<ConfigKeyDoc>& out) {
  static std::deque<std::string> names;  // stable storage for dotted keys (deque: no relocation)
  for (const auto& row : rows) {
    if (row.children != nullptr) {
      add_docs(*row.children, prefix + row.key + '.', out);
      continue;
    }
    std::string_view key = row.key;
    if (!prefix.empty()) {
      names.push_back(prefix + row.key);
      key = names.back();
    }
    out.push_back({key, row.type, row.default_value, row.doc});
  }
}

}  // namespace

std::vector<ConfigKeyDoc> serve_config_schema() {
  static const std::vector<ConfigKeyDoc> docs = [] {
    std::vector<ConfigKeyDoc> out;
    add_docs(top_rows, "", out);
    return out;
  }();
  return docs;
}

std::optional<std::chrono::milliseconds> parse_duration(std::string_view text) {
  std::uint64_t value = 0;
  const auto* end = text.data() + text.size();
  const auto [p, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec != std::errc{} || value > 100'000'000) return std::nullopt;
  const std::string_view unit(p, static_cast<std::size_t>(end - p));
  if (unit.empty() || unit == "s") return std::chrono::milliseconds(value * 1000);
  if (unit == "ms") return std::chrono::milliseconds(value);
  if (unit == "m") return std::chrono::milliseconds(value * 60'000);
  if (unit == "h") return std::chrono::milliseconds(value * 3'600'000);
  return std::nullopt;
}

std::optional<ServeConfig> parse_serve_config(std::string_view text, const std::string& file_name,
                                              const std::filesystem::path& base_dir, base::DiagnosticList& diags) {
  const Context ctx{file_name, base_dir, diags};
  const auto errors_before = diags.error_count();
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    diags.error(file_name, e.mark.line + 1, e.mark.column + 1, "YAML syntax: " + e.msg);
    return std::nullopt;
  }
  ServeConfig config;
  if (root.IsNull()) return config;  // an empty file: every default
  try {
    read_map(root, "", top_rows, config, ctx);
  } catch (const YAML::Exception& e) {
    diags.error(file_name, e.mark.line + 1, e.mark.column + 1, e.msg);
  }
  if (diags.error_count() != errors_before) return std::nullopt;
  return config;
}

std::optional<ServeConfig> load_serve_config(const std::filesystem::path& file, base::DiagnosticList& diags) {
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    diags.error(file.string(), 0, 0, "cannot read the file");
    return std::nullopt;
  }
  std::ostringstream text;
  text << in.rdbuf();
  auto base_dir = file.parent_path();
  if (base_dir.empty()) base_dir = ".";
  return parse_serve_config(text.str(), file.string(), base_dir, diags);
}

}  // namespace gslb::policy
