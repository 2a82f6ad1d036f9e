// geolocation: the most specific written location wins (subdivision, then
// country, then continent, then "default"), Route 53 style; its region list
// gives the order. Members of regions the list does not name stay, ranked
// after the listed ones, so an all-down list spills over instead of going
// dark (STYLE pitfall 4).
#include <algorithm>

#include "gslb/steering/step.hpp"

namespace gslb::policy {

namespace {

int find_list(const CompiledGeolocation& g, const geo::GeoInfo& info) noexcept {
  if (!info.country.empty() && !info.subdivision.empty()) {
    const std::uint64_t key = pack_subdivision(info.country.view(), info.subdivision.view());
    auto it = std::lower_bound(g.by_subdivision.begin(), g.by_subdivision.end(), std::make_pair(key, std::int16_t{-1}));
    if (it != g.by_subdivision.end() && it->first == key) return it->second;
  }
  if (const int k = country_index(info.country.view()); k >= 0 && g.by_country[k] >= 0) return g.by_country[k];
  if (const int k = continent_index(info.continent.view()); k >= 0 && g.by_continent[k] >= 0) return g.by_continent[k];
  return g.fallback;
}

}  // namespace

std::size_t step_geolocation(const StepContext& ctx, std::span<Candidate> c, StepScope& scope, std::string* note) {
  scope = {ctx.client.has_client, ctx.client.where.scope_prefix};
  const CompiledGeolocation& g = ctx.record.geolocation;
  if (ctx.client.override_region >= 0) {
    const auto wanted = static_cast<std::uint16_t>(ctx.client.override_region);
    refine_groups(c, [&](const Candidate& x) { return x.region == wanted ? 0.0 : 1.0; });
    if (note) *note = "net override: region " + ctx.policy.region_names[wanted];
    return c.size();
  }
  const int list = find_list(g, ctx.client.where.geo);
  if (list < 0) {
    refine_groups(c, [](const Candidate&) { return 0.0; });
    if (note) *note = "no location matched and no default: order unchanged";
    return c.size();
  }
  const auto& ranks = g.ranks[static_cast<std::size_t>(list)];
  refine_groups(c, [&](const Candidate& x) { return static_cast<double>(ranks[x.region]); });
  if (note) *note = "matched " + g.names[static_cast<std::size_t>(list)];
  return c.size();
}

}  // namespace gslb::policy
