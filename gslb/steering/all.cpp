// all: every candidate, shuffled (Route 53 multivalue), so clients that take
// the first address spread over all of them (STYLE pitfall 20).
#include <algorithm>

#include "gslb/steering/step.hpp"

namespace gslb::policy {

std::size_t step_all(const StepContext& ctx, std::span<Candidate> c, StepScope& scope, std::string* note) {
  scope = {};
  std::size_t begin = 0;
  // Positions past ctx.ordered are never answered: left in place.
  while (begin < c.size() && begin < ctx.ordered) {
    std::size_t end = begin + 1;
    while (end < c.size() && c[end].group == c[begin].group) ++end;
    // Fisher–Yates, forward, stopping once the answered positions are drawn.
    const std::size_t stop = std::min(end, ctx.ordered);
    for (std::size_t i = begin; i < stop && i + 1 < end; ++i) {
      const std::size_t j = i + ctx.rng.below(static_cast<std::uint32_t>(end - i));
      std::swap(c[i], c[j]);
    }
    for (std::size_t i = begin; i < end; ++i) c[i].score = static_cast<double>(i - begin);
    begin = end;
  }
  refine_groups(c, [](const Candidate& x) { return x.score; });
  if (note) *note = "shuffled";
  return c.size();
}

}  // namespace gslb::policy
