// geo: regions nearest-first by great-circle distance with the Route 53
// geoproximity bias (geo::SiteSet::rank, trig-free unless biased). A net
// override naming a region puts that region first.
#include "gslb/steering/step.hpp"

namespace gslb::policy {

// Shared by geo and latency: rank `sites` from the client and key each
// candidate by its region's rank.
std::size_t rank_by_distance(const StepContext& ctx, const geo::SiteSet& sites, std::span<Candidate> c,
                             StepScope& scope, std::string* note) {
  scope = {ctx.client.has_client, ctx.client.where.scope_prefix};
  if (ctx.client.override_region >= 0) {
    const auto wanted = static_cast<std::uint16_t>(ctx.client.override_region);
    refine_groups(c, [&](const Candidate& x) { return x.region == wanted ? 0.0 : 1.0; });
    if (note) *note = "net override: region " + ctx.policy.region_names[wanted];
    return c.size();
  }
  if (!ctx.client.has_point) {
    // Location unknown: no order to impose. The scope still holds: every
    // address in it is equally unknown.
    refine_groups(c, [](const Candidate&) { return 0.0; });
    if (note) *note = "client location unknown: order unchanged";
    return c.size();
  }
  sites.rank(ctx.client.point, ctx.ranked);
  for (std::size_t i = 0; i < ctx.ranked.size(); ++i)
    ctx.region_rank[ctx.ranked[i].index] = static_cast<std::uint16_t>(i);
  refine_groups(c, [&](const Candidate& x) { return static_cast<double>(ctx.region_rank[x.region]); });
  if (note) {
    *note = "nearest:";
    for (const auto& r : ctx.ranked)
      *note += " " + ctx.policy.region_names[r.index] + "(" +
               std::to_string(static_cast<long>(geo::distance_km(ctx.client.point, sites[r.index].point))) + " km)";
  }
  return c.size();
}

std::size_t step_geo(const StepContext& ctx, std::span<Candidate> c, StepScope& scope, std::string* note) {
  return rank_by_distance(ctx, ctx.policy.geo_sites, c, scope, note);
}

}  // namespace gslb::policy
