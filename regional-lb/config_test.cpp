#include "regional-lb/config.hpp"

#include <doctest/doctest.h>

#include <fstream>
#include <sstream>

using namespace gslb::lb;

namespace {

// All diagnostics, one per line, so that a failing CHECK prints them.
std::string errors_of(const std::string& yaml) {
  const auto load = parse_region_config(yaml, "region.yaml");
  std::string out;
  for (const auto& d : load.diagnostics.items()) out += d.format() + "\n";
  CHECK(load.config.has_value() == out.empty());
  return out;
}

std::string lines(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += s + "\n";
  return out;
}

const char* const minimal = R"(listeners:
  - address: 127.0.0.1:8080
pools:
  web:
    backends:
      - address: 127.0.0.1:9001
)";

}  // namespace

TEST_CASE("a full region.yaml loads with every value") {
  const auto load = parse_region_config(R"(server:
  workers: 4
  server_header: edge
  timeouts: { client_header: 5s, client_idle: 2m, backend_connect: 250ms, backend_response: 1m30s,
              backend_idle: 20s, shutdown_grace: 0s }
  limits: { request_line: 1024, header_bytes: 4096, header_count: 20, body_bytes: 1000 }
admin: { address: "127.0.0.1:9100" }
listeners:
  - address: 127.0.0.1:8080
  - address: "[::1]:8080"
pools:
  api:
    balancer: consistent_hash
    hash_key: "header:X-User"
    max_idle_per_backend: 4
    backends:
      - { address: 127.0.0.1:9001, weight: 5 }
      - { address: "[::1]:9002" }
    check: { path: /ready, expect: 204, interval: 2s, timeout: 1s, rise: 1, fall: 2 }
    passive: { failures: 3, eject: 10s, max_eject: 1m }
    sticky: { cookie: srv, ttl: 1h }
    slow_start: 20s
  static:
    backends: [ { address: 10.0.0.1:80 } ]
routes:
  - { host: api.example.com, path_prefix: /v1/, method: GET, header: { name: X-Env, value: canary }, pool: api }
  - { path: /old, redirect: { location: "https://example.com/new", status: 301 } }
  - { path: /ping, respond: { status: 200, body: pong } }
  - { pool: static }
)",
                                        "region.yaml");
  for (const auto& d : load.diagnostics.items()) INFO(d.format());
  REQUIRE(load.config);
  const RegionConfig& c = *load.config;
  CHECK(c.server.workers == 4);
  CHECK(c.server.server_header == "edge");
  CHECK(c.server.timeouts.client_header.count() == 5000);
  CHECK(c.server.timeouts.client_idle.count() == 120'000);
  CHECK(c.server.timeouts.backend_connect.count() == 250);
  CHECK(c.server.timeouts.backend_response.count() == 90'000);
  CHECK(c.server.timeouts.backend_idle.count() == 20'000);
  CHECK(c.server.timeouts.shutdown_grace.count() == 0);
  CHECK(c.server.limits.request_line == 1024);
  CHECK(c.server.limits.header_bytes == 4096);
  CHECK(c.server.limits.header_count == 20);
  CHECK(c.server.limits.body_bytes == 1000);
  REQUIRE(c.admin.address);
  CHECK(c.admin.address->port == 9100);
  REQUIRE(c.listeners.size() == 2);
  CHECK(c.listeners[1].address.text == "[::1]:8080");
  CHECK(c.listeners[1].address.ip.is_v6());
  REQUIRE(c.pools.size() == 2);
  const PoolConfig& api = c.pools[0];
  CHECK(api.name == "api");
  CHECK(api.balancer == "consistent_hash");
  CHECK(api.hash_key.source == HashKey::Source::header);
  CHECK(api.hash_key.name == "X-User");
  CHECK(api.max_idle_per_backend == 4);
  REQUIRE(api.backends.size() == 2);
  CHECK(api.backends[0].weight == 5);
  CHECK(api.backends[1].weight == 1);
  CHECK(api.backends[1].address.port == 9002);
  REQUIRE(api.check);
  CHECK(api.check->path == "/ready");
  CHECK(api.check->expect == 204);
  CHECK(api.check->interval.count() == 2000);
  CHECK(api.check->rise == 1);
  CHECK(api.check->fall == 2);
  CHECK_FALSE(c.pools[1].check);
  CHECK(api.passive.failures == 3);
  CHECK(api.passive.eject.count() == 10'000);
  CHECK(api.passive.max_eject.count() == 60'000);
  CHECK(api.slow_start.count() == 20'000);
  CHECK(c.pools[1].slow_start.count() == 0);
  REQUIRE(api.sticky);
  CHECK(api.sticky->cookie == "srv");
  CHECK(api.sticky->ttl.count() == 3'600'000);
  CHECK_FALSE(c.pools[1].sticky);
  const PassiveConfig passive_defaults;
  CHECK(c.pools[1].passive.failures == passive_defaults.failures);
  CHECK(c.pools[1].passive.eject == passive_defaults.eject);
  CHECK(c.pools[1].passive.max_eject == passive_defaults.max_eject);
  REQUIRE(c.routes.size() == 4);
  CHECK(c.routes[0].host == "api.example.com");
  CHECK(c.routes[0].header_name == "X-Env");
  CHECK(c.routes[0].header_value == "canary");
  CHECK(c.routes[0].action == RouteConfig::Action::forward);
  CHECK(c.routes[1].action == RouteConfig::Action::redirect);
  CHECK(c.routes[1].status == 301);
  CHECK(c.routes[2].action == RouteConfig::Action::respond);
  CHECK(c.routes[2].body == "pong");
  CHECK(c.routes[3].pool == "static");
}

TEST_CASE("defaults come from the schema table and agree with config.hpp") {
  const auto load = parse_region_config(minimal, "region.yaml");
  REQUIRE(load.config);
  const RegionConfig& c = *load.config;
  const ServerConfig defaults;
  CHECK(c.server.workers == defaults.workers);
  CHECK(c.server.server_header == defaults.server_header);
  CHECK(c.server.timeouts.client_header == defaults.timeouts.client_header);
  CHECK(c.server.timeouts.client_idle == defaults.timeouts.client_idle);
  CHECK(c.server.timeouts.backend_connect == defaults.timeouts.backend_connect);
  CHECK(c.server.timeouts.backend_response == defaults.timeouts.backend_response);
  CHECK(c.server.timeouts.backend_idle == defaults.timeouts.backend_idle);
  CHECK(c.server.timeouts.shutdown_grace == defaults.timeouts.shutdown_grace);
  CHECK(c.server.limits.request_line == defaults.limits.request_line);
  CHECK(c.server.limits.header_bytes == defaults.limits.header_bytes);
  CHECK(c.server.limits.header_count == defaults.limits.header_count);
  CHECK(c.server.limits.body_bytes == defaults.limits.body_bytes);
  const PoolConfig pool_defaults;
  CHECK(c.pools[0].balancer == pool_defaults.balancer);
  CHECK(c.pools[0].max_idle_per_backend == pool_defaults.max_idle_per_backend);
  CHECK(c.pools[0].hash_key.source == HashKey::Source::client_ip);
  CHECK(c.pools[0].backends[0].weight == 1);

  const auto with_check = parse_region_config(std::string(minimal) + "    check: {}\n", "region.yaml");
  REQUIRE(with_check.config);
  const CheckConfig check_defaults;
  const CheckConfig& check = *with_check.config->pools[0].check;
  CHECK(check.path == check_defaults.path);
  CHECK(check.expect == check_defaults.expect);
  CHECK(check.interval == check_defaults.interval);
  CHECK(check.timeout == check_defaults.timeout);
  CHECK(check.rise == check_defaults.rise);
  CHECK(check.fall == check_defaults.fall);
}

TEST_CASE("each defect gives one exact file:line:col message") {
  struct Row {
    const char* yaml;
    std::vector<std::string> expected;
  };
  const Row rows[] = {
      {"listeners: [\n", {"region.yaml:2:1: error: end of sequence flow not found"}},
      {"- 1\n", {"region.yaml:1:1: error: region.yaml: expected a mapping of keys to values"}},
      {"pools: {}\n",
       {"region.yaml:1:1: error: region.yaml: missing required key 'listeners'",
        "region.yaml:1:8: error: pools: at least one pool is needed"}},
      {R"(listeners:
  - address: 127.0.0.1:8080
pools:
  web:
    backends:
      - address: 127.0.0.1:9001
    check:
      intervall: 10s
)",
       {"region.yaml:8:7: error: unknown key 'intervall' in pools.web.check (known keys: path, expect, interval, "
        "timeout, rise, fall)"}},
      {R"(listeners:
  - address: 127.0.0.1:8080
pools:
  web:
    backends:
      - address: 127.0.0.1:9001
    check: { interval: 10, timeout: 5sec, rise: 0, fall: many }
)",
       {"region.yaml:7:24: error: pools.web.check.interval: missing unit in duration '10' (use ms, s, m or h)",
        "region.yaml:7:37: error: pools.web.check.timeout: unknown unit 'sec' in duration '5sec' (use ms, s, m or h)",
        "region.yaml:7:49: error: pools.web.check.rise: 0 is out of range 1..100",
        "region.yaml:7:58: error: pools.web.check.fall: expected an integer, got 'many'"}},
      {R"(listeners:
  - address: localhost:8080
  - address: 127.0.0.1
  - address: "::1:80"
  - address: 127.0.0.1:70000
pools:
  web:
    backends:
      - address: 127.0.0.1:9001
)",
       {"region.yaml:2:14: error: listeners[0].address: 'localhost' is not an IP address (host names are not "
        "resolved)",
        "region.yaml:3:14: error: listeners[1].address: expected IP:PORT, got '127.0.0.1'",
        "region.yaml:4:14: error: listeners[2].address: write IPv6 addresses in brackets, like [::1]:8080, got "
        "'::1:80'",
        "region.yaml:5:14: error: listeners[3].address: port 70000 is out of range 0..65535"}},
      {R"(listeners:
  - address: 127.0.0.1:8080
pools:
  web:
    balancer: fastest
    hash_key: ip
    backends:
      - { address: 127.0.0.1:9001, weight: 0 }
      - { address: 127.0.0.1:9001 }
)",
       {"region.yaml:5:15: error: pools.web.balancer: unknown balancer 'fastest' (known: round_robin, "
        "weighted_round_robin, least_connections, ip_hash, consistent_hash, least_response_time, random_two_choices)",
        "region.yaml:6:15: error: pools.web.hash_key: expected client_ip, header:NAME or cookie:NAME, got 'ip'",
        "region.yaml:8:44: error: pools.web.backends[0].weight: 0 is out of range 1..256",
        "region.yaml:9:20: error: pools.web.backends[1].address: 127.0.0.1:9001 is already a backend of this pool"}},
      {R"(listeners:
  - address: 127.0.0.1:8080
pools:
  web:
    backends:
      - address: 127.0.0.1:9001
routes:
  - { path_prefix: /a, pool: api }
  - { path: b, respond: { status: 200 }, redirect: { location: /x, status: 200 } }
  - { host: a.example }
)",
       {"region.yaml:8:30: error: routes[0].pool: no pool named 'api'",
        "region.yaml:9:13: error: routes[1].path: must start with '/'",
        "region.yaml:9:76: error: routes[1].redirect.status: 200 is out of range 300..308",
        "region.yaml:9:5: error: routes[1]: needs exactly one action of pool, respond or redirect (has 2)",
        "region.yaml:10:5: error: routes[2]: needs exactly one action of pool, respond or redirect (has 0)"}},
      {R"(listeners:
  - address: 127.0.0.1:8080
  - address: 127.0.0.1:8080
pools:
  web:
    backends: []
  web2:
    backends: [ { address: 127.0.0.1:1 } ]
server:
  workers: 2
  workers: 3
  timeouts: { backend_connect: 0s }
)",
       {"region.yaml:11:3: error: duplicate key 'workers' in server",
        "region.yaml:12:32: error: server.timeouts.backend_connect: 0s is out of range 1ms..24h",
        "region.yaml:3:14: error: listeners[1].address: 127.0.0.1:8080 is listed twice",
        "region.yaml:6:15: error: pools.web.backends: the list is empty",
        "region.yaml:1:1: error: routes: required when there is more than one pool (which pool gets a request?)"}},
  };
  for (const auto& row : rows) {
    CAPTURE(row.yaml);
    CHECK(errors_of(row.yaml) == lines(row.expected));
  }
}

