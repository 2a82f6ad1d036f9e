#include "gslb/config.hpp"

#include <doctest/doctest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

using namespace gslb;
using policy::parse_serve_config;

namespace {

// Parses `text` as "gslb.yaml" in /etc/gslb; returns the diagnostics, one per line.
std::string errors_of(std::string_view text) {
  base::DiagnosticList diags;
  const auto config = parse_serve_config(text, "gslb.yaml", "/etc/gslb", diags);
  CHECK_FALSE(config.has_value());
  std::string out;
  for (const auto& d : diags.items()) out += d.format() + "\n";
  return out;
}

}  // namespace

TEST_CASE("a complete gslb.yaml loads with every value") {
  const char* text = R"(# gslb serve
listen: ["127.0.0.1:5353", "[::1]:5353"]
zones: zones
workers: 2
edns_udp_size: 1400
udp: {coalesce_us: 0}
tcp:
  idle_timeout: 2500ms
  max_connections: 50
chaos: {answer: false, version: "9.9", identity: ns1}
axfr:
  allow: [127.0.0.0/8, "::1"]
notify: ["127.0.0.1:10053"]
rate_limit: {responses_per_second: 20, slip: 3, ipv4_prefix: 28, ipv6_prefix: 48}
query_log: true
)";
  base::DiagnosticList diags;
  const auto config = parse_serve_config(text, "gslb.yaml", "/etc/gslb", diags);
  for (const auto& d : diags.items()) MESSAGE(d.format());
  REQUIRE(config.has_value());
  CHECK(diags.empty());
  REQUIRE(config->listen.size() == 2);
  CHECK(config->listen[0].to_string() == "127.0.0.1:5353");
  CHECK(config->listen[1].to_string() == "[::1]:5353");
  CHECK(config->zones_dir == "/etc/gslb/zones");
  CHECK(config->workers == 2);
  CHECK(config->edns_udp_size == 1400);
  CHECK(config->tcp_idle_timeout == std::chrono::milliseconds(2500));
  CHECK(config->tcp_max_connections == 50);
  CHECK(config->udp_coalesce.count() == 0);
  CHECK_FALSE(config->chaos_answer);
  CHECK(config->chaos_version == "9.9");
  CHECK(config->chaos_identity == "ns1");
  REQUIRE(config->axfr_allow.size() == 2);
  CHECK(config->axfr_allow[0].to_string() == "127.0.0.0/8");
  CHECK(config->axfr_allow[1].to_string() == "::1/128");
  REQUIRE(config->notify.size() == 1);
  CHECK(config->notify[0].port() == 10053);
  CHECK(config->query_log);
  CHECK(config->rate_limit.responses_per_second == 20);
  CHECK(config->rate_limit.slip == 3);
  CHECK(config->rate_limit.ipv4_prefix == 28);
  CHECK(config->rate_limit.ipv6_prefix == 48);
}

TEST_CASE("an empty file gives the defaults; absolute zone paths stay as written") {
  base::DiagnosticList diags;
  auto config = parse_serve_config("", "gslb.yaml", "/etc/gslb", diags);
  REQUIRE(config);
  CHECK(config->tcp_idle_timeout == std::chrono::seconds(10));
  CHECK(config->tcp_max_connections == 1000);
  CHECK(config->udp_coalesce == std::chrono::microseconds(30));
  CHECK(config->edns_udp_size == 1232);
  CHECK(config->axfr_allow.empty());
  CHECK_FALSE(config->query_log);
  CHECK_FALSE(config->rate_limit.enabled());  // RRL is opt-in
  config = parse_serve_config("zones: /srv/zones\nlisten: 127.0.0.1:53\n", "gslb.yaml", "/etc/gslb", diags);
  REQUIRE(config);
  CHECK(config->zones_dir == "/srv/zones");
  CHECK(config->listen.size() == 1);
}

TEST_CASE("unknown keys are errors at their line and column") {
  CHECK(errors_of("zones: z\nlisten_on: [\"127.0.0.1:53\"]\n") ==
        "gslb.yaml:2:1: error: unknown key 'listen_on' (expected one of: listen, zones, workers, edns_udp_size, udp, "
        "tcp, "
        "chaos, axfr, notify, rate_limit, query_log, geoip, state, admin, admin_token)\n");
  CHECK(errors_of("tcp:\n  idle_timeout: 5s\n  max_conns: 3\n") ==
        "gslb.yaml:3:3: error: unknown key 'tcp.max_conns' (expected one of: idle_timeout, max_connections)\n");
  CHECK(errors_of("workers: 1\nworkers: 2\n") == "gslb.yaml:2:1: error: duplicate key 'workers'\n");
}

