// Great-circle distance between points on a spherical Earth, and ranking of
// sites (regions) by distance from a client, with a Route 53-style bias.
//
// Why not degrees: ranking by latdiff² + londiff² (PowerDNS pickclosest)
// treats a degree of longitude as long as a degree of latitude, but it
// shrinks with cos(latitude): at 70°N it is a third as long, so high-latitude
// clients get far regions ranked first. The tests show such cases.
//
// Cost model: a GeoPoint is built once (region at policy load, client once
// per query: one sin and two cos each) and holds the point's unit vector.
// comparable_distance() of two GeoPoints is then 3 subtractions and 3
// multiply-adds, no trigonometry; central_angle() adds one sqrt and one asin.
//
// Everything here is noexcept and allocation-free; any thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace gslb::geo {

// IUGG mean Earth radius. The sphere is within 0.5% of the WGS84 ellipsoid
// everywhere, far finer than geolocation data.
inline constexpr double kEarthRadiusKm = 6371.0088;

// Haversine formula, straight from degrees (the reference the fast path is
// tested against):
//   h = sin²(Δφ/2) + cos φ1 · cos φ2 · sin²(Δλ/2),   central angle c = 2·asin(√h)
// with φ latitude and λ longitude in radians. Result in radians, [0, π].
double haversine_central_angle(double lat1_deg, double lon1_deg, double lat2_deg, double lon2_deg) noexcept;

// A point on the unit sphere, precomputed from latitude/longitude in degrees.
class GeoPoint {
 public:
  GeoPoint() noexcept = default;
  // Latitude is clamped to [-90, 90]; any longitude is accepted (periodic).
  static GeoPoint from_degrees(double latitude, double longitude) noexcept;

  double latitude() const noexcept { return latitude_; }
  double longitude() const noexcept { return longitude_; }

 private:
  friend double comparable_distance(const GeoPoint&, const GeoPoint&) noexcept;
  double latitude_ = 0, longitude_ = 0;
  // Unit vector: x = cos φ cos λ, y = cos φ sin λ, z = sin φ.
  double x_ = 1, y_ = 0, z_ = 0;
};

// A number that orders pairs of points exactly as their great-circle distance
// does, computed without trigonometry: the squared chord |a − b|² on the unit
// sphere, in [0, 4].
//
// Derivation. With unit vectors a, b:
//   |a − b|² = 2 − 2 a·b,   a·b = cos φ1 cos φ2 cos Δλ + sin φ1 sin φ2 = cos c
// (spherical law of cosines). The haversine h above equals (1 − cos c)/2,
// because 1 − cos Δφ = 2 sin²(Δφ/2) and 1 − cos Δλ = 2 sin²(Δλ/2) give
//   h = (1 − cos Δφ)/2 + cos φ1 cos φ2 (1 − cos Δλ)/2
//     = (1 − cos φ1 cos φ2 cos Δλ − sin φ1 sin φ2)/2 = (1 − a·b)/2.
// So |a − b|² = 4h, and since c = 2·asin(√h) is increasing in h on [0, 1],
// comparing squared chords compares distances. Computing it from coordinate
// differences (not as 2 − 2a·b) keeps full precision for nearby points, the
// same reason haversine is preferred over the law of cosines.
double comparable_distance(const GeoPoint& a, const GeoPoint& b) noexcept;

// Central angle in radians, [0, π]: 2·asin(chord/2).
double central_angle(const GeoPoint& a, const GeoPoint& b) noexcept;

// Great-circle distance in km on the mean-radius sphere.
double distance_km(const GeoPoint& a, const GeoPoint& b) noexcept;

// Route 53 geoproximity bias, −99..99: a site's distance is multiplied by
// (1 − bias/100), so +50 halves it (the site attracts clients from twice as
// far) and −50 makes it 1.5 times as long. Out-of-range values are clamped.
double bias_factor(int bias) noexcept;

// One candidate for ranking: where it is and its bias factor.
struct Site {
  GeoPoint point;
  double bias_factor = 1.0;
};

// A site's place in a ranking.
struct RankedSite {
  std::uint32_t index;  // into the SiteSet, in the order given at construction
  double key;           // comparable_distance when no site is biased, else biased central angle
};

// An immutable list of sites, built at policy load.
class SiteSet {
 public:
  SiteSet() = default;
  explicit SiteSet(std::vector<Site> sites);

  std::size_t size() const noexcept { return sites_.size(); }
  const Site& operator[](std::size_t i) const noexcept { return sites_[i]; }

  // Ranks every site nearest-first from `client` into `out`, which must have
  // exactly size() elements (caller-owned scratch, so the query path does not
  // allocate). Equal keys keep construction order, so rankings are
  // deterministic. When no site is biased the ranking uses
  // comparable_distance (no asin); a bias scales real distance, so then the
  // central angle is computed per site.
  void rank(const GeoPoint& client, std::span<RankedSite> out) const noexcept;

 private:
  std::vector<Site> sites_;
  bool any_bias_ = false;
};

}  // namespace gslb::geo