TEST_CASE("parse_endpoint normalises IPv6 and rejects junk") {
  std::string error;
  auto e = parse_endpoint("[::1]:80", &error);
  REQUIRE(e);
  CHECK(e->text == "[::1]:80");
  CHECK(e->port == 80);
  CHECK_FALSE(parse_endpoint("[::1]80", &error));
  CHECK(error == "expected [IPv6]:PORT, got '[::1]80'");
  CHECK_FALSE(parse_endpoint("1.2.3.4:8x", &error));
  CHECK(error == "bad port '8x'");
}

TEST_CASE("an unreadable file is one diagnostic naming it") {
  const auto load = load_region_config("/nonexistent/region.yaml");
  REQUIRE(load.diagnostics.items().size() == 1);
  CHECK(load.diagnostics.items()[0].format() == "/nonexistent/region.yaml: error: cannot open file");
}

TEST_CASE("the reference is generated from the schema tables") {
  std::ostringstream out;
  write_config_reference(out);
  CHECK(out.str().find("| `backend_connect` | duration | `3s` | 1ms..24h |") != std::string::npos);
  CHECK(out.str().find("- `random_two_choices`") != std::string::npos);
}

TEST_CASE("regional-lb/README.md carries the current generated reference") {
  std::ifstream in(std::string(GSLB_SOURCE_DIR) + "/regional-lb/README.md");
  REQUIRE(in);
  std::ostringstream readme, reference;
  readme << in.rdbuf();
  write_config_reference(reference);
  // Regenerate with: gslb lb --reference (replacing the README's last section).
  CHECK(readme.str().find(reference.str()) != std::string::npos);
}