TEST_CASE("values of the wrong type are errors at the value") {
  CHECK(errors_of("workers: many\n") == "gslb.yaml:1:10: error: workers: 'many' is not an integer\n");
  CHECK(errors_of("workers: 1000\n") == "gslb.yaml:1:10: error: workers: 1000 is out of range [0, 256]\n");
  CHECK(errors_of("query_log: yes please\n") ==
        "gslb.yaml:1:12: error: query_log: 'yes please' is not true or false\n");
  CHECK(errors_of("tcp: 5\n") == "gslb.yaml:1:6: error: tcp: expected a map of keys\n");
  CHECK(errors_of("tcp:\n  idle_timeout: soon\n") ==
        "gslb.yaml:2:17: error: tcp.idle_timeout: 'soon' is not a positive duration (e.g. 10s, 500ms, 2m)\n");
  CHECK(errors_of("zones: [a, b]\n") == "gslb.yaml:1:8: error: zones: expected a string\n");
  CHECK(errors_of("- listen\n") == "gslb.yaml:1:1: error: the file: expected a map of keys\n");
}

TEST_CASE("bad addresses name the list item") {
  CHECK(errors_of("listen:\n  - 127.0.0.1:53\n  - 127.0.0.1\n") ==
        "gslb.yaml:3:5: error: listen[1]: '127.0.0.1' is not IP:PORT (e.g. 127.0.0.1:53 or [::1]:53)\n");
  CHECK(errors_of("axfr: {allow: [10.0.0.0/40]}\n") ==
        "gslb.yaml:1:16: error: axfr.allow[0]: '10.0.0.0/40' is not an address or CIDR prefix (e.g. 192.0.2.0/24)\n");
  // Every error is reported, not just the first.
  CHECK(errors_of("notify: [\"::1:53\"]\nedns_udp_size: 100\n") ==
        "gslb.yaml:1:10: error: notify[0]: '::1:53' is not IP:PORT (e.g. 127.0.0.1:53 or [::1]:53)\n"
        "gslb.yaml:2:16: error: edns_udp_size: 100 is out of range [512, 65535]\n");
}

TEST_CASE("YAML syntax errors carry the position") {
  const auto out = errors_of("listen: [\"127.0.0.1:53\"\nzones: z\n");
  CHECK(out.rfind("gslb.yaml:", 0) == 0);
  CHECK(out.find("YAML syntax") != std::string::npos);
}

TEST_CASE("load_serve_config resolves paths against the file's directory") {
  const auto dir = std::filesystem::temp_directory_path() / ("gslb_config_test_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const auto file = dir / "gslb.yaml";
  std::ofstream(file) << "zones: zones\n";
  base::DiagnosticList diags;
  const auto config = policy::load_serve_config(file, diags);
  REQUIRE(config);
  CHECK(config->zones_dir == dir / "zones");
  CHECK_FALSE(policy::load_serve_config(dir / "missing.yaml", diags));
  CHECK(diags.items().back().format() == (dir / "missing.yaml").string() + ": error: cannot read the file");
  std::filesystem::remove_all(dir);

  CHECK(policy::serve_config_schema().size() == 21);
  base::DiagnosticList geo_diags;
  const auto with_geo = policy::parse_serve_config("listen: [127.0.0.1:53]\nzones: z\ngeoip: db/city.mmdb\n", "t.yaml",
                                                   "/etc/gslb", geo_diags);
  REQUIRE(with_geo);
  CHECK(with_geo->geoip == std::filesystem::path("/etc/gslb/db/city.mmdb"));
  base::DiagnosticList state_diags;
  const auto with_state = policy::parse_serve_config("listen: [127.0.0.1:53]\nzones: z\nstate: var/gslb.db\n", "t.yaml",
                                                     "/etc/gslb", state_diags);
  REQUIRE(with_state);
  CHECK(with_state->state == std::filesystem::path("/etc/gslb/var/gslb.db"));
  CHECK(policy::serve_config_schema()[4].key == "udp.coalesce_us");
  CHECK(policy::serve_config_schema()[5].key == "tcp.idle_timeout");
}

TEST_CASE("state, admin and admin_token") {
  base::DiagnosticList diags;
  const auto config = policy::parse_serve_config(
      "state: var/state.db\nadmin: 127.0.0.1:8053\nadmin_token: 0123456789abcdefXYZ\n", "t.yaml", "/etc/gslb", diags);
  REQUIRE(config);
  CHECK(config->state == std::filesystem::path("/etc/gslb/var/state.db"));
  REQUIRE(config->admin);
  CHECK(config->admin->to_string() == "127.0.0.1:8053");
  CHECK(config->admin_token == "0123456789abcdefXYZ");
  CHECK(errors_of("admin: localhost\n") ==
        "gslb.yaml:1:8: error: admin: 'localhost' is not IP:PORT (e.g. 127.0.0.1:8053)\n");
  CHECK(errors_of("admin_token: short\n") ==
        "gslb.yaml:1:14: error: admin_token: expected at least 16 printable characters without spaces\n");
}

TEST_CASE("the example deploy/gslb.yaml is valid") {
  base::DiagnosticList diags;
  const auto config = policy::load_serve_config(std::filesystem::path(GSLB_SOURCE_DIR) / "deploy" / "gslb.yaml", diags);
  for (const auto& d : diags.items()) MESSAGE(d.format());
  REQUIRE(config);
  CHECK(config->listen.size() == 2);
  CHECK(config->zones_dir == "/etc/gslb/zones");
  CHECK(config->axfr_allow.size() == 2);
}
