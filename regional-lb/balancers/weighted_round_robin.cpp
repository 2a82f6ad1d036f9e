// weighted_round_robin: nginx's smooth weighted round-robin
// (ngx_http_upstream_get_peer). Every pick adds each available member's
// effective weight to its current weight, takes the member with the largest
// current weight, and subtracts the total weight from it. Over any window of
// total-weight picks each member is chosen exactly weight times, and the
// choices are spread out: weights 5,1,1 give a a b a c a a, not a a a a a b c.
//
// The current weights are per worker and restart from zero whenever the view
// changes (a member's weight or health moved), which is when they stop meaning anything.
#include <vector>

#include "regional-lb/balancers/algorithms.hpp"

namespace gslb::lb::balancers {
namespace {

class WeightedRoundRobin final : public Balancer {
 public:
  explicit WeightedRoundRobin(std::uint64_t) {}

  std::optional<std::uint32_t> pick(const PoolView& view, const RequestInfo&) override {
    const auto available = view.available();
    if (available.empty()) return std::nullopt;
    if (view.version() != version_) {
      // Sized once per view change, not per pick.
      current_.assign(view.members().size(), 0);
      version_ = view.version();
    }
    const auto& members = view.members();
    const auto total = static_cast<std::int64_t>(view.total_weight());
    std::uint32_t best = available[0];
    for (std::uint32_t m : available) {
      current_[m] += members[m].effective_weight;
      if (current_[m] > current_[best]) best = m;
    }
    current_[best] -= total;
    return best;
  }

 private:
  std::uint64_t version_ = 0;
  std::vector<std::int64_t> current_;
};

}  // namespace

std::unique_ptr<Balancer> make_weighted_round_robin(std::uint64_t seed) {
  return std::make_unique<WeightedRoundRobin>(seed);
}

}  // namespace gslb::lb::balancers
