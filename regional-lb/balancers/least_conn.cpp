// least_connections (weighted): the available member with the fewest
// in-flight requests per unit of weight, i.e. the smallest in_flight / weight,
// compared by cross-multiplication to stay in integers. In-flight counts are
// process-wide (BackendLoad), so all workers see each other's requests.
//
// Ties are broken by scanning from a per-worker rotating start, so that an
// idle pool is used round-robin instead of always by its first member (HAProxy's
// leastconn does the same by re-queueing a server behind its equals).
#include "regional-lb/balancers/algorithms.hpp"

namespace gslb::lb::balancers {
namespace {

class LeastConnections final : public Balancer {
 public:
  explicit LeastConnections(std::uint64_t seed) : start_(seed) {}

  std::optional<std::uint32_t> pick(const PoolView& view, const RequestInfo&) override {
    const auto available = view.available();
    if (available.empty()) return std::nullopt;
    const auto& members = view.members();
    const std::size_t n = available.size();
    const std::size_t first = start_++ % n;
    std::uint32_t best = available[first];
    std::int64_t best_load = load_of(members[best]);
    std::int64_t best_weight = members[best].effective_weight;
    for (std::size_t k = 1; k < n; ++k) {
      const std::uint32_t m = available[(first + k) % n];
      const std::int64_t load = load_of(members[m]);
      const std::int64_t weight = members[m].effective_weight;
      // load / weight < best_load / best_weight, weights > 0.
      if (load * best_weight < best_load * weight) {
        best = m;
        best_load = load;
        best_weight = weight;
      }
    }
    return best;
  }

 private:
  static std::int64_t load_of(const PoolView::Member& m) {
    return std::max<std::int32_t>(0, m.load->in_flight.load(std::memory_order_relaxed));
  }
  std::uint64_t start_;
};

}  // namespace

std::unique_ptr<Balancer> make_least_connections(std::uint64_t seed) {
  return std::make_unique<LeastConnections>(seed);
}

}  // namespace gslb::lb::balancers
