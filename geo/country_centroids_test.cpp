#include "geo/country_centroids.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <set>
#include <string>

using namespace gslb::geo;

TEST_CASE("the centroid table covers every ISO 3166-1 country with sane values") {
  const auto all = all_country_centroids();
  // 249 ISO 3166-1 alpha-2 codes (2024) plus XK.
  CHECK(all.size() == 250);
  const std::set<std::string> continents{"AF", "AN", "AS", "EU", "NA", "OC", "SA"};
  for (const auto& c : all) {
    INFO(std::string(c.code));
    CHECK(c.code.size() == 2);
    CHECK(continents.count(std::string(c.continent)) == 1);
    CHECK(std::abs(c.latitude) <= 90);
    CHECK(std::abs(c.longitude) <= 180);
    CHECK(find_country_centroid(c.code) == &c);
    CHECK_FALSE(c.name.empty());
  }
}

TEST_CASE("centroid lookups by code") {
  struct Row {
    const char* code;
    const char* continent;
    double latitude;
    double longitude;
  };
  const Row rows[] = {
      {"NO", "EU", 62.0, 10.0},  {"US", "NA", 39.83, -98.58}, {"AU", "OC", -27.0, 133.0}, {"BR", "SA", -10.0, -55.0},
      {"ZA", "AF", -29.0, 24.0}, {"JP", "AS", 36.0, 138.0},   {"AQ", "AN", -75.0, 0.0},   {"RU", "EU", 60.0, 100.0},
      {"AD", "EU", 42.5, 1.5},   {"ZW", "AF", -20.0, 30.0},   {"XK", "EU", 42.6, 20.9},
  };
  for (const auto& row : rows) {
    INFO(std::string(row.code));
    const auto* c = find_country_centroid(row.code);
    REQUIRE(c != nullptr);
    CHECK(c->continent == row.continent);
    CHECK(c->latitude == doctest::Approx(row.latitude));
    CHECK(c->longitude == doctest::Approx(row.longitude));
  }
  for (const char* missing : {"", "no", "N", "NOR", "ZZ", "AA", "EU", "AP"}) {
    INFO(std::string(missing));
    CHECK(find_country_centroid(missing) == nullptr);
  }
}
