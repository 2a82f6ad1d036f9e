#include "geo/net_overrides.hpp"

#include <doctest/doctest.h>

#include <string>

using gslb::base::IpAddress;
using gslb::base::Prefix;
using namespace gslb::geo;

namespace {

Prefix net(const char* text) {
  std::string error;
  const auto p = Prefix::parse(text, &error);
  REQUIRE_MESSAGE(p.has_value(), error);
  return *p;
}

// What a match names: the region, "@CC" for a location rule, "" for none.
std::string label(const NetOverrides::Match& m) {
  if (m.target == nullptr) return "";
  if (m.target->kind == OverrideTarget::Kind::region) return m.target->region;
  return "@" + std::string(m.target->location.country.view());
}

}  // namespace

TEST_CASE("net overrides: longest prefix wins, and the scope stops at the nearest more specific rule") {
  NetOverrides::Builder builder;
  GeoInfo norway;
  norway.country = "NO";
  CHECK(builder.add(net("10.0.0.0/8"), OverrideTarget::to_region("a")).empty());
  CHECK(builder.add(net("10.1.0.0/16"), OverrideTarget::to_region("b")).empty());
  CHECK(builder.add(net("10.1.2.0/24"), OverrideTarget::to_region("c")).empty());
  CHECK(builder.add(net("10.1.2.3/32"), OverrideTarget::to_region("host")).empty());
  CHECK(builder.add(net("192.0.2.0/24"), OverrideTarget::to_location(norway)).empty());
  CHECK(builder.add(net("::ffff:198.51.100.0/120"), OverrideTarget::to_region("mapped")).empty());
  CHECK(builder.add(net("2001:db8::/32"), OverrideTarget::to_region("v6a")).empty());
  CHECK(builder.add(net("2001:db8:1::/48"), OverrideTarget::to_region("v6b")).empty());
  CHECK(builder.add(net("10.1.0.0/16"), OverrideTarget::to_region("again")) ==
        "duplicate net override for 10.1.0.0/16");
  CHECK(builder.add(net("198.51.100.0/24"), OverrideTarget::to_region("again")) ==
        "duplicate net override for 198.51.100.0/24");
  const NetOverrides overrides = std::move(builder).build();
  CHECK(overrides.size() == 8);

  struct Row {
    const char* address;
    const char* expected;
    int matched_length;
    int scope_length;
  };
  const Row rows[] = {
      {"10.2.3.4", "a", 8, 15},  // 10.2.0.0/15 holds no more specific rule; 10.0.0.0/15 does
      {"10.255.255.255", "a", 8, 9},
      {"10.0.0.0", "a", 8, 16},
      {"10.1.5.5", "b", 16, 22},    // 10.1.4.0/22 is clear of 10.1.2.0/24
      {"10.1.255.0", "b", 16, 17},  // 10.1.128.0/17
      {"10.1.2.3", "host", 32, 32},
      {"::ffff:10.1.2.3", "host", 32, 32},  // v4-mapped source
      {"10.1.2.2", "c", 24, 32},            // neighbour of the /32: only itself
      {"10.1.2.4", "c", 24, 30},            // 10.1.2.4/30 excludes .3
      {"10.1.2.200", "c", 24, 25},
      {"10.1.2.0", "c", 24, 31},
      {"11.0.0.1", "", 0, 8},  // no rule, but 10/8's sibling: "none" holds for 11.0.0.0/8
      {"9.255.255.255", "", 0, 7},
      {"172.16.0.1", "", 0, 2},
      {"192.0.2.99", "@NO", 24, 24},
      {"192.0.3.1", "", 0, 24},
      {"198.51.100.1", "mapped", 24, 24},
      {"2001:db8:2::1", "v6a", 32, 47},
      {"2001:db8:1:ffff::1", "v6b", 48, 48},
      {"2001:db8:0:1::", "v6a", 32, 48},
      {"2001:db9::1", "", 0, 32},
      {"::1", "", 0, 3},
  };
  for (const auto& row : rows) {
    INFO(std::string(row.address));
    const auto m = overrides.lookup(*IpAddress::parse(row.address));
    CHECK(label(m) == row.expected);
    CHECK(int{m.matched_length} == row.matched_length);
    CHECK(int{m.scope_length} == row.scope_length);
    CHECK(m.scope_length >= m.matched_length);
  }

  // A location rule with only a country gets the centroid and continent.
  const auto m = overrides.lookup(*IpAddress::parse("192.0.2.1"));
  REQUIRE(m.target != nullptr);
  const GeoInfo& loc = m.target->location;
  CHECK(loc.found);
  CHECK(loc.continent == "EU");
  CHECK(loc.has_coordinates);
  CHECK(loc.coordinate_source == CoordinateSource::country_centroid);
  CHECK(loc.latitude == doctest::Approx(62.0));
}

TEST_CASE("scope really is uniform: every address in the reported scope gets the same match") {
  NetOverrides::Builder builder;
  builder.add(net("10.0.0.0/8"), OverrideTarget::to_region("a"));
  builder.add(net("10.1.2.0/24"), OverrideTarget::to_region("c"));
  builder.add(net("10.1.2.64/26"), OverrideTarget::to_region("d"));
  const NetOverrides overrides = std::move(builder).build();
  // Walk 10.1.0.0 - 10.1.3.255: for each address, the first and last address
  // of its scope prefix match the same rule.
  for (std::uint32_t host = 0x0a010000; host <= 0x0a0103ff; ++host) {
    const auto address = IpAddress::v4(host);
    const auto m = overrides.lookup(address);
    const Prefix scope(address, m.scope_length);
    const std::uint32_t first = scope.address().v4_host_order();
    const std::uint32_t last = first | (m.scope_length == 0 ? 0xffffffffu : (0xffffffffu >> m.scope_length));
    CHECK(overrides.lookup(IpAddress::v4(first)).target == m.target);
    CHECK(overrides.lookup(IpAddress::v4(last)).target == m.target);
  }
}

TEST_CASE("default rules and empty override sets") {
  const NetOverrides none;
  const auto m = none.lookup(*IpAddress::parse("203.0.113.9"));
  CHECK(m.target == nullptr);
  CHECK(m.scope_length == 0);
  CHECK(none.lookup(*IpAddress::parse("2001:db8::1")).scope_length == 0);

  NetOverrides::Builder builder;
  GeoInfo somewhere;
  somewhere.latitude = 1.5;
  somewhere.longitude = 2.5;
  somewhere.has_coordinates = true;
  builder.add(net("0.0.0.0/0"), OverrideTarget::to_region("everything-v4"));
  builder.add(net("::/0"), OverrideTarget::to_location(somewhere));
  const NetOverrides defaults = std::move(builder).build();
  const auto v4 = defaults.lookup(*IpAddress::parse("203.0.113.9"));
  CHECK(label(v4) == "everything-v4");
  CHECK(v4.matched_length == 0);
  CHECK(v4.scope_length == 0);
  const auto v6 = defaults.lookup(*IpAddress::parse("2001:db8::1"));
  REQUIRE(v6.target != nullptr);
  CHECK(v6.target->location.coordinate_source == CoordinateSource::override_rule);
  CHECK(v6.target->location.latitude == 1.5);
  CHECK(v6.scope_length == 0);
}
