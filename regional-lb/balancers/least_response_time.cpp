// least_response_time: the available member with the lowest expected wait,
// scored as latency EWMA × (in-flight + 1) / weight — the time one more
// request would take if requests queue behind the current ones. A member with
// no sample yet scores as the fastest seen so far, so it gets traffic and
// earns a measurement instead of being starved. Ties rotate per worker.
#include <limits>

#include "regional-lb/balancers/algorithms.hpp"

namespace gslb::lb::balancers {
namespace {

class LeastResponseTime final : public Balancer {
 public:
  explicit LeastResponseTime(std::uint64_t seed) : start_(seed) {}

  std::optional<std::uint32_t> pick(const PoolView& view, const RequestInfo&) override {
    const auto available = view.available();
    if (available.empty()) return std::nullopt;
    const auto& members = view.members();
    std::uint64_t fastest = std::numeric_limits<std::uint64_t>::max();
    for (std::uint32_t m : available) {
      const std::uint64_t l = members[m].load->latency_ewma_us.load(std::memory_order_relaxed);
      if (l != 0 && l < fastest) fastest = l;
    }
    if (fastest == std::numeric_limits<std::uint64_t>::max()) fastest = 1;
    const std::size_t n = available.size();
    const std::size_t first = start_++ % n;
    std::optional<std::uint32_t> best;
    // score = latency × (in_flight + 1) / weight, compared as
    // latency_a × (in_a + 1) × weight_b < latency_b × (in_b + 1) × weight_a.
    // Bounds: latency < 2^32 µs, in-flight < 2^31, weight ≤ 256 → fits in 128 bits.
    unsigned __int128 best_num = 0;
    std::uint64_t best_weight = 1;
    for (std::size_t k = 0; k < n; ++k) {
      const std::uint32_t m = available[(first + k) % n];
      std::uint64_t latency = members[m].load->latency_ewma_us.load(std::memory_order_relaxed);
      if (latency == 0) latency = fastest;
      const auto in_flight = static_cast<std::uint64_t>(
          std::max<std::int32_t>(0, members[m].load->in_flight.load(std::memory_order_relaxed)));
      const unsigned __int128 num = static_cast<unsigned __int128>(latency) * (in_flight + 1);
      const auto weight = static_cast<std::uint64_t>(members[m].effective_weight);
      if (!best || num * best_weight < best_num * weight) {
        best = m;
        best_num = num;
        best_weight = weight;
      }
    }
    return best;
  }

 private:
  std::uint64_t start_;
};

}  // namespace

std::unique_ptr<Balancer> make_least_response_time(std::uint64_t seed) {
  return std::make_unique<LeastResponseTime>(seed);
}

}  // namespace gslb::lb::balancers
