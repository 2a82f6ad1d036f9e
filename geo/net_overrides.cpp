#include "geo/net_overrides.hpp"

#include <algorithm>

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
  out.targets_.reserve(rules_.size());
  for (auto& [prefix, target] : rules_) {
    std::vector<Node>& trie = prefix.family() == base::IpFamily::v4 ? out.v4_ : out.v6_;
    std::uint32_t node = 0;
    for (int depth = 0; depth < prefix.length(); ++depth) {
      const int bit = prefix.address().bit(depth) ? 1 : 0;
      if (trie[node].child[bit] == 0) {
        trie[node].child[bit] = static_cast<std::uint32_t>(trie.size());
        trie.emplace_back();
      }
      node = trie[node].child[bit];
    }
    trie[node].target = static_cast<std::int32_t>(out.targets_.size());
    out.targets_.push_back(std::move(target));
  }
  out.v4_.shrink_to_fit();
  out.v6_.shrink_to_fit();
  rules_.clear();
  seen_.clear();
  return out;
}

NetOverrides::Match NetOverrides::lookup(const base::IpAddress& address) const noexcept {
  const base::IpAddress a = address.normalized();
  const std::vector<Node>& trie = a.is_v4() ? v4_ : v6_;
  const int bits = a.bit_count();
  Match m;
  std::uint32_t node = 0;
  int depth = 0;
  while (true) {
    const Node& n = trie[node];
    if (n.target >= 0) {
      m.target = &targets_[static_cast<std::size_t>(n.target)];
      m.matched_length = static_cast<std::uint8_t>(depth);
    }
    if (depth == bits) {
      m.scope_length = static_cast<std::uint8_t>(bits);
      break;
    }
    const int bit = a.bit(depth) ? 1 : 0;
    if (n.child[bit] == 0) {
      // Every address below this node on our side takes the same path and
      // stops here, so the match is constant over prefix/(depth + 1); if the
      // node has no children at all, over prefix/depth.
      m.scope_length = static_cast<std::uint8_t>(n.child[1 - bit] == 0 ? depth : depth + 1);
      break;
    }
    node = n.child[bit];
    ++depth;
  }
  return m;
}

}  // namespace gslb::geo
