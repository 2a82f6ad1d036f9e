// latency: lowest estimated client→region RTT. Until a measured latency
// table exists the estimate is proportional to great-circle distance (light
// in fibre covers ~200 km per ms one way), so the order is the unbiased
// distance order; bias does not apply to latency.
#include "gslb/steering/step.hpp"

namespace gslb::policy {

std::size_t rank_by_distance(const StepContext& ctx, const geo::SiteSet& sites, std::span<Candidate> c,
                             StepScope& scope, std::string* note);

std::size_t step_latency(const StepContext& ctx, std::span<Candidate> c, StepScope& scope, std::string* note) {
  const std::size_t n = rank_by_distance(ctx, ctx.policy.latency_sites, c, scope, note);
  if (note) *note = "estimated from distance; " + *note;
  return n;
}

}  // namespace gslb::policy
