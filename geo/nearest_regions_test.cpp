// End-to-end table for the geo layer as the "geo" steering step will use it:
// (client source or ECS subnet) → nearest regions in order + ECS scope, on the
// committed test databases. One row per case, including high-latitude
// clients, v4-mapped sources, prefix edges and operator overrides.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "geo/client_location.hpp"
#include "geo/distance.hpp"
#include "geo/geo_db.hpp"
#include "geo/test_paths.hpp"

using gslb::base::IpAddress;
using gslb::base::Prefix;
using namespace gslb::geo;

namespace {

struct Region {
  const char* name;
  double lat;
  double lon;
};

// Cloud-region-like sites.
const std::vector<Region> kRegions = {
    {"us-west", 37.34, -121.89},     {"us-northwest", 45.60, -121.20}, {"us-east", 38.90, -77.00},
    {"eu-central", 50.11, 8.68},     {"eu-north", 59.33, 18.07},       {"eu-finland", 60.17, 24.94},
    {"ap-northeast", 35.69, 139.69}, {"ap-southeast", 1.29, 103.85},   {"ap-sydney", -33.87, 151.21},
    {"sa-east", -23.55, -46.63},     {"af-south", -33.92, 18.42},
};

SiteSet region_sites() {
  std::vector<Site> sites;
  for (const auto& r : kRegions) sites.push_back({GeoPoint::from_degrees(r.lat, r.lon), 1.0});
  return SiteSet(std::move(sites));
}

struct Query {
  const char* source;
  bool v4_mapped_source = false;
  const char* ecs = nullptr;  // "192.0.2.0/24"; null for none
};

// The first three regions for the client, "=name" for a region override, or
// {} when the client has no coordinates; plus the scope.
std::pair<std::vector<std::string>, int> nearest(const Query& q, const GeoDb& db, const NetOverrides& overrides,
                                                 const SiteSet& sites) {
  sockaddr_storage ss{};
  const auto src = *IpAddress::parse(q.source);
  (q.v4_mapped_source ? src.to_v6_mapped() : src).to_sockaddr(ss);
  std::array<std::uint8_t, 16> ecs_bytes{};
  std::uint16_t family = 0;
  std::uint8_t source_prefix = 0;
  if (q.ecs != nullptr) {
    const auto p = *Prefix::parse(q.ecs);
    family = p.family() == gslb::base::IpFamily::v4 ? 1 : 2;
    source_prefix = static_cast<std::uint8_t>(p.length());
    std::copy(p.address().bytes().begin(), p.address().bytes().end(), ecs_bytes.begin());
  }
  const auto client = choose_client_address(ss, q.ecs != nullptr, family, source_prefix, ecs_bytes);
  REQUIRE(client.has_value());
  const ClientLocation where = locate_client(*client, &overrides, &db);
  std::vector<std::string> order;
  if (where.override_target != nullptr && where.override_target->kind == OverrideTarget::Kind::region) {
    order.push_back("=" + where.override_target->region);
  } else if (where.geo.has_coordinates) {
    std::vector<RankedSite> ranked(sites.size());
    sites.rank(GeoPoint::from_degrees(where.geo.latitude, where.geo.longitude), ranked);
    for (std::size_t i = 0; i < 3; ++i) order.emplace_back(kRegions[ranked[i].index].name);
  }
  return {order, where.scope_prefix};
}

struct Row {
  Query query;
  std::vector<std::string> expected;
  int scope;
};

void check_rows(const char* db_file, const std::vector<Row>& rows) {
  auto opened = GeoDb::open(test_data_path(db_file));
  REQUIRE_MESSAGE(opened.db != nullptr, opened.error);
  NetOverrides::Builder builder;
  REQUIRE(builder.add(*Prefix::parse("198.51.100.128/25"), OverrideTarget::to_region("ap-southeast")).empty());
  const NetOverrides overrides = std::move(builder).build();
  const SiteSet sites = region_sites();
  for (const auto& row : rows) {
    const std::string what = std::string(db_file) + " " + row.query.source +
                             (row.query.v4_mapped_source ? " (mapped)" : "") +
                             (row.query.ecs ? std::string(" ecs ") + row.query.ecs : "");
    INFO(what);
    const auto [order, scope] = nearest(row.query, *opened.db, overrides, sites);
    CHECK(order == row.expected);
    CHECK(scope == row.scope);
  }
}

}  // namespace

