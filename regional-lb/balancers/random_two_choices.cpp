// random_two_choices: "the power of two choices" (Mitzenmacher 2001). Draw two
// members at random in proportion to their weights, send the request to the
// one with fewer in-flight requests per unit of weight. Almost as even as
// least-connections but needs no full scan and does not stampede onto one
// newly idle member when many workers decide at once.
//
// The RNG is per worker and seeded by the factory's caller (tests fix it).
#include <random>

#include "regional-lb/balancers/algorithms.hpp"

namespace gslb::lb::balancers {
namespace {

class RandomTwoChoices final : public Balancer {
 public:
  explicit RandomTwoChoices(std::uint64_t seed) : rng_(seed) {}

  std::optional<std::uint32_t> pick(const PoolView& view, const RequestInfo&) override {
    const std::uint64_t total = view.total_weight();
    if (total == 0) return std::nullopt;
    const std::uint32_t a = view.member_at_weight(rng_() % total);
    const std::uint32_t b = view.member_at_weight(rng_() % total);
    if (a == b) return a;
    const auto& members = view.members();
    const std::int64_t load_a = std::max<std::int32_t>(0, members[a].load->in_flight.load(std::memory_order_relaxed));
    const std::int64_t load_b = std::max<std::int32_t>(0, members[b].load->in_flight.load(std::memory_order_relaxed));
    // load_b / weight_b < load_a / weight_a → b; equal keeps the first draw (still weighted).
    return load_b * members[a].effective_weight < load_a * members[b].effective_weight ? b : a;
  }

 private:
  std::mt19937_64 rng_;
};

}  // namespace

std::unique_ptr<Balancer> make_random_two_choices(std::uint64_t seed) {
  return std::make_unique<RandomTwoChoices>(seed);
}

}  // namespace gslb::lb::balancers
