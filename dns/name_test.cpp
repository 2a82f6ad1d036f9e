#include "dns/name.hpp"

#include <doctest/doctest.h>

#include <cstring>

using gslb::dns::Name;

TEST_CASE("names parse, print and compare case-insensitively") {
  const auto origin = Name::parse("Example.COM.");
  REQUIRE(origin);
  CHECK(origin->label_count() == 2);
  CHECK(origin->wire() == std::string("\x07"
                                      "Example\x03"
                                      "COM\x00",
                                      13));
  CHECK(origin->canonical_key() == std::string("\x07"
                                               "example\x03"
                                               "com\x00",
                                               13));
  const auto www = Name::parse("www", &*origin);
  REQUIRE(www);
  CHECK(www->to_string() == "www.Example.COM.");
  CHECK(www->is_subdomain_of(*Name::parse("example.com.")));
  CHECK_FALSE(Name::parse("wwwexample.com.")->is_subdomain_of(*Name::parse("example.com.")));
  CHECK(www->parent() == *origin);
  CHECK(*Name::parse("@", &*origin) == *origin);
  CHECK(Name::parse("a\\.b.c.")->label_count() == 2);
  CHECK(Name::parse("a\\.b.c.")->to_string() == "a\\.b.c.");
  CHECK(Name::parse("\\065.x.")->to_string() == "A.x.");
  CHECK_FALSE(Name::parse("relative"));                  // no origin
  CHECK_FALSE(Name::parse("a..b."));                     // empty label
  CHECK_FALSE(Name::parse(std::string(64, 'a') + "."));  // label too long
  std::string longname;
  for (int i = 0; i < 64; ++i) longname += "abc.";
  CHECK_FALSE(Name::parse(longname));  // > 255 octets
  CHECK(Name().is_root());
  CHECK(Name().to_string() == ".");
}

TEST_CASE("copy_lower lower-cases exactly the ASCII letters, at every length and offset") {
  // Every octet value at every position of every length up to 40, against the
  // one-octet definition; and not one octet written past n.
  for (std::size_t n = 0; n <= 40; ++n) {
    for (int v = 0; v < 256; ++v) {
      std::uint8_t in[48];
      std::uint8_t out[48];
      for (std::size_t i = 0; i < sizeof in; ++i) in[i] = static_cast<std::uint8_t>('A' + (i * 7 + v) % 60);
      if (n != 0) in[static_cast<std::size_t>(v) % n] = static_cast<std::uint8_t>(v);
      std::memset(out, 0xee, sizeof out);
      gslb::dns::copy_lower(out, in, n);
      for (std::size_t i = 0; i < n; ++i) REQUIRE(out[i] == gslb::dns::dns_tolower(in[i]));
      for (std::size_t i = n; i < sizeof out; ++i) REQUIRE(out[i] == 0xee);
    }
  }
  CHECK(gslb::dns::dns_tolower('@') == '@');
  CHECK(gslb::dns::dns_tolower('[') == '[');
  CHECK(gslb::dns::dns_tolower(0xc1) == 0xc1);  // 'A' | 0x80 is not a letter
}

TEST_CASE("same_bytes agrees with memcmp for every length and differing position") {
  std::uint8_t a[64];
  for (std::size_t i = 0; i < sizeof a; ++i) a[i] = static_cast<std::uint8_t>(i * 13 + 1);
  for (std::size_t n = 0; n <= sizeof a; ++n) {
    std::uint8_t b[64];
    std::memcpy(b, a, sizeof b);
    REQUIRE(gslb::dns::same_bytes(a, b, n));
    for (std::size_t k = 0; k < n; ++k) {
      b[k] ^= 0x20;  // a case difference is a difference here
      REQUIRE_FALSE(gslb::dns::same_bytes(a, b, n));
      b[k] ^= 0x20;
    }
  }
}
