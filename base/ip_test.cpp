#include "base/ip.hpp"

#include <doctest/doctest.h>

#include <set>
#include <string>
#include <unordered_set>

using gslb::base::IpAddress;
using gslb::base::IpFamily;
using gslb::base::Prefix;

namespace {

IpAddress ip(const char* text) {
  auto a = IpAddress::parse(text);
  REQUIRE_MESSAGE(a.has_value(), text);
  return *a;
}

Prefix net(const char* text) {
  std::string error;
  auto p = Prefix::parse(text, &error);
  REQUIRE_MESSAGE(p.has_value(), text, ": ", error);
  return *p;
}

}  // namespace

TEST_CASE("addresses parse, format and normalise v4-mapped forms") {
  struct Row {
    const char* text;
    IpFamily family;
    const char* formatted;
  };
  const Row rows[] = {
      {"192.0.2.1", IpFamily::v4, "192.0.2.1"},
      {"0.0.0.0", IpFamily::v4, "0.0.0.0"},
      {"255.255.255.255", IpFamily::v4, "255.255.255.255"},
      {"2001:DB8::1", IpFamily::v6, "2001:db8::1"},
      {"::", IpFamily::v6, "::"},
      {"::1", IpFamily::v6, "::1"},
      {"::ffff:198.51.100.7", IpFamily::v4, "198.51.100.7"},  // RFC 4291 §2.5.5.2
      {"::FFFF:c633:6407", IpFamily::v4, "198.51.100.7"},
      {"::198.51.100.7", IpFamily::v6, "::198.51.100.7"},  // deprecated v4-compatible: not folded
      {"2002:c633:6407::1", IpFamily::v6, "2002:c633:6407::1"},
  };
  for (const auto& row : rows) {
    INFO(std::string(row.text));
    const auto a = ip(row.text);
    CHECK(a.family() == row.family);
    CHECK(a.to_string() == row.formatted);
    CHECK(a.bytes().size() == (row.family == IpFamily::v4 ? 4u : 16u));
  }
  for (const char* bad : {"", "1.2.3", "1.2.3.4.5", "256.1.1.1", "01.2.3.4", "1.2.3.4/24", "fe80::1%eth0",
                          "2001:db8:::1", "g::1", " 1.2.3.4", "1.2.3.4 "}) {
    INFO(std::string(bad));
    CHECK_FALSE(IpAddress::parse(bad).has_value());
  }
  CHECK(ip("10.1.2.3").v4_host_order() == 0x0a010203u);
  CHECK(IpAddress::v4(0x0a010203u) == ip("10.1.2.3"));
}

TEST_CASE("raw v4-mapped bytes stay IPv6 until normalized") {
  const auto mapped = ip("192.0.2.9").to_v6_mapped();
  CHECK(mapped.is_v6());
  CHECK(mapped.is_v4_mapped());
  CHECK(mapped.to_string() == "::ffff:192.0.2.9");
  CHECK(mapped.normalized() == ip("192.0.2.9"));
  CHECK(mapped != ip("192.0.2.9"));
  CHECK_FALSE(ip("2001:db8::1").is_v4_mapped());
  CHECK(ip("2001:db8::1").normalized() == ip("2001:db8::1"));
  const std::uint8_t four[] = {203, 0, 113, 5};
  CHECK(IpAddress::from_bytes(four)->to_string() == "203.0.113.5");
  const std::uint8_t three[] = {1, 2, 3};
  CHECK_FALSE(IpAddress::from_bytes(three).has_value());
}

TEST_CASE("sockaddr round trip, dual-stack sources become IPv4") {
  for (const char* text : {"192.0.2.55", "2001:db8:1::55"}) {
    INFO(std::string(text));
    const auto a = ip(text);
    sockaddr_storage ss{};
    const socklen_t len = a.to_sockaddr(ss, 5353);
    CHECK(len == (a.is_v4() ? sizeof(sockaddr_in) : sizeof(sockaddr_in6)));
    CHECK(ntohs(reinterpret_cast<const sockaddr_in*>(&ss)->sin_port) == 5353);
    CHECK(IpAddress::from_sockaddr(reinterpret_cast<const sockaddr*>(&ss), len) == a);
    CHECK(IpAddress::from_sockaddr(ss) == a);
    CHECK_FALSE(IpAddress::from_sockaddr(reinterpret_cast<const sockaddr*>(&ss), len - 1).has_value());
  }
  sockaddr_storage ss{};
  ip("198.51.100.200").to_v6_mapped().to_sockaddr(ss);
  CHECK(ss.ss_family == AF_INET6);
  CHECK(IpAddress::from_sockaddr(ss) == ip("198.51.100.200"));
  sockaddr_storage unix_family{};
  unix_family.ss_family = AF_UNIX;
  CHECK_FALSE(IpAddress::from_sockaddr(unix_family).has_value());
  CHECK_FALSE(IpAddress::from_sockaddr(nullptr, 0).has_value());
}

