#include "geo/client_location.hpp"

#include <doctest/doctest.h>

#include <string>

#include "geo/geo_db.hpp"
#include "geo/test_paths.hpp"

using gslb::base::IpAddress;
using gslb::base::Prefix;
using namespace gslb::geo;

namespace {

struct Ecs {
  std::uint16_t family = 0;  // 0: no ECS option
  const char* address = "";
  int source_prefix = 0;
};

sockaddr_storage source_sockaddr(const char* text, bool as_v4_mapped) {
  sockaddr_storage ss{};
  auto a = IpAddress::parse(text);
  REQUIRE(a.has_value());
  (as_v4_mapped ? a->to_v6_mapped() : *a).to_sockaddr(ss, 53000);
  return ss;
}

std::optional<ClientAddress> choose(const sockaddr_storage& source, const Ecs& ecs) {
  std::array<std::uint8_t, 16> bytes{};
  if (ecs.family != 0) {
    // Raw bytes as they arrive on the wire: parse without folding v4-mapped forms.
    const std::string text = ecs.address;
    auto a = IpAddress::parse(text);
    REQUIRE(a.has_value());
    const IpAddress raw = (ecs.family == 2 && a->is_v4()) ? a->to_v6_mapped() : *a;
    std::copy(raw.bytes().begin(), raw.bytes().end(), bytes.begin());
  }
  return choose_client_address(source, ecs.family != 0, ecs.family, static_cast<std::uint8_t>(ecs.source_prefix),
                               bytes);
}

// "CC" from the database or an override location, "=region" from a region
// override, "-" when nothing is known.
std::string where(const ClientLocation& loc) {
  if (loc.override_target != nullptr && loc.override_target->kind == OverrideTarget::Kind::region) {
    return "=" + loc.override_target->region;
  }
  if (!loc.geo.country.empty()) return std::string(loc.geo.country.view());
  return "-";
}

NetOverrides test_overrides() {
  NetOverrides::Builder builder;
  GeoInfo japan;
  japan.country = "JP";
  REQUIRE(builder.add(*Prefix::parse("198.51.100.128/25"), OverrideTarget::to_region("syd-override")).empty());
  REQUIRE(builder.add(*Prefix::parse("100.66.10.0/24"), OverrideTarget::to_location(japan)).empty());
  return std::move(builder).build();
}

}  // namespace

TEST_CASE("client location: address choice, database, overrides and ECS scope, one row per case") {
  auto opened = GeoDb::open(test_data_path("test-city.mmdb"));
  REQUIRE_MESSAGE(opened.db != nullptr, opened.error);
  const GeoDb& db = *opened.db;
  const NetOverrides overrides = test_overrides();

  struct Row {
    const char* name;
    const char* source;
    bool source_v4_mapped;
    Ecs ecs;
    const char* located;  // the address looked up, as text
    bool from_ecs;
    const char* expected;  // see where()
    int scope;
  };
  const Row rows[] = {
      // Packet source only: scope = the database network.
      {"plain v4 source", "192.0.2.10", false, {}, "192.0.2.10", false, "NO", 24},
      {"dual-stack socket, v4-mapped source", "192.0.2.10", true, {}, "192.0.2.10", false, "NO", 24},
      {"v6 source", "2001:db8:200::53", false, {}, "2001:db8:200::53", false, "AU", 48},
      {"high-latitude v6 source", "2001:db8:100:1::1", false, {}, "2001:db8:100:1::1", false, "NO", 48},
      // ECS: the subnet is located, scope = min(database network, source prefix).
      {"ECS /24 in a /24", "127.0.0.1", false, {1, "192.0.2.0", 24}, "192.0.2.0", true, "NO", 24},
      {"ECS /24 in a /16: scope /16", "127.0.0.1", false, {1, "100.64.0.0", 24}, "100.64.0.0", true, "BR", 16},
      {"ECS /24 nested inside the US /16", "::1", false, {1, "198.18.7.0", 24}, "198.18.7.0", true, "CA", 24},
      {"ECS /16 covering the nested /24", "127.0.0.1", false, {1, "198.18.0.0", 16}, "198.18.0.0", true, "US", 16},
      {"ECS /23 straddling US and CA", "127.0.0.1", false, {1, "198.18.6.0", 23}, "198.18.6.0", true, "US", 23},
      {"ECS /32 host", "127.0.0.1", false, {1, "198.18.200.9", 32}, "198.18.200.9", true, "US", 17},
      {"ECS host bits set are cleared", "127.0.0.1", false, {1, "192.0.2.77", 24}, "192.0.2.0", true, "NO", 24},
      {"ECS v6 /56 inside a /48", "127.0.0.1", false, {2, "2001:db8:300::", 56}, "2001:db8:300::", true, "US", 56},
      {"ECS v6 /64 nested network",
       "127.0.0.1",
       false,
       {2, "2001:db8:300:5::", 64},
       "2001:db8:300:5::",
       true,
       "CA",
       64},
      {"ECS v6 /40 wider than the /48",
       "127.0.0.1",
       false,
       {2, "2001:db8:600::", 40},
       "2001:db8:600::",
       true,
       "ZA",
       40},
      {"ECS family 2 carrying v4-mapped", "127.0.0.1", false, {2, "192.0.2.0", 120}, "192.0.2.0", true, "NO", 24},
      // RFC 7871 §7.1.2: source prefix 0 → locate the resolver, scope 0.
      {"ECS /0 v4", "198.51.100.7", false, {1, "0.0.0.0", 0}, "198.51.100.7", true, "AU", 0},
      {"ECS /0 v6", "2001:db8:600::1", false, {2, "::", 0}, "2001:db8:600::1", true, "ZA", 0},
      // Unusable ECS falls back to the packet source.
      {"ECS unknown family", "192.0.2.1", false, {3, "10.0.0.0", 8}, "192.0.2.1", false, "NO", 24},
      {"ECS v4 prefix too long", "192.0.2.1", false, {1, "10.0.0.0", 33}, "192.0.2.1", false, "NO", 24},
      // Overrides come first; their scope excludes more specific rules.
      {"region override", "127.0.0.1", false, {1, "198.51.100.128", 25}, "198.51.100.128", true, "=syd-override", 25},
      {"region override, host source", "198.51.100.200", false, {}, "198.51.100.200", false, "=syd-override", 25},
      {"beside an override: db /24 narrowed to /25", "198.51.100.1", false, {}, "198.51.100.1", false, "AU", 25},
      {"ECS /24 covering an override", "127.0.0.1", false, {1, "198.51.100.0", 24}, "198.51.100.0", true, "AU", 24},
      {"location override", "100.66.10.5", false, {}, "100.66.10.5", false, "JP", 24},
      {"location override, v4-mapped", "100.66.10.5", true, {}, "100.66.10.5", false, "JP", 24},
      {"beside a location override", "100.66.11.5", false, {}, "100.66.11.5", false, "DE", 24},
      // Nothing known: the empty network still bounds the scope.
      {"unknown v4", "8.8.8.8", false, {}, "8.8.8.8", false, "-", 2},
      {"unknown v6", "2001:db9::1", false, {}, "2001:db9::1", false, "-", 32},
  };
  for (const auto& row : rows) {
    INFO(std::string(row.name));
    const auto client = choose(source_sockaddr(row.source, row.source_v4_mapped), row.ecs);
    REQUIRE(client.has_value());
    CHECK(client->address.to_string() == row.located);
    CHECK(client->from_ecs == row.from_ecs);
    const ClientLocation loc = locate_client(*client, &overrides, &db);
    CHECK(where(loc) == row.expected);
    CHECK(int{loc.scope_prefix} == row.scope);
    CHECK(loc.scope_prefix <= client->source_prefix);
  }
}

