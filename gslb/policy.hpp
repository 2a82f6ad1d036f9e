// The GSLB policy model: what a zone's `<zone>.gslb.yaml` says, as plain
// immutable data. policy_loader builds it (with file:line diagnostics);
// the steering engine compiles it into per-query structures at load time
// (sorted region lists, coordinates, hash rings) and never reads YAML or
// looks up strings per query.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/ip.hpp"
#include "dns/name.hpp"
#include "health/check_spec.hpp"

namespace gslb::policy {

// Where a policy element was written, for diagnostics and `gslb explain`.
struct Origin {
  std::string file;
  int line = 0;    // 1-based
  int column = 0;  // 1-based
};

struct Region {
  std::string name;
  double latitude = 0;    // degrees, −90..90
  double longitude = 0;   // degrees, −180..180
  std::string country;    // ISO 3166-1 alpha-2, optional
  std::string continent;  // AF AN AS EU NA OC SA, optional
  int bias = 0;           // Route 53 geoproximity bias, −99..99
  Origin where;
};

struct Member {
  std::string region;                            // a key of Policy::regions
  base::IpAddress address;                       // what the answer carries (A or AAAA by family)
  int weight = 100;                              // 0..255 (Route 53); 0 = used only when every non-zero member is down
  std::optional<base::IpAddress> check_address;  // probe this instead of `address`
  Origin where;
  Origin region_where;  // of the `region` value, for diagnostics
  // Stable id used by health views, overrides and SQLite: "<pool>/<address>".
  std::string id;
};

struct Pool {
  std::string name;
  std::optional<health::CheckSpec> check;  // none: members are up unless forced down
  std::vector<Member> members;
  Origin where;
};

enum class Steering { failover, geo, geolocation, latency, weighted, hash, all };

enum class WhenAllDown { answer_all, servfail, nodata };

// geolocation: most specific match wins (subdivision > country > continent >
// default), Route 53 style. Keys are "EU", "DE", "US-CA"; values region names.
struct GeolocationMap {
  std::map<std::string, std::vector<std::string>> by_location;
  std::vector<std::string> fallback;  // "default"
};

struct Record {
  std::string name;                   // owner relative to the zone origin as written ("www", "@")
  dns::Name owner;                    // absolute
  std::string pool;                   // a key of Policy::pools
  std::uint32_t ttl = 30;             // seconds
  int answers = 1;                    // 1..8 A (or AAAA) records per answer
  std::vector<Steering> steering;     // ordered steps; empty = [all]
  std::vector<std::string> failover;  // region order for `failover`
  GeolocationMap geolocation;         // for `geolocation`
  WhenAllDown when_all_down = WhenAllDown::answer_all;
  Origin where;  // of the record's name
  // Of the `pool`, `failover` and `geolocation` values (where absent: `where`).
  Origin pool_where;
  Origin failover_where;
  Origin geolocation_where;
};

// Operator CIDR → region rules (gdnsd "nets"): before the MaxMind database.
struct NetRule {
  base::Prefix prefix;
  std::string region;
  Origin where;
};

struct Policy {
  dns::Name zone;    // the zone this policy belongs to
  std::string file;  // the .gslb.yaml path
  std::map<std::string, Region> regions;
  std::map<std::string, Pool> pools;
  std::map<std::string, Record> records;  // keyed by relative name as written
  std::vector<NetRule> nets;
  int panic_threshold_percent = 0;  // below this % healthy in a pool, ignore health (0 = off)
};

using PolicyPtr = std::shared_ptr<const Policy>;

}  // namespace gslb::policy