TEST_CASE("truncation clears host bits at every boundary") {
  struct Row {
    const char* address;
    int length;
    const char* expected;
  };
  const Row rows[] = {
      {"192.0.2.255", 24, "192.0.2.0"},
      {"192.0.2.255", 25, "192.0.2.128"},
      {"192.0.2.255", 31, "192.0.2.254"},
      {"192.0.2.255", 32, "192.0.2.255"},
      {"192.0.2.255", 0, "0.0.0.0"},
      {"255.255.255.255", 1, "128.0.0.0"},
      {"192.0.2.255", 40, "192.0.2.255"},
      {"192.0.2.255", -3, "0.0.0.0"},
      {"2001:db8:ffff::1", 32, "2001:db8::"},
      {"2001:db8:ffff::1", 33, "2001:db8:8000::"},
      {"2001:db8::ffff", 127, "2001:db8::fffe"},
      {"2001:db8::ffff", 128, "2001:db8::ffff"},
  };
  for (const auto& row : rows) {
    INFO(std::string(row.address));
    INFO(row.length);
    CHECK(ip(row.address).truncated(row.length).to_string() == row.expected);
  }
}

TEST_CASE("prefixes parse strictly and fold v4-mapped forms") {
  struct Row {
    const char* text;
    const char* formatted;
    IpFamily family;
    int length;
  };
  const Row rows[] = {
      {"192.0.2.0/24", "192.0.2.0/24", IpFamily::v4, 24},
      {"0.0.0.0/0", "0.0.0.0/0", IpFamily::v4, 0},
      {"198.51.100.7", "198.51.100.7/32", IpFamily::v4, 32},
      {"2001:db8::/32", "2001:db8::/32", IpFamily::v6, 32},
      {"::/0", "::/0", IpFamily::v6, 0},
      {"2001:db8::1", "2001:db8::1/128", IpFamily::v6, 128},
      {"::ffff:192.0.2.0/120", "192.0.2.0/24", IpFamily::v4, 24},
      {"::ffff:0:0/96", "0.0.0.0/0", IpFamily::v4, 0},
  };
  for (const auto& row : rows) {
    INFO(std::string(row.text));
    const auto p = net(row.text);
    CHECK(p.to_string() == row.formatted);
    CHECK(p.family() == row.family);
    CHECK(p.length() == row.length);
  }
  struct Bad {
    const char* text;
    const char* message_part;
  };
  const Bad bad[] = {
      {"192.0.2.1/24", "did you mean 192.0.2.0/24?"}, {"192.0.2.0/33", "between 0 and 32"},
      {"2001:db8::/129", "between 0 and 128"},        {"192.0.2.0/", "between 0 and 32"},
      {"192.0.2.0/2x", "between 0 and 32"},           {"192.0.2.0/-1", "between 0 and 32"},
      {"192.0.2.0/0024", "between 0 and 32"},         {"example.com/24", "not an IPv4 or IPv6 address"},
      {"/24", "not an IPv4 or IPv6 address"},
  };
  for (const auto& row : bad) {
    INFO(std::string(row.text));
    std::string error;
    CHECK_FALSE(Prefix::parse(row.text, &error).has_value());
    CHECK(error.find(row.message_part) != std::string::npos);
  }
  std::string error;
  const auto lenient = Prefix::parse("192.0.2.77/24", &error, /*allow_host_bits=*/true);
  REQUIRE(lenient.has_value());
  CHECK(lenient->to_string() == "192.0.2.0/24");
}

