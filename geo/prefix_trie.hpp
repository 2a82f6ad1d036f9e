// PrefixTrie<T>: longest-prefix match over IPv4 and IPv6 prefixes, each
// marked prefix carrying a T, plus for every lookup the widest prefix around
// the address over which the answer is constant: the ECS scope such a match
// contributes (RFC 7871 §7.2.1). The one implementation behind
// geo::NetOverrides and policy::LatencyTable.
//
// One binary trie per family, stored as a flat node array; a lookup walks at
// most 32 or 128 nodes and never allocates. Thread context: insert() on one
// thread while building; afterwards the trie is immutable and lookup() is
// safe from any number of threads.
#pragma once

#include <algorithm>
#include <cstdint>
#include <utility>
#include <vector>

#include "base/ip.hpp"

namespace gslb::geo {

template <class T>
class PrefixTrie {
 public:
  struct Match {
    // The value of the longest marked prefix containing the address (among
    // those within the lookup's max_length); null when none. Points into
    // values().
    const T* value = nullptr;
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
  // `value`, appended to values(). Returns false, changing nothing, when
  // `prefix` is already marked.
  bool insert(const base::Prefix& prefix, T value);
  // Releases spare capacity; call once building is done.
  void shrink_to_fit();

  // Longest match for `address` (v4-mapped addresses match as IPv4) among
  // marked prefixes no longer than `max_length` bits (clamped to the
  // address's bit count); the overload without it considers all of them.
  Match lookup(const base::IpAddress& address, int max_length) const noexcept;
  Match lookup(const base::IpAddress& address) const noexcept { return lookup(address, 128); }

  // The values in insertion order.
  const std::vector<T>& values() const noexcept { return values_; }
  std::size_t size() const noexcept { return values_.size(); }
  bool empty() const noexcept { return values_.empty(); }

 private:
  struct Node {
    std::uint32_t child[2] = {0, 0};  // 0 = absent (the root is never a child)
    std::int32_t value = -1;          // index into values_, or -1
  };
  // One trie per family; node 0 is the root.
  std::vector<Node> v4_{Node{}};
  std::vector<Node> v6_{Node{}};
  std::vector<T> values_;
};

template <class T>
bool PrefixTrie<T>::insert(const base::Prefix& prefix, T value) {
  std::vector<Node>& trie = prefix.family() == base::IpFamily::v4 ? v4_ : v6_;
  std::uint32_t node = 0;
  for (int depth = 0; depth < prefix.length(); ++depth) {
    const int bit = prefix.address().bit(depth) ? 1 : 0;
    if (trie[node].child[bit] == 0) {
      trie[node].child[bit] = static_cast<std::uint32_t>(trie.size());
      trie.emplace_back();
    }
    node = trie[node].child[bit];
  }
  if (trie[node].value >= 0) return false;
  trie[node].value = static_cast<std::int32_t>(values_.size());
  values_.push_back(std::move(value));
  return true;
}

template <class T>
void PrefixTrie<T>::shrink_to_fit() {
  v4_.shrink_to_fit();
  v6_.shrink_to_fit();
  values_.shrink_to_fit();
}

template <class T>
typename PrefixTrie<T>::Match PrefixTrie<T>::lookup(const base::IpAddress& address, int max_length) const noexcept {
  const base::IpAddress a = address.normalized();
  const std::vector<Node>& trie = a.is_v4() ? v4_ : v6_;
  const int limit = std::clamp(max_length, 0, a.bit_count());
  Match m;
  std::uint32_t node = 0;
  int depth = 0;
  while (true) {
    const Node& n = trie[node];
    if (n.value >= 0) {
      m.value = &values_[static_cast<std::size_t>(n.value)];
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
