// least_response_time: prefer the member with the lowest expected wait,
// scored as latency EWMA × (in-flight + 1) / weight — the time one more
// request would take if requests queue behind the current ones.
//
// The choice is between two members drawn at random in proportion to weight
// (the "power of two choices" with an EWMA cost, as in Finagle's and
// Linkerd's P2C-EWMA), not a scan for the global minimum: a full scan sends
// everything to whichever member had the luckiest sample and never measures
// the others again, while the random pair keeps every member sampled and
// still steers most traffic away from slow ones. A member with no sample yet
// scores as the fastest seen so far, so it earns a measurement.
#include <limits>
#include <random>

#include "regional-lb/balancers/algorithms.hpp"

namespace gslb::lb::balancers {
namespace {

class LeastResponseTime final : public Balancer {
 public:
  explicit LeastResponseTime(std::uint64_t seed) : rng_(seed) {}

  std::optional<std::uint32_t> pick(const PoolView& view, const RequestInfo&) override {
    const std::uint64_t total = view.total_weight();
    if (total == 0) return std::nullopt;
    const std::uint32_t a = view.member_at_weight(rng_() % total);
    const std::uint32_t b = view.member_at_weight(rng_() % total);
    if (a == b) return a;
    const auto& members = view.members();
    const std::uint64_t la = members[a].load->latency_ewma_us.load(std::memory_order_relaxed);
    const std::uint64_t lb = members[b].load->latency_ewma_us.load(std::memory_order_relaxed);
    // Unmeasured: as fast as the other (or 1 µs if neither is measured).
    const std::uint64_t latency_a = la ? la : (lb ? lb : 1);
    const std::uint64_t latency_b = lb ? lb : latency_a;
    // score_b < score_a  ⇔  latency_b·(in_b+1)·weight_a < latency_a·(in_a+1)·weight_b.
    // Bounds: latency < 2^32 µs, in-flight < 2^31, weight ≤ 256 → fits in 128 bits.
    const unsigned __int128 cost_a = static_cast<unsigned __int128>(latency_a) * (in_flight(members[a]) + 1) *
                                     static_cast<std::uint64_t>(members[b].effective_weight);
    const unsigned __int128 cost_b = static_cast<unsigned __int128>(latency_b) * (in_flight(members[b]) + 1) *
                                     static_cast<std::uint64_t>(members[a].effective_weight);
    return cost_b < cost_a ? b : a;
  }

 private:
  static std::uint64_t in_flight(const PoolView::Member& m) {
    return static_cast<std::uint64_t>(std::max<std::int32_t>(0, m.load->in_flight.load(std::memory_order_relaxed)));
  }
  std::mt19937_64 rng_;
};

}  // namespace

std::unique_ptr<Balancer> make_least_response_time(std::uint64_t seed) {
  return std::make_unique<LeastResponseTime>(seed);
}

}  // namespace gslb::lb::balancers
