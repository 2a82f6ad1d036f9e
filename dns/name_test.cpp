#include "dns/name.hpp"

#include <doctest/doctest.h>

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
