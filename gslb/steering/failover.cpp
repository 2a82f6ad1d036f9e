// failover: regions in the written order; the first region that still has a
// candidate (the health filter ran first) wins and the rest are dropped, as
// Route 53 failover answers with the primary only while it is healthy.
#include "gslb/steering/step.hpp"

namespace gslb::policy {

std::size_t step_failover(const StepContext& ctx, std::span<Candidate> c, StepScope& scope, std::string* note) {
  scope = {};
  if (c.empty()) return 0;
  refine_groups(c, [&](const Candidate& x) { return static_cast<double>(ctx.record.failover_rank[x.region]); });
  std::size_t n = 1;
  while (n < c.size() && c[n].group == c[0].group) ++n;
  if (note) *note = "winner: region " + ctx.policy.region_names[c[0].region];
  return n;
}

}  // namespace gslb::policy
