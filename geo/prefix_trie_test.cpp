#include "geo/prefix_trie.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <array>
#include <random>
#include <string>
#include <vector>

using gslb::base::IpAddress;
using gslb::base::Prefix;
using Trie = gslb::geo::PrefixTrie<int>;

namespace {

Prefix net(const char* text) {
  std::string error;
  const auto p = Prefix::parse(text, &error);
  REQUIRE_MESSAGE(p.has_value(), error);
  return *p;
}

IpAddress ip(const char* text) {
  return *IpAddress::parse(text);
}

// The length of the common leading bits of two addresses of one family.
int common_length(const IpAddress& a, const IpAddress& b) {
  int n = 0;
  while (n < a.bit_count() && a.bit(n) == b.bit(n)) ++n;
  return n;
}

// The value a match points to, -1 for none.
int value_of(const Trie::Match& m) {
  return m.value == nullptr ? -1 : *m.value;
}

// What a lookup should give: the value (-1 for none) and the two lengths.
struct Expected {
  int value = -1;
  int matched_length = 0;
  int scope_length = 0;
};

// The definition the trie implements, by brute force over every marked
// prefix: the longest containing one within the limit; the scope is the
// shortest length L such that no marked prefix (of any length) lies inside
// address/L without covering all of it, capped at the limit.
Expected reference(const std::vector<std::pair<Prefix, int>>& marked, const IpAddress& address, int max_length) {
  const IpAddress a = address.normalized();
  const int limit = std::clamp(max_length, 0, a.bit_count());
  Expected m;
  int scope = 0;
  for (const auto& [p, value] : marked) {
    if (p.family() != a.family()) continue;
    if (p.contains(a)) {
      if (p.length() <= limit && (m.value < 0 || p.length() > m.matched_length)) {
        m.value = value;
        m.matched_length = p.length();
      }
      scope = std::max(scope, p.length());
    } else {
      // p lies inside address/L exactly when L <= the common bits.
      scope = std::max(scope, common_length(p.address(), a) + 1);
    }
  }
  m.scope_length = std::min(scope, limit);
  return m;
}

}  // namespace

TEST_CASE("prefix trie: longest match, host routes and defaults per family") {
  Trie trie;
  trie.insert(net("0.0.0.0/0"), 0);
  trie.insert(net("10.0.0.0/8"), 1);
  trie.insert(net("10.1.2.3/32"), 2);
  trie.insert(net("2001:db8::1/128"), 3);
  trie.insert(net("::ffff:198.51.100.0/120"), 4);  // stored as 198.51.100.0/24
  trie.shrink_to_fit();

  struct Row {
    const char* address;
    int value;
    int matched_length;
    int scope_length;
  };
  const Row rows[] = {
      {"10.1.2.3", 2, 32, 32},     {"10.1.2.2", 1, 8, 32},  // the host route's neighbour: only itself
      {"10.128.0.0", 1, 8, 9},     {"11.0.0.0", 0, 0, 8},   // beside 10/8 under the default
      {"198.51.100.7", 4, 24, 24}, {"2001:db8::1", 3, 128, 128},
      {"2001:db8::", -1, 0, 128},  // the /128's neighbour; ::/0 is not 0.0.0.0/0
      {"8000::", -1, 0, 1},
  };
  for (const Row& r : rows) {
    CAPTURE(std::string(r.address));
    const auto m = trie.lookup(ip(r.address));
    CHECK(value_of(m) == r.value);
    CHECK(int{m.matched_length} == r.matched_length);
    CHECK(int{m.scope_length} == r.scope_length);
  }
  // A v4-mapped address from raw bytes (as a dual-stack socket gives it)
  // matches the IPv4 prefixes.
  std::array<std::uint8_t, 16> mapped{};
  mapped[10] = mapped[11] = 0xff;
  mapped[12] = 10, mapped[13] = 1, mapped[14] = 2, mapped[15] = 3;
  const auto m = trie.lookup(IpAddress::v6(mapped));
  CHECK(value_of(m) == 2);
  CHECK(m.scope_length == 32);
  mapped[12] = 198, mapped[13] = 51, mapped[14] = 100, mapped[15] = 7;
  CHECK(value_of(trie.lookup(IpAddress::v6(mapped), 128)) == 4);
  CHECK(value_of(trie.lookup(IpAddress::v6(mapped), 16)) == 0);
}

