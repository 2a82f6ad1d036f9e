// PrefixTrie: longest-prefix match over IPv4 and IPv6 prefixes, each marked
// prefix carrying a value (an index into its owner's own array), plus for
// every lookup the widest prefix around the address over which the answer is
// constant: the ECS scope such a match contributes (RFC 7871 §7.2.1). The
// one implementation behind geo::NetOverrides and policy::LatencyTable.
//
// One binary trie per family, stored as a flat node array; a lookup walks at
// most 32 or 128 nodes and never allocates. Thread context: insert() on one
// thread while building; afterwards the trie is immutable and lookup() is
// safe from any number of threads.
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

#include "base/ip.hpp"

namespace gslb::geo {

class PrefixTrie {
 public:
  struct Match {
    // The value of the longest marked prefix containing the address (among
    // those within the lookup's max_length); -1 when none.
    std::int32_t value = -1;
    std::uint8_t matched_length = 0;  // that prefix's length (0 when none)
    // The widest prefix around the address over which this Match is the
    // same: no marked prefix starts or ends inside it. Longer than
    // matched_length when a more specific prefix sits elsewhere inside the
    // matched one: with 10.0.0.0/8 and 10.1.0.0/16 marked, 10.2.3.4 matches
    // the /8, but that answer holds only for 10.2.0.0/15. When nothing
    // matches it bounds how far "no match" extends. Never longer than the
    // lookup's max_length.
    std::uint8_t scope_length = 0;
  };

  PrefixTrie() = default;  // nothing marked

  // Marks `prefix` (normalised by base::Prefix: v4-mapped is IPv4) with
  // `value`, which must be >= 0. Marking a prefix again replaces its value.
  void insert(const base::Prefix& prefix, std::int32_t value);
  // Releases spare capacity; call once building is done.
  void shrink_to_fit();

  // Longest match for `address` (v4-mapped addresses match as IPv4) among
  // marked prefixes no longer than `max_length` bits (clamped to the
  // address's bit count); the overload without it considers all of them.
  Match lookup(const base::IpAddress& address, int max_length) const noexcept;
  Match lookup(const base::IpAddress& address) const noexcept { return lookup(address, 128); }

 private:
  struct Node {
    std::uint32_t child[2] = {0, 0};  // 0 = absent (the root is never a child)
    std::int32_t value = -1;          // -1 = not a marked prefix
  };
  // One trie per family; node 0 is the root.
  std::vector<Node> v4_{Node{}};
  std::vector<Node> v6_{Node{}};
};

// Defined here so that the owners' per-query lookups compile it in place.
inline PrefixTrie::Match PrefixTrie::lookup(const base::IpAddress& address, int max_length) const noexcept {
  const base::IpAddress a = address.normalized();
  const std::vector<Node>& trie = a.is_v4() ? v4_ : v6_;
  const int limit = std::clamp(max_length, 0, a.bit_count());
  Match m;
  std::uint32_t node = 0;
  int depth = 0;
  while (true) {
    const Node& n = trie[node];
    if (n.value >= 0) {
      m.value = n.value;
      m.matched_length = static_cast<std::uint8_t>(depth);
    }
    if (depth == limit) {
      // Either the address ends here or the caller may not look at more
      // bits (an ECS client that revealed only this many): what lies deeper
      // cannot be told apart, so the answer holds for all of prefix/depth.
      m.scope_length = static_cast<std::uint8_t>(depth);
      break;
    }
    const int bit = a.bit(depth) ? 1 : 0;
    if (n.child[bit] == 0) {
      // Every address below this node on our side stops here too, so the
      // match is constant over prefix/(depth + 1); with no child at all,
      // over prefix/depth.
      m.scope_length = static_cast<std::uint8_t>(n.child[1 - bit] == 0 ? depth : depth + 1);
      break;
    }
    node = n.child[bit];
    ++depth;
  }
  return m;
}

}  // namespace gslb::geo
