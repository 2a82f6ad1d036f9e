// CompiledPolicy: a policy::Policy turned, once at load, into the flat
// structures the query path reads: member arrays split by address family,
// regions as indices with precomputed unit vectors (geo::SiteSet), failover
// and geolocation ranks as per-region arrays, hash seeds, net overrides as a
// trie. The query path never touches a string map or YAML (STYLE pitfall 1).
//
// Thread context: compile() on a control thread; the result is immutable and
// read by any number of workers at once. Ownership: plain value, shared as
// std::shared_ptr<const CompiledPolicy> inside the engine's snapshot.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/ip.hpp"
#include "geo/distance.hpp"
#include "geo/net_overrides.hpp"
#include "gslb/latency_table.hpp"
#include "gslb/policy.hpp"

namespace gslb::policy {

inline constexpr std::uint16_t kUnranked = 0xffff;  // region not named by a failover/geolocation list

struct CompiledMember {
  std::string id;  // Member::id ("<pool>/<address>"), the health view key
  std::uint16_t region = 0;
  base::IpFamily family = base::IpFamily::v4;
  std::array<std::uint8_t, 16> rdata{};  // 4 or 16 bytes used, by family
  std::uint8_t weight = 100;
  std::uint64_t hash_seed = 0;  // from the member id: stable across reloads
};

struct CompiledPool {
  std::string name;
  std::vector<std::uint16_t> v4;  // indices into CompiledPolicy::members, in written order
  std::vector<std::uint16_t> v6;
  std::vector<std::uint16_t> all;
};

// Geolocation map compiled to index lookups. Each list is stored as a rank
// per region (position in the written list, kUnranked when absent).
struct CompiledGeolocation {
  std::vector<std::vector<std::uint16_t>> ranks;  // one per distinct map entry
  std::array<std::int16_t, 7> by_continent{};     // AF AN AS EU NA OC SA → list, −1 none
  std::array<std::int16_t, 26 * 26> by_country{};
  std::vector<std::pair<std::uint64_t, std::int16_t>> by_subdivision;  // sorted by packed "CC-SUB"
  std::int16_t fallback = -1;
  std::vector<std::string> names;  // the key each list came from ("EU", "US-CA", "default"), for explain
};

struct CompiledRecord {
  std::string name;  // as written, for explain
  std::string key;   // owner in canonical wire form (dns::Name::canonical_key)
  std::uint16_t pool = 0;
  std::uint32_t ttl = 30;
  int answers = 1;
  std::vector<Steering> steps;               // never empty ([all] when none written)
  std::vector<std::uint16_t> failover_rank;  // per region
  CompiledGeolocation geolocation;
  WhenAllDown when_all_down = WhenAllDown::answer_all;
  bool needs_location = false;  // a geo, geolocation or latency step
};

struct CompiledPolicy {
  dns::Name zone;
  std::vector<std::string> region_names;  // sorted (Policy::regions order); index = region id
  geo::SiteSet geo_sites;                 // with Route 53 bias, for `geo`
  geo::SiteSet latency_sites;             // unbiased, for distance-estimated latency
  std::vector<CompiledMember> members;
  std::vector<CompiledPool> pools;
  std::vector<CompiledRecord> records;
  geo::NetOverrides nets;
  // The imported latency table in this policy's region ids; empty unless a
  // record has a latency step and a table was loaded (set after compile()
  // by whoever loads the snapshot: the table is data, not policy).
  PolicyLatency latency;
  int panic_threshold_percent = 0;
  std::size_t max_pool_size = 0;

  // Region id for a name, or −1. Binary search over sorted names; used at
  // compile time and when an operator net override names a region.
  int region_index(std::string_view name) const noexcept;
};

using CompiledPolicyPtr = std::shared_ptr<const CompiledPolicy>;

// Compiles a validated policy. Throws std::invalid_argument for references
// the loader should have rejected (unknown region or pool): compile runs on
// the control plane, never on the query path.
CompiledPolicy compile(const Policy& policy);

// Continent code → 0..6 (AF AN AS EU NA OC SA), −1 when unknown.
int continent_index(std::string_view code) noexcept;
// "DE" → 0..675, −1 when not two upper-case letters.
int country_index(std::string_view code) noexcept;
// Country + subdivision packed into one integer for the sorted table.
std::uint64_t pack_subdivision(std::string_view country, std::string_view subdivision) noexcept;

}  // namespace gslb::policy
