// NetOverrides: operator rules "this CIDR is in region R" or "this CIDR is at
// location L", consulted before the geo database (gdnsd's "nets"). The most
// specific matching rule wins.
//
// Built once (policy load) into a PrefixTrie (geo/prefix_trie.hpp); a lookup
// walks at most 32 or 128 nodes and never allocates. Immutable after build():
// lookups are safe from any thread.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_set>
#include <utility>
#include <vector>

#include "base/ip.hpp"
#include "geo/geo_info.hpp"
#include "geo/prefix_trie.hpp"

namespace gslb::geo {

struct OverrideTarget {
  enum class Kind : std::uint8_t { region, location };
  Kind kind = Kind::region;
  // Kind::region: a region name as the policy spells it (geo/ does not check
  // that it exists; the policy validator does).
  std::string region;
  // Kind::location: continent/country/subdivision and/or coordinates. A
  // location with a country but no coordinates gets the country centroid at
  // add(); coordinate_source is override_rule when coordinates were given.
  GeoInfo location;

  static OverrideTarget to_region(std::string name);
  static OverrideTarget to_location(GeoInfo location);
};

class NetOverrides {
 public:
  struct Match {
    const OverrideTarget* target = nullptr;  // the most specific rule containing the address; null if none
    std::uint8_t matched_length = 0;         // that rule's prefix length (0 when none)
    // The widest prefix around the address over which this Match is the
    // same: no rule starts or ends inside it. This is longer than
    // matched_length when a more specific rule sits elsewhere inside the
    // matched one: with 10.0.0.0/8 → A and 10.1.0.0/16 → B, 10.2.3.4 matches
    // A at /8 but the answer "A" only holds for 10.2.0.0/15. When no
    // rule matches it still bounds how far "no override" extends. It is the
    // override's contribution to the ECS scope (RFC 7871 §7.2.1).
    std::uint8_t scope_length = 0;
  };

  class Builder {
   public:
    // Adds a rule. Returns an error message (for a diagnostic) when the same
    // prefix already has a rule; rules are otherwise independent.
    std::string add(const base::Prefix& prefix, OverrideTarget target);
    NetOverrides build() &&;

   private:
    std::vector<std::pair<base::Prefix, OverrideTarget>> rules_;
    std::unordered_set<base::Prefix> seen_;
  };

  NetOverrides() = default;  // no rules

  // The match for `address` (v4-mapped addresses are matched as IPv4).
  Match lookup(const base::IpAddress& address) const noexcept;

  std::size_t size() const noexcept { return trie_.size(); }
  bool empty() const noexcept { return trie_.empty(); }

 private:
  PrefixTrie<OverrideTarget> trie_;
};

}  // namespace gslb::geo
