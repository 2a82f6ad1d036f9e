// LatencyTable: the imported client-prefix → region → RTT data, built once
// at load (start-up, SIGHUP) into the structures the query path reads.
//
// Two levels:
//   LatencyTable    shared by every policy: a geo::PrefixTrie whose marked
//                   prefixes are the rows, numbered in insertion order; a
//                   row is a prefix and its (region name id, RTT) entries.
//   PolicyLatency   per compiled policy: each row's entries re-expressed in
//                   that policy's region ids (sorted by id), the names it
//                   does not define dropped and counted for a warning.
// A lookup walks at most 32 or 128 trie nodes, then reads one small array:
// no allocation, no string or map work (STYLE pitfall 1).
//
// Thread context: Builder and compile on the control thread; the results are
// immutable and read by any number of workers. Ownership: LatencyTable is
// shared as std::shared_ptr<const LatencyTable>; PolicyLatency lives inside
// its CompiledPolicy and keeps the table alive.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "base/ip.hpp"
#include "geo/prefix_trie.hpp"

namespace gslb::policy {

class LatencyTable {
 public:
  struct Entry {
    std::uint32_t region_name = 0;  // index into region_names()
    float rtt_ms = 0;
  };

  struct Match {
    std::int32_t row = -1;            // the longest row prefix containing the address, −1 when none
    std::uint8_t matched_length = 0;  // that row's prefix length
    // The widest prefix around the address over which this Match is the same
    // (no row starts or ends inside it): matched_length unless a more
    // specific row sits elsewhere inside the matched one. With rows
    // 10.0.0.0/8 and 10.1.0.0/16, 10.2.3.4 matches the /8 but that holds
    // only for 10.2.0.0/15. Also bounds "no row" when row is −1. Never
    // longer than the lookup's max_length. It is the table's ECS scope
    // contribution (RFC 7871 §7.2.1).
    std::uint8_t scope_length = 0;
  };

  class Builder {
   public:
    // Adds one (prefix, region, rtt) fact. Returns false when the pair was
    // already added (the later value is ignored). `prefix` is normalised
    // (v4-mapped folded) by base::Prefix.
    bool add(const base::Prefix& prefix, std::string_view region, double rtt_ms);
    std::shared_ptr<const LatencyTable> build() &&;

   private:
    std::unordered_map<base::Prefix, std::vector<Entry>> rows_;
    std::vector<std::string> names_;
    std::unordered_map<std::string, std::uint32_t> name_ids_;
  };

  LatencyTable() = default;  // empty

  // Longest match for `address` (v4-mapped addresses match as IPv4) among
  // rows no longer than `max_length` bits: an ECS client that revealed /16
  // must not be matched by a /24 row it may not be in. Any thread.
  Match lookup(const base::IpAddress& address, int max_length) const noexcept;

  std::span<const Entry> entries(std::int32_t row) const noexcept {
    return {entries_.data() + row_begin_[row], entries_.data() + row_begin_[row + 1]};
  }
  const base::Prefix& prefix(std::int32_t row) const noexcept { return trie_.values()[row]; }
  const std::vector<std::string>& region_names() const noexcept { return names_; }
  std::size_t row_count() const noexcept { return trie_.size(); }
  std::size_t entry_count() const noexcept { return entries_.size(); }
  bool empty() const noexcept { return trie_.empty(); }

 private:
  geo::PrefixTrie<base::Prefix> trie_;    // row i is trie_.values()[i]: each row's own prefix
  std::vector<std::uint32_t> row_begin_;  // row i's entries: [row_begin_[i], row_begin_[i + 1])
  std::vector<Entry> entries_;
  std::vector<std::string> names_;
};

using LatencyTablePtr = std::shared_ptr<const LatencyTable>;

// The RTT estimate for a region the table has no measurement of, comparable
// with measured RTTs (so that a row naming only some regions still ranks the
// others sensibly):
//   rtt ≈ 2 × distance / v + base
// with v ≈ 200 km/ms, the speed of light in silica fibre (c / n, n ≈ 1.47
// gives 204 km/ms), doubled for the round trip, plus kEstimateBaseMs for the
// access network and queueing at both ends. Great-circle distance is a lower
// bound on the cable path, so the estimate is optimistic: an unmeasured
// region looks a little nearer than a measured one at the same distance.
// Rows that name every region avoid relying on it.
inline constexpr double kFibreKmPerMs = 200;
inline constexpr double kEstimateBaseMs = 5;
constexpr double estimated_rtt_ms(double distance_km) noexcept {
  return 2 * distance_km / kFibreKmPerMs + kEstimateBaseMs;
}

// One measured region of a row, in a policy's region ids.
struct RegionRtt {
  std::uint16_t region = 0;
  float rtt_ms = 0;
};

class PolicyLatency {
 public:
  PolicyLatency() = default;  // no table: latency steps use the distance estimate
  // `region_names` are the policy's, sorted; index = region id
  // (CompiledPolicy::region_names). A null table gives an empty result.
  PolicyLatency(LatencyTablePtr table, const std::vector<std::string>& region_names);

  bool empty() const noexcept { return table_ == nullptr || table_->empty(); }
  const LatencyTable* table() const noexcept { return table_.get(); }
  // Row `row` of the table as this policy's regions, sorted by region id.
  std::span<const RegionRtt> row(std::int32_t row) const noexcept {
    return {entries_.data() + row_begin_[row], entries_.data() + row_begin_[row + 1]};
  }
  // The RTT of `region` in `row`, or a negative number when not measured.
  float rtt(std::int32_t row, std::uint16_t region) const noexcept;
  // Table region names this policy does not define (ids into the table's
  // region_names()), for the load-time warning.
  const std::vector<std::uint32_t>& unknown_names() const noexcept { return unknown_names_; }

 private:
  LatencyTablePtr table_;
  std::vector<std::uint32_t> row_begin_;
  std::vector<RegionRtt> entries_;
  std::vector<std::uint32_t> unknown_names_;
};

}  // namespace gslb::policy
