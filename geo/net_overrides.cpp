#include "geo/net_overrides.hpp"

#include <utility>

#include "geo/country_centroids.hpp"

namespace gslb::geo {

OverrideTarget OverrideTarget::to_region(std::string name) {
  OverrideTarget t;
  t.kind = Kind::region;
  t.region = std::move(name);
  return t;
}

OverrideTarget OverrideTarget::to_location(GeoInfo location) {
  OverrideTarget t;
  t.kind = Kind::location;
  t.location = location;
  return t;
}

std::string NetOverrides::Builder::add(const base::Prefix& prefix, OverrideTarget target) {
  if (!seen_.insert(prefix).second) return "duplicate net override for " + prefix.to_string();
  if (target.kind == OverrideTarget::Kind::location) {
    GeoInfo& loc = target.location;
    loc.found = true;
    if (loc.has_coordinates) {
      loc.coordinate_source = CoordinateSource::override_rule;
    } else if (const CountryCentroid* c = find_country_centroid(loc.country.view())) {
      loc.has_coordinates = true;
      loc.coordinate_source = CoordinateSource::country_centroid;
      loc.latitude = c->latitude;
      loc.longitude = c->longitude;
    }
    if (loc.continent.empty()) {
      if (const CountryCentroid* c = find_country_centroid(loc.country.view())) loc.continent.assign(c->continent);
    }
  }
  rules_.emplace_back(prefix, std::move(target));
  return {};
}

NetOverrides NetOverrides::Builder::build() && {
  NetOverrides out;
  // add() refused duplicate prefixes, so every insert succeeds.
  for (auto& [prefix, target] : rules_) out.trie_.insert(prefix, std::move(target));
  out.trie_.shrink_to_fit();
  rules_.clear();
  seen_.clear();
  return out;
}

NetOverrides::Match NetOverrides::lookup(const base::IpAddress& address) const noexcept {
  const PrefixTrie<OverrideTarget>::Match m = trie_.lookup(address);
  Match out;
  out.target = m.value;
  out.matched_length = m.matched_length;
  out.scope_length = m.scope_length;
  return out;
}

}  // namespace gslb::geo
