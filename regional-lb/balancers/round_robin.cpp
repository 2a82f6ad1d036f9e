// round_robin: each available member in turn, ignoring weights. The cursor is
// per worker and starts at a seeded offset, so workers do not all begin on
// member 0 (Envoy's RoundRobinLoadBalancer seeds its start the same way);
// process-wide the order interleaves but every member gets an even share.
#include "regional-lb/balancers/algorithms.hpp"

namespace gslb::lb::balancers {
namespace {

class RoundRobin final : public Balancer {
 public:
  explicit RoundRobin(std::uint64_t seed) : next_(seed) {}

  std::optional<std::uint32_t> pick(const PoolView& view, const RequestInfo&) override {
    const auto available = view.available();
    if (available.empty()) return std::nullopt;
    return available[next_++ % available.size()];
  }

 private:
  std::uint64_t next_;
};

}  // namespace

std::unique_ptr<Balancer> make_round_robin(std::uint64_t seed) {
  return std::make_unique<RoundRobin>(seed);
}

}  // namespace gslb::lb::balancers
