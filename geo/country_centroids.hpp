// Approximate geographic centre and continent of every ISO 3166-1 country.
//
// Used when a client's record has a country but no coordinates (GeoIP2/
// GeoLite2 Country databases, and country-level records in City databases),
// so that nearest-region steering still works. Accuracy is a few hundred
// kilometres, which is enough to rank regions that are continents apart; for
// large countries (US, RU, CA, BR, CN, AU) a City database is much better.
//
// Written for this project from general geographic knowledge (rounded
// centre-of-area coordinates); continent codes follow MaxMind/GeoNames
// (AF AN AS EU NA OC SA; RU is EU, TR and the Caucasus are AS). Includes the
// user-assigned code XK (Kosovo), which MaxMind databases use.
#pragma once

#include <span>
#include <string_view>

namespace gslb::geo {

struct CountryCentroid {
  std::string_view code;       // ISO 3166-1 alpha-2, upper case
  std::string_view continent;  // MaxMind continent code
  double latitude;             // degrees
  double longitude;            // degrees
  std::string_view name;       // English short name, for messages
};

// The entry for an upper-case alpha-2 code, or nullptr. Binary search over a
// static sorted table: no allocation, any thread.
const CountryCentroid* find_country_centroid(std::string_view code) noexcept;

// Every entry, sorted by code.
std::span<const CountryCentroid> all_country_centroids() noexcept;

}  // namespace gslb::geo