TEST_CASE("nearest regions per client, City database") {
  check_rows("test-city.mmdb",
             {
                 // High latitude: Tromsø is nearer Helsinki than Stockholm (degree
                 // differences would say Stockholm).
                 {{"192.0.2.1"}, {"eu-finland", "eu-north", "eu-central"}, 24},
                 {{"192.0.2.1", true}, {"eu-finland", "eu-north", "eu-central"}, 24},
                 {{"2001:db8:100::1"}, {"eu-finland", "eu-north", "eu-central"}, 48},
                 {{"127.0.0.1", false, "192.0.2.0/24"}, {"eu-finland", "eu-north", "eu-central"}, 24},
                 // Reykjavik: Stockholm, then Frankfurt, then Helsinki.
                 {{"100.67.3.4"}, {"eu-north", "eu-central", "eu-finland"}, 16},
                 {{"100.70.0.1"}, {"eu-finland", "eu-north", "eu-central"}, 16},
                 // Prefix edges: the US /16 with a Canadian /24 inside.
                 {{"198.18.6.255"}, {"us-west", "us-northwest", "us-east"}, 24},
                 {{"198.18.7.0"}, {"us-northwest", "us-west", "us-east"}, 24},
                 {{"198.18.7.255", true}, {"us-northwest", "us-west", "us-east"}, 24},
                 {{"198.18.8.0"}, {"us-west", "us-northwest", "us-east"}, 21},
                 {{"127.0.0.1", false, "198.18.0.0/16"}, {"us-west", "us-northwest", "us-east"}, 16},
                 {{"127.0.0.1", false, "198.18.7.0/24"}, {"us-northwest", "us-west", "us-east"}, 24},
                 {{"127.0.0.1", false, "2001:db8:300:5::/64"}, {"us-northwest", "us-west", "us-east"}, 64},
                 {{"127.0.0.1", false, "2001:db8:300:4::/64"}, {"us-west", "us-northwest", "us-east"}, 64},
                 // Southern hemisphere.
                 {{"198.51.100.77"}, {"ap-sydney", "ap-southeast", "ap-northeast"}, 25},
                 {{"100.64.9.9"}, {"sa-east", "af-south", "us-east"}, 16},
                 {{"2001:db8:600::1"}, {"af-south", "sa-east", "ap-southeast"}, 48},
                 {{"100.69.1.1"}, {"us-east", "us-northwest", "us-west"}, 16},
                 {{"100.68.0.1"}, {"ap-southeast", "ap-northeast", "ap-sydney"}, 16},
                 // Country-level record in a City DB: the centroid of France.
                 {{"100.71.0.1"}, {"eu-central", "eu-north", "eu-finland"}, 16},
                 // Operator override beats the database; its neighbour's scope shrinks to /25.
                 {{"198.51.100.200"}, {"=ap-southeast"}, 25},
                 {{"127.0.0.1", false, "198.51.100.128/25"}, {"=ap-southeast"}, 25},
                 // No coordinates: continent-only record, or no record at all.
                 {{"100.72.0.1"}, {}, 16},
                 {{"8.8.8.8"}, {}, 2},
                 // ECS /0: the resolver (here in Tokyo's network) is located, scope 0.
                 {{"203.0.113.53", false, "0.0.0.0/0"}, {"ap-northeast", "ap-southeast", "eu-finland"}, 0},
             });
}

TEST_CASE("nearest regions per client, Country database (centroids)") {
  check_rows("test-country.mmdb", {
                                      // Norway's centroid (62N 10E) is nearer Stockholm: a Country
                                      // database is coarser than a City one for the same client.
                                      {{"192.0.2.1"}, {"eu-north", "eu-finland", "eu-central"}, 24},
                                      // Canada's centroid is mid-continent; the US centroid is nearer the east.
                                      {{"198.18.7.1"}, {"us-northwest", "us-east", "us-west"}, 24},
                                      {{"198.18.6.1"}, {"us-east", "us-northwest", "us-west"}, 24},
                                      {{"2001:db8:200::1"}, {"ap-sydney", "ap-southeast", "ap-northeast"}, 48},
                                  });
}
