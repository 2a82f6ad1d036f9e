#include "gslb/policy_schema.hpp"

#include <array>

namespace gslb::policy::schema {
namespace {

using V = base::ValueType;
constexpr std::int64_t kHour = 3'600'000;

constexpr std::array<base::SchemaItem, 5> top_schema{{
    {"regions", V::mapping, true, "", 0, 0, "regions by name: where members run"},
    {"pools", V::mapping, true, "", 0, 0, "pools by name: addresses to answer with, and their health check"},
    {"records", V::mapping, true, "", 0, 0,
     "GSLB records by owner name relative to the zone (`www`, `@`); their A/AAAA answers are computed"},
    {"nets", V::mapping, false, "", 0, 0,
     "operator overrides `CIDR: region`, consulted before the GeoIP database; longest prefix wins"},
    {"panic_threshold", V::integer, false, "0", 0, 100,
     "percent: when fewer of a pool's members are healthy, health is ignored for it (0: off)"},
}};

constexpr std::array<base::SchemaItem, 5> region_schema{{
    {"lat", V::number, true, "", -90, 90, "latitude in degrees (north positive)"},
    {"lon", V::number, true, "", -180, 180, "longitude in degrees (east positive)"},
    {"country", V::string, false, "", 0, 0, "ISO 3166-1 alpha-2 code of the region's country"},
    {"continent", V::string, false, "", 0, 0, "continent code: AF AN AS EU NA OC SA"},
    {"bias", V::integer, false, "0", -99, 99,
     "geo steering: positive draws clients from farther away, negative pushes them off (Route 53 geoproximity)"},
}};

constexpr std::array<base::SchemaItem, 2> pool_schema{{
    {"check", V::mapping, false, "", 0, 0, "health check of every member (absent: members are up unless forced down)"},
    {"members", V::sequence, true, "", 0, 0, "the pool's addresses, each in one region"},
}};

constexpr std::array<base::SchemaItem, 4> member_schema{{
    {"region", V::string, true, "", 0, 0, "a name under `regions`"},
    {"address", V::string, true, "", 0, 0, "IPv4 (answered for A) or IPv6 (answered for AAAA) address"},
    {"weight", V::integer, false, "100", 0, 255,
     "share under `weighted`; 0: used only when every non-zero member is down"},
    {"check_address", V::string, false, "", 0, 0, "probe this address instead of `address` (e.g. a VIP's backend)"},
}};

constexpr std::array<base::SchemaItem, 11> check_schema{{
    {"type", V::string, false, "http", 0, 0, "http, https or tcp"},
    {"port", V::integer, false, "80", 1, 65535, "port probed on the member's (check) address"},
    {"path", V::string, false, "/health", 0, 0, "http/https: request target, starts with `/`"},
    {"host", V::string, false, "", 0, 0, "http/https: Host header (empty: the address literal)"},
    {"expect", V::string, false, "200", 0, 0, "http/https: healthy status, `200`, `2xx` or `200-399`"},
    {"body_contains", V::string, false, "", 0, 0, "http/https: healthy only if the body contains this text"},
    {"interval", V::duration, false, "10s", 100, kHour, "time between probes (at least 100ms)"},
    {"timeout", V::duration, false, "5s", 100, 60'000, "deadline of one probe; at most the interval"},
    {"rise", V::integer, false, "2", 1, 100, "consecutive successes that bring a member up"},
    {"fall", V::integer, false, "3", 1, 100, "consecutive failures that take a member down"},
    {"tls_verify", V::boolean, false, "false", 0, 0, "https: verify the certificate"},
}};

constexpr std::array<base::SchemaItem, 7> record_schema{{
    {"pool", V::string, true, "", 0, 0, "a name under `pools`"},
    {"ttl", V::integer, false, "30", 0, 86400, "TTL of the computed answers, seconds"},
    {"answers", V::integer, false, "1", 1, 8, "how many A (or AAAA) records one answer carries"},
    {"steering", V::sequence, false, "[all]", 0, 0,
     "ordered steps: failover, geo, geolocation, latency, weighted, hash, all"},
    {"failover", V::sequence, false, "", 0, 0, "`failover`: region names, most preferred first"},
    {"geolocation", V::mapping, false, "", 0, 0,
     "`geolocation`: location → region or list of regions; keys are continent codes (EU), country codes "
     "(DE), subdivisions (US-CA) or `default`; the most specific match wins"},
    {"when_all_down", V::string, false, "answer_all", 0, 0,
     "no healthy member: answer_all (fail open), servfail or nodata"},
}};

}  // namespace

base::Schema top() {
  return top_schema;
}
base::Schema region() {
  return region_schema;
}
base::Schema pool() {
  return pool_schema;
}
base::Schema member() {
  return member_schema;
}
base::Schema check() {
  return check_schema;
}
base::Schema record() {
  return record_schema;
}

void write_policy_reference(std::ostream& out) {
  out << "# `<zone>.gslb.yaml` reference\n\n"
         "Generated from gslb/policy_schema.cpp by `gslb check --print-policy-schema`; do not edit by hand\n"
         "(a unit test keeps this file equal to the generated text).\n\n"
         "A policy sits beside its zone file: `zones/example.com.gslb.yaml` belongs to\n"
         "`zones/example.com.zone`. Durations are written `10s`, `500ms`, `1m`. Every error\n"
         "is reported as `file:line:col: error: message`; unknown keys are errors.\n\n"
         "Rules beyond the tables:\n\n"
         "- a record's pool, a member's region, `failover` entries, `geolocation` values and\n"
         "  `nets` values must name an existing pool or region;\n"
         "- a record name must be inside the zone, must not be a wildcard (`*`), and must not\n"
         "  also have static A, AAAA or CNAME data in the zone file;\n"
         "- `steering: [failover]` needs a `failover` list and `geolocation` a `geolocation` map;\n"
         "- `geolocation` keys AF AN AS EU NA OC SA are continents (the countries with those codes\n"
         "  cannot be named);\n"
         "- a member address appears at most once per pool; a pool has at least one member.\n\n";
  base::write_schema_table(out, "top level", top_schema);
  base::write_schema_table(out, "regions.NAME", region_schema);
  base::write_schema_table(out, "pools.NAME", pool_schema);
  base::write_schema_table(out, "pools.NAME.members[]", member_schema);
  base::write_schema_table(out, "pools.NAME.check", check_schema);
  base::write_schema_table(out, "records.NAME", record_schema);
}

}  // namespace gslb::policy::schema
