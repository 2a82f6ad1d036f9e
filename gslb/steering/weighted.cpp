// weighted: weighted random order without replacement within each group.
// Route 53 semantics for weight 0: such members are used only when no
// member with a non-zero weight is left (the health filter ran first); then
// they are picked uniformly.
#include <algorithm>

#include "gslb/steering/step.hpp"

namespace gslb::policy {

std::size_t step_weighted(const StepContext& ctx, std::span<Candidate> c, StepScope& scope, std::string* note) {
  scope = {};  // random: the same for every client
  const auto& members = ctx.policy.members;
  bool any_weighted = false;
  for (const Candidate& x : c) any_weighted |= members[x.member].weight > 0;
  std::size_t n = c.size();
  if (any_weighted) {
    std::size_t kept = 0;
    for (std::size_t i = 0; i < n; ++i)
      if (members[c[i].member].weight > 0) c[kept++] = c[i];
    n = kept;
  }
  auto weight = [&](const Candidate& x) -> std::uint32_t { return any_weighted ? members[x.member].weight : 1; };
  std::size_t begin = 0;
  // Positions past ctx.ordered are never answered: left in place.
  while (begin < n && begin < ctx.ordered) {
    std::size_t end = begin + 1;
    while (end < n && c[end].group == c[begin].group) ++end;
    std::uint32_t total = 0;
    for (std::size_t i = begin; i < end; ++i) total += weight(c[i]);
    const std::size_t stop = std::min(end, ctx.ordered);
    for (std::size_t pos = begin; pos < stop; ++pos) {
      // Pick the member whose cumulative weight interval holds r, move it to
      // `pos`; the rest keep competing for the next position.
      std::uint32_t r = ctx.rng.below(total);
      std::size_t pick = pos;
      for (; pick + 1 < end; ++pick) {
        const std::uint32_t w = weight(c[pick]);
        if (r < w) break;
        r -= w;
      }
      total -= weight(c[pick]);
      std::swap(c[pos], c[pick]);
      c[pos].score = static_cast<double>(pos - begin);
    }
    for (std::size_t i = stop; i < end; ++i) c[i].score = static_cast<double>(i - begin);
    begin = end;
  }
  refine_groups(c.first(n), [](const Candidate& x) { return x.score; });
  if (note) *note = any_weighted ? "weighted random order" : "only weight-0 members left: uniform";
  return n;
}

}  // namespace gslb::policy
