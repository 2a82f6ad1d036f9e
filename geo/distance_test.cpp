#include "geo/distance.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <numbers>
#include <string>
#include <vector>

using namespace gslb::geo;

namespace {

struct Place {
  const char* name;
  double lat;
  double lon;
};

constexpr Place kFrankfurt{"frankfurt", 50.11, 8.68};
constexpr Place kLondon{"london", 51.51, -0.13};
constexpr Place kStockholm{"stockholm", 59.33, 18.07};
constexpr Place kHelsinki{"helsinki", 60.17, 24.94};
constexpr Place kOregon{"oregon", 45.60, -121.20};
constexpr Place kVirginia{"virginia", 38.90, -77.00};
constexpr Place kMontreal{"montreal", 45.50, -73.57};
constexpr Place kTokyo{"tokyo", 35.69, 139.69};
constexpr Place kSeoul{"seoul", 37.57, 126.98};
constexpr Place kSydney{"sydney", -33.87, 151.21};
constexpr Place kSaoPaulo{"saopaulo", -23.55, -46.63};
constexpr Place kJohannesburg{"johannesburg", -26.20, 28.05};

GeoPoint point(const Place& p) {
  return GeoPoint::from_degrees(p.lat, p.lon);
}

// The ranking under test: names nearest-first.
std::vector<std::string> rank_names(const Place& client, const std::vector<Place>& regions,
                                    const std::vector<int>& biases = {}) {
  std::vector<Site> sites;
  for (std::size_t i = 0; i < regions.size(); ++i) {
    sites.push_back({point(regions[i]), bias_factor(biases.empty() ? 0 : biases[i])});
  }
  const SiteSet set(std::move(sites));
  std::vector<RankedSite> scratch(set.size());
  set.rank(point(client), scratch);
  std::vector<std::string> names;
  for (const auto& r : scratch) names.emplace_back(regions[r.index].name);
  return names;
}

// PowerDNS pickclosest's metric: squared degree differences. Only here to
// show that it gets these rows wrong.
std::vector<std::string> flat_earth_names(const Place& client, std::vector<Place> regions) {
  std::stable_sort(regions.begin(), regions.end(), [&](const Place& a, const Place& b) {
    const auto d = [&](const Place& p) {
      return (p.lat - client.lat) * (p.lat - client.lat) + (p.lon - client.lon) * (p.lon - client.lon);
    };
    return d(a) < d(b);
  });
  std::vector<std::string> names;
  for (const auto& r : regions) names.emplace_back(r.name);
  return names;
}

}  // namespace

TEST_CASE("haversine distances between known places") {
  struct Row {
    Place a, b;
    double km;
  };
  const Row rows[] = {
      {{"london", 51.5074, -0.1278}, {"paris", 48.8566, 2.3522}, 343.6},
      {{"new york", 40.7128, -74.0060}, {"london", 51.5074, -0.1278}, 5570.2},
      {{"sydney", -33.8688, 151.2093}, {"santiago", -33.4489, -70.6693}, 11340.0},
      {{"north pole", 90, 0}, {"south pole", -90, 0}, std::numbers::pi * kEarthRadiusKm},
      {{"equator 0", 0, 0}, {"equator 180", 0, 180}, std::numbers::pi * kEarthRadiusKm},
      {{"same", 69.65, 18.96}, {"same", 69.65, 18.96}, 0},
      {{"dateline west", -18, 179.5}, {"dateline east", -18, -179.5}, 105.8},
  };
  for (const auto& row : rows) {
    const std::string where = std::string(row.a.name) + " - " + row.b.name;
    INFO(where);
    const double reference = kEarthRadiusKm * haversine_central_angle(row.a.lat, row.a.lon, row.b.lat, row.b.lon);
    CHECK(reference == doctest::Approx(row.km).epsilon(0.002));
    CHECK(distance_km(point(row.a), point(row.b)) == doctest::Approx(reference).epsilon(1e-9));
    CHECK(distance_km(point(row.b), point(row.a)) == doctest::Approx(reference).epsilon(1e-9));
  }
}

TEST_CASE("the trig-free comparable distance orders pairs exactly as haversine does") {
  // A deterministic spread of points over the globe, including poles and the antimeridian.
  std::vector<Place> points;
  for (int lat = -90; lat <= 90; lat += 15) {
    for (int lon = -180; lon < 180; lon += 25) points.push_back({"grid", double(lat), double(lon) + 0.5});
  }
  const GeoPoint client = GeoPoint::from_degrees(64.15, -21.94);
  for (std::size_t i = 0; i + 1 < points.size(); ++i) {
    const auto& a = points[i];
    const auto& b = points[i + 1];
    const double ha = haversine_central_angle(64.15, -21.94, a.lat, a.lon);
    const double hb = haversine_central_angle(64.15, -21.94, b.lat, b.lon);
    if (std::abs(ha - hb) < 1e-12) continue;  // a genuine tie: either order is right
    CHECK((comparable_distance(client, point(a)) < comparable_distance(client, point(b))) == (ha < hb));
    CHECK(central_angle(client, point(a)) == doctest::Approx(ha).epsilon(1e-9));
  }
}

