#include "geo/distance.hpp"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <numbers>

namespace gslb::geo {

namespace {

constexpr double kRadiansPerDegree = std::numbers::pi / 180.0;

}  // namespace

double haversine_central_angle(double lat1_deg, double lon1_deg, double lat2_deg, double lon2_deg) noexcept {
  const double phi1 = lat1_deg * kRadiansPerDegree;
  const double phi2 = lat2_deg * kRadiansPerDegree;
  const double s_dphi = std::sin((phi2 - phi1) / 2);
  const double s_dlambda = std::sin((lon2_deg - lon1_deg) * kRadiansPerDegree / 2);
  const double h = s_dphi * s_dphi + std::cos(phi1) * std::cos(phi2) * s_dlambda * s_dlambda;
  // Rounding can push h a hair above 1 for antipodal points.
  return 2 * std::asin(std::sqrt(std::min(1.0, h)));
}

GeoPoint GeoPoint::from_degrees(double latitude, double longitude) noexcept {
  GeoPoint p;
  p.latitude_ = std::clamp(latitude, -90.0, 90.0);
  p.longitude_ = longitude;
  const double phi = p.latitude_ * kRadiansPerDegree;
  const double lambda = longitude * kRadiansPerDegree;
  const double cos_phi = std::cos(phi);
  p.x_ = cos_phi * std::cos(lambda);
  p.y_ = cos_phi * std::sin(lambda);
  p.z_ = std::sin(phi);
  return p;
}

double comparable_distance(const GeoPoint& a, const GeoPoint& b) noexcept {
  const double dx = a.x_ - b.x_;
  const double dy = a.y_ - b.y_;
  const double dz = a.z_ - b.z_;
  return dx * dx + dy * dy + dz * dz;
}

double central_angle(const GeoPoint& a, const GeoPoint& b) noexcept {
  // chord = 2·sin(c/2); clamp for rounding at the antipode.
  const double half_chord = std::sqrt(comparable_distance(a, b)) / 2;
  return 2 * std::asin(std::min(1.0, half_chord));
}

double distance_km(const GeoPoint& a, const GeoPoint& b) noexcept {
  return kEarthRadiusKm * central_angle(a, b);
}

double bias_factor(int bias) noexcept {
  return 1.0 - std::clamp(bias, -99, 99) / 100.0;
}

SiteSet::SiteSet(std::vector<Site> sites) : sites_(std::move(sites)) {
  any_bias_ = std::any_of(sites_.begin(), sites_.end(), [](const Site& s) { return s.bias_factor != 1.0; });
}

void SiteSet::rank(const GeoPoint& client, std::span<RankedSite> out) const noexcept {
  assert(out.size() == sites_.size());
  const std::size_t n = std::min(out.size(), sites_.size());
  for (std::size_t i = 0; i < n; ++i) {
    const Site& s = sites_[i];
    const double key =
        any_bias_ ? central_angle(client, s.point) * s.bias_factor : comparable_distance(client, s.point);
    out[i] = RankedSite{static_cast<std::uint32_t>(i), key};
  }
  // Insertion sort: n is a handful of regions, and it is stable and
  // allocation-free (std::stable_sort may allocate).
  for (std::size_t i = 1; i < n; ++i) {
    const RankedSite item = out[i];
    std::size_t j = i;
    while (j > 0 && out[j - 1].key > item.key) {
      out[j] = out[j - 1];
      --j;
    }
    out[j] = item;
  }
}

}  // namespace gslb::geo