TEST_CASE("client locations describe themselves for explain") {
  auto opened = GeoDb::open(test_data_path("test-city.mmdb"));
  REQUIRE(opened.db != nullptr);
  const NetOverrides overrides = test_overrides();
  struct Row {
    const char* source;
    Ecs ecs;
    const char* text;
  };
  const Row rows[] = {
      {"127.0.0.1", {1, "192.0.2.0", 24}, "192.0.2.0/24 (ECS): EU NO-54 69.6496,18.956 (database); scope /24"},
      {"198.51.100.200", {}, "198.51.100.200 (source): override 198.51.100.128/25 -> region syd-override; scope /25"},
      {"100.66.10.5",
       {},
       "100.66.10.5 (source): override 100.66.10.0/24 -> location AS JP 36,138 (country centroid); scope /24"},
      {"100.72.1.1", {}, "100.72.1.1 (source): EU - (no coordinates); scope /16"},
      {"2001:db9::1", {}, "2001:db9::1 (source): not in the database; scope /32"},
  };
  for (const auto& row : rows) {
    const auto client = choose(source_sockaddr(row.source, false), row.ecs);
    REQUIRE(client.has_value());
    CHECK(to_string(locate_client(*client, &overrides, opened.db.get())) == row.text);
  }
}

TEST_CASE("client location without overrides or database") {
  auto opened = GeoDb::open(test_data_path("test-city.mmdb"));
  REQUIRE(opened.db != nullptr);
  const auto client = choose(source_sockaddr("192.0.2.1", false), {});
  REQUIRE(client.has_value());

  const ClientLocation nothing = locate_client(*client, nullptr, nullptr);
  CHECK_FALSE(nothing.geo.found);
  CHECK(nothing.override_target == nullptr);
  CHECK(nothing.scope_prefix == 0);  // the answer cannot depend on the client

  const ClientLocation db_only = locate_client(*client, nullptr, opened.db.get());
  CHECK(db_only.geo.country == "NO");
  CHECK(db_only.geo.has_coordinates);
  CHECK(db_only.scope_prefix == 24);

  const NetOverrides empty;
  CHECK(locate_client(*client, &empty, opened.db.get()).scope_prefix == 24);
}

TEST_CASE("no usable client address") {
  sockaddr_storage unix_source{};
  unix_source.ss_family = AF_UNIX;
  CHECK_FALSE(choose(unix_source, {}).has_value());
  CHECK_FALSE(choose(unix_source, {1, "0.0.0.0", 0}).has_value());  // /0 needs the source
  // A usable ECS option is enough on its own.
  const auto from_ecs = choose(unix_source, {1, "192.0.2.0", 24});
  REQUIRE(from_ecs.has_value());
  CHECK(from_ecs->address.to_string() == "192.0.2.0");
  CHECK(from_ecs->source_prefix == 24);
}