TEST_CASE("prefix trie: empty, /0 only, marking twice, max_length limits") {
  const Trie empty;
  CHECK(value_of(empty.lookup(ip("192.0.2.1"))) == -1);
  CHECK(empty.lookup(ip("192.0.2.1")).scope_length == 0);
  CHECK(empty.lookup(ip("2001:db8::1")).scope_length == 0);

  Trie defaults;
  CHECK(defaults.insert(net("::/0"), 7));
  CHECK_FALSE(defaults.insert(net("::/0"), 8));  // already marked: the first value stays
  CHECK(defaults.size() == 1);
  auto m = defaults.lookup(ip("2001:db8::1"));
  CHECK(value_of(m) == 7);
  CHECK(m.scope_length == 0);
  CHECK(value_of(defaults.lookup(ip("192.0.2.1"))) == -1);

  Trie trie;
  trie.insert(net("10.0.0.0/8"), 1);
  trie.insert(net("10.1.2.0/24"), 2);
  // A limit below the /24: the /8 decides, and the scope is the limit since
  // deeper bits (where the /24 would differ) were not revealed.
  m = trie.lookup(ip("10.1.2.3"), 16);
  CHECK(value_of(m) == 1);
  CHECK(m.scope_length == 16);
  m = trie.lookup(ip("10.1.2.3"), 0);
  CHECK(value_of(m) == -1);
  CHECK(m.scope_length == 0);
  // Out-of-range limits clamp to [0, bits].
  CHECK(trie.lookup(ip("10.1.2.3"), -5).scope_length == 0);
  CHECK(value_of(trie.lookup(ip("10.1.2.3"), 1000)) == 2);
  CHECK(trie.lookup(ip("10.1.2.3"), 1000).scope_length == 24);
  // A miss that leaves the path early: 10.2/15 holds no marked prefix.
  m = trie.lookup(ip("10.2.0.1"), 32);
  CHECK(value_of(m) == 1);
  CHECK(m.scope_length == 15);
}

TEST_CASE("prefix trie: agrees with a brute-force reference on random prefixes") {
  std::mt19937 rng(20261124);
  for (int round = 0; round < 40; ++round) {
    // Prefixes clustered under a few shared roots so that they nest and
    // neighbour each other; both families.
    Trie trie;
    std::vector<std::pair<Prefix, int>> marked;
    const std::uint32_t roots[] = {0x0a000000, 0x0a010000, 0xc0000200};
    const int count = 1 + static_cast<int>(rng() % 24);
    for (int i = 0; i < count; ++i) {
      Prefix p;
      if (rng() % 4 == 0) {
        std::array<std::uint8_t, 16> bytes{0x20, 0x01, 0x0d, 0xb8};
        bytes[4] = static_cast<std::uint8_t>(rng() % 4);
        bytes[15] = static_cast<std::uint8_t>(rng());
        p = Prefix(IpAddress::v6(bytes), static_cast<int>(rng() % 129));
      } else {
        const std::uint32_t bits = roots[rng() % 3] | (rng() & 0x0003ffff);
        p = Prefix(IpAddress::v4(bits), static_cast<int>(rng() % 33));
      }
      const bool fresh = std::none_of(marked.begin(), marked.end(), [&](const auto& e) { return e.first == p; });
      CHECK(trie.insert(p, i) == fresh);
      if (fresh) marked.emplace_back(p, i);
    }
    CHECK(trie.size() == marked.size());
    for (int probe = 0; probe < 200; ++probe) {
      IpAddress a;
      if (probe % 4 == 0) {
        std::array<std::uint8_t, 16> bytes{0x20, 0x01, 0x0d, 0xb8};
        bytes[4] = static_cast<std::uint8_t>(rng() % 4);
        bytes[15] = static_cast<std::uint8_t>(rng());
        a = IpAddress::v6(bytes);
      } else {
        a = IpAddress::v4(roots[rng() % 3] | (rng() & 0x0003ffff));
      }
      const int max_length = static_cast<int>(rng() % 140);
      CAPTURE(a.to_string());
      CAPTURE(max_length);
      const auto got = trie.lookup(a, max_length);
      const auto want = reference(marked, a, max_length);
      CHECK(value_of(got) == want.value);
      CHECK(int{got.matched_length} == want.matched_length);
      CHECK(int{got.scope_length} == want.scope_length);
    }
  }
}
