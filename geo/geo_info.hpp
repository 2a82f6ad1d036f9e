// GeoInfo: what a geo lookup knows about one client address. A plain value
// with fixed-size code fields so that filling one on the query path never
// allocates.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace gslb::geo {

// A short ASCII code ("EU", "NO", "CA", "NSW") held inline. Text longer than
// N characters is not a valid code for its field and is stored as empty.
template <std::size_t N>
class Code {
 public:
  constexpr Code() = default;
  constexpr Code(std::string_view text) { assign(text); }  // NOLINT: implicit from literals is the point

  constexpr Code& operator=(std::string_view text) {
    assign(text);
    return *this;
  }

  constexpr void assign(std::string_view text) {
    size_ = text.size() <= N ? static_cast<std::uint8_t>(text.size()) : 0;
    std::copy_n(text.begin(), size_, chars_.begin());
  }
  constexpr std::string_view view() const { return {chars_.data(), size_}; }
  constexpr bool empty() const { return size_ == 0; }

  friend constexpr bool operator==(const Code& a, const Code& b) { return a.view() == b.view(); }
  friend constexpr bool operator==(const Code& a, std::string_view b) { return a.view() == b; }

 private:
  std::array<char, N> chars_{};
  std::uint8_t size_ = 0;
};

// Where the coordinates in a GeoInfo came from.
enum class CoordinateSource : std::uint8_t {
  none,              // no coordinates known
  database,          // location/latitude|longitude of the matching record (City databases)
  country_centroid,  // the country's centroid from geo/country_centroids (Country databases)
  override_rule,     // an operator net override (geo/net_overrides)
};

struct GeoInfo {
  // The address was inside a network that has a record. When false, the
  // other fields are empty but prefix_length still holds: it is the size of
  // the empty network around the address, which bounds an ECS scope too.
  bool found = false;
  Code<2> continent;    // MaxMind continent code: AF AN AS EU NA OC SA
  Code<2> country;      // ISO 3166-1 alpha-2, upper case
  Code<3> subdivision;  // the part of ISO 3166-2 after "CC-" ("CA" for US-CA, "NSW" for AU-NSW)
  bool has_coordinates = false;
  CoordinateSource coordinate_source = CoordinateSource::none;
  double latitude = 0;   // degrees, -90..90
  double longitude = 0;  // degrees, -180..180
  // Length of the matching network in the looked-up address's own family
  // (0..32 for IPv4, 0..128 for IPv6): every address in that network gets
  // this same GeoInfo.
  std::uint8_t prefix_length = 0;
};

}  // namespace gslb::geo