TEST_CASE("prefix containment at the edges, across families and v4-mapped") {
  struct Row {
    const char* prefix;
    const char* address;
    bool inside;
  };
  const Row rows[] = {
      {"192.0.2.0/24", "192.0.2.0", true},
      {"192.0.2.0/24", "192.0.2.255", true},
      {"192.0.2.0/24", "192.0.3.0", false},
      {"192.0.2.0/24", "192.0.1.255", false},
      {"192.0.2.0/25", "192.0.2.127", true},
      {"192.0.2.0/25", "192.0.2.128", false},
      {"192.0.2.0/24", "::ffff:192.0.2.10", true},
      {"0.0.0.0/0", "203.0.113.1", true},
      {"0.0.0.0/0", "2001:db8::1", false},
      {"::/0", "192.0.2.1", false},
      {"2001:db8::/32", "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff", true},
      {"2001:db8::/32", "2001:db9::", false},
      {"2001:db8::/31", "2001:db9::", true},
  };
  for (const auto& row : rows) {
    INFO(std::string(row.prefix));
    INFO(std::string(row.address));
    CHECK(net(row.prefix).contains(ip(row.address)) == row.inside);
  }
  // Raw mapped bytes (as from a packet) are folded by contains().
  CHECK(net("192.0.2.0/24").contains(ip("192.0.2.10").to_v6_mapped()));
  CHECK(net("10.0.0.0/8").contains(net("10.1.0.0/16")));
  CHECK(net("10.0.0.0/8").contains(net("10.0.0.0/8")));
  CHECK_FALSE(net("10.1.0.0/16").contains(net("10.0.0.0/8")));
  CHECK_FALSE(net("10.0.0.0/8").contains(net("11.0.0.0/16")));
  CHECK_FALSE(net("::/0").contains(net("10.0.0.0/8")));
  CHECK(Prefix(ip("192.0.2.200"), 26).to_string() == "192.0.2.192/26");
  // Wider than the mapped block: stays IPv6.
  CHECK(Prefix(ip("192.0.2.200").to_v6_mapped(), 95).to_string() == "::fffe:0:0/95");
  CHECK(Prefix(ip("192.0.2.200").to_v6_mapped(), 120).to_string() == "192.0.2.0/24");
}

TEST_CASE("ordering and hashing distinguish family, bytes and length") {
  std::unordered_set<IpAddress> addresses;
  std::set<IpAddress> ordered;
  for (const char* text : {"192.0.2.1", "192.0.2.2", "::c000:201", "2001:db8::1", "0.0.0.0", "::"}) {
    addresses.insert(ip(text));
    ordered.insert(ip(text));
  }
  CHECK(addresses.size() == 6);  // "::c000:201" has the same low bytes as 192.0.2.1 but another family
  CHECK(ordered.begin()->to_string() == "0.0.0.0");
  CHECK(ordered.rbegin()->to_string() == "2001:db8::1");
  CHECK(std::hash<IpAddress>{}(ip("0.0.0.0")) != std::hash<IpAddress>{}(ip("::")));

  std::unordered_set<Prefix> prefixes{net("10.0.0.0/8"), net("10.0.0.0/16"), net("10.0.0.0/8")};
  CHECK(prefixes.size() == 2);
  CHECK(net("10.0.0.0/8") < net("10.0.0.0/16"));
  CHECK(net("10.0.0.0/16") < net("10.1.0.0/16"));
}

TEST_CASE("parsers survive arbitrary text and round-trip whatever they accept") {
  // Deterministic pseudo-random mutations of valid forms plus random junk;
  // operator-written prefixes reach Prefix::parse straight from YAML.
  const char* seeds[] = {"192.0.2.0/24", "2001:db8::/32", "::ffff:192.0.2.0/120", "10.0.0.1",
                         "::",           "0.0.0.0/0",     "fe80::1:2:3:4/64"};
  const std::string alphabet = "0123456789abcdefABCDEF:./%x- ";
  std::uint64_t state = 0x9e3779b97f4a7c15ULL;
  const auto next = [&] {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return state;
  };
  int accepted = 0;
  for (int i = 0; i < 20000; ++i) {
    std::string text = seeds[next() % std::size(seeds)];
    const int edits = static_cast<int>(next() % 4);
    for (int e = 0; e < edits; ++e) {
      const std::size_t at = text.empty() ? 0 : next() % (text.size() + 1);
      const char c = alphabet[next() % alphabet.size()];
      switch (next() % 3) {
        case 0:
          text.insert(text.begin() + static_cast<std::ptrdiff_t>(at), c);
          break;
        case 1:
          if (at < text.size()) text.erase(at, 1);
          break;
        default:
          if (at < text.size()) text[at] = c;
      }
    }
    if (next() % 50 == 0) text.assign(static_cast<std::size_t>(next() % 80), 'f');
    std::string error;
    const auto p = Prefix::parse(text, &error, /*allow_host_bits=*/next() % 2 == 0);
    if (p) {
      ++accepted;
      const auto again = Prefix::parse(p->to_string());
      REQUIRE_MESSAGE(again.has_value(), text);
      CHECK(*again == *p);
      CHECK(p->contains(p->address()));
    } else {
      CHECK_FALSE(error.empty());
    }
    if (const auto a = IpAddress::parse(text)) {
      CHECK(IpAddress::parse(a->to_string()) == a);
    }
  }
  CHECK(accepted > 1000);  // the mutations do keep many inputs valid
}
