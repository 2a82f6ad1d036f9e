#include "geo/prefix_trie.hpp"

namespace gslb::geo {

void PrefixTrie::insert(const base::Prefix& prefix, std::int32_t value) {
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
  trie[node].value = value;
}

void PrefixTrie::shrink_to_fit() {
  v4_.shrink_to_fit();
  v6_.shrink_to_fit();
}

}  // namespace gslb::geo