TEST_CASE("nearby points keep their precision") {
  // About one metre apart at 60°N: the chord form must not cancel to zero.
  const GeoPoint a = GeoPoint::from_degrees(60.0, 10.0);
  const GeoPoint b = GeoPoint::from_degrees(60.0 + 1.0 / 111195.0, 10.0);
  CHECK(distance_km(a, b) * 1000 == doctest::Approx(1.0).epsilon(0.01));
  CHECK(comparable_distance(a, b) > 0);
  CHECK(comparable_distance(a, a) == 0);
}

TEST_CASE("high-latitude clients: great-circle order, where degree differences get it wrong") {
  struct Row {
    Place client;
    std::vector<Place> regions;
    std::vector<std::string> expected;  // nearest first
    bool flat_earth_differs;            // the degree metric gives another order
  };
  const Row rows[] = {
      // Tromsø: Helsinki (1090 km) is nearer than Stockholm (1148 km).
      {{"tromso", 69.65, 18.96}, {kStockholm, kHelsinki}, {"helsinki", "stockholm"}, true},
      // Svalbard: London (3037 km) before Frankfurt (3139 km).
      {{"longyearbyen", 78.22, 15.65}, {kFrankfurt, kLondon}, {"london", "frankfurt"}, true},
      // Reykjavik: Stockholm (2134 km) before Frankfurt (2378 km).
      {{"reykjavik", 64.15, -21.94}, {kFrankfurt, kStockholm}, {"stockholm", "frankfurt"}, true},
      // Anchorage: Virginia 5410 km, Tokyo 5563 km, Frankfurt 7489 km; degrees
      // put Frankfurt before Tokyo (the short way to Tokyo crosses the antimeridian).
      {{"anchorage", 61.22, -149.90}, {kFrankfurt, kTokyo, kVirginia}, {"virginia", "tokyo", "frankfurt"}, true},
      // Fairbanks: Montreal (4822 km) before Virginia (5264 km).
      {{"fairbanks", 64.84, -147.72}, {kVirginia, kMontreal}, {"montreal", "virginia"}, true},
      // Murmansk: Virginia (6743 km) before Tokyo (6953 km).
      {{"murmansk", 68.97, 33.08}, {kTokyo, kVirginia}, {"virginia", "tokyo"}, true},
      // Ushuaia: Sydney (9458 km) before Frankfurt (13670 km), over the pole.
      {{"ushuaia", -54.80, -68.30}, {kFrankfurt, kSydney}, {"sydney", "frankfurt"}, true},
      // Mid-latitudes agree: a control row.
      {{"paris", 48.86, 2.35}, {kVirginia, kFrankfurt, kLondon}, {"london", "frankfurt", "virginia"}, false},
      // Fiji, across the antimeridian from a site 1° away.
      {{"fiji", -18.0, 178.5}, {kSydney, {"samoa", -13.8, -171.8}}, {"samoa", "sydney"}, true},
      // A full set from the southern hemisphere.
      {{"cape town", -33.92, 18.42},
       {kFrankfurt, kSaoPaulo, kJohannesburg, kSydney, kSeoul, kOregon},
       {"johannesburg", "saopaulo", "frankfurt", "sydney", "seoul", "oregon"},
       true},
  };
  for (const auto& row : rows) {
    INFO(std::string(row.client.name));
    CHECK(rank_names(row.client, row.regions) == row.expected);
    CHECK((flat_earth_names(row.client, row.regions) != row.expected) == row.flat_earth_differs);
  }
}

TEST_CASE("bias scales distance like Route 53 geoproximity") {
  CHECK(bias_factor(0) == 1.0);
  CHECK(bias_factor(50) == doctest::Approx(0.5));
  CHECK(bias_factor(-50) == doctest::Approx(1.5));
  CHECK(bias_factor(120) == doctest::Approx(0.01));  // clamped to 99
  CHECK(bias_factor(-120) == doctest::Approx(1.99));

  // From Frankfurt, London is 640 km and Stockholm 1190 km away.
  const Place client = kFrankfurt;
  struct Row {
    int london_bias;
    int stockholm_bias;
    std::vector<std::string> expected;
  };
  const Row rows[] = {
      {0, 0, {"london", "stockholm"}},   {0, 40, {"london", "stockholm"}},  // 1190 × 0.6 = 714 > 640
      {0, 50, {"stockholm", "london"}},                                     // 1190 × 0.5 = 595 < 640
      {-90, 0, {"stockholm", "london"}},                                    // 640 × 1.9 = 1216 > 1190
      {-80, 0, {"london", "stockholm"}},                                    // 640 × 1.8 = 1152 < 1190
  };
  for (const auto& row : rows) {
    INFO(row.london_bias, " ", row.stockholm_bias);
    CHECK(rank_names(client, {kLondon, kStockholm}, {row.london_bias, row.stockholm_bias}) == row.expected);
  }
}

TEST_CASE("equal distances keep construction order") {
  const Place client{"equator", 0, 0};
  const std::vector<Place> regions{{"east", 0, 10}, {"north", 10, 0}, {"west", 0, -10}, {"south", -10, 0}};
  CHECK(rank_names(client, regions) == std::vector<std::string>{"east", "north", "west", "south"});
  CHECK(rank_names(client, regions, {0, 0, 0, 1}) == std::vector<std::string>{"south", "east", "north", "west"});
}
