// consistent_hash: a hash ring (Karger et al. 1997; ketama). Each available
// member owns 100 × weight points on a 64-bit ring, placed by hashing its
// address with the pool's secret key; a request goes to the first point at or
// after the hash of its key. Because a member's points depend only on its own
// address, removing a member moves exactly the keys it owned (≈ 1/N of them)
// and no other key; adding it back returns them.
//
// Chosen over Maglev because Maglev's table fill shifts a few keys between
// surviving members on every change, and the issue asks for none to move.
// The ring is built once per view (prepare_hash_ring) and only searched per
// pick: O(log points), no allocation.
#include <algorithm>
#include <string>
#include <vector>

#include "regional-lb/balancers/algorithms.hpp"

namespace gslb::lb::balancers {
namespace {

constexpr int kPointsPerWeight = 100;

struct Ring final : PreparedTable {
  struct Point {
    std::uint64_t position;
    std::uint32_t member;
  };
  std::vector<Point> points;  // sorted by position
};

class ConsistentHash final : public Balancer {
 public:
  std::optional<std::uint32_t> pick(const PoolView& view, const RequestInfo& request) override {
    const auto* ring = dynamic_cast<const Ring*>(view.prepared());
    if (!ring || ring->points.empty()) return std::nullopt;
    const std::uint64_t h = keyed_hash(view, request);
    auto it = std::lower_bound(ring->points.begin(), ring->points.end(), h,
                               [](const Ring::Point& p, std::uint64_t v) { return p.position < v; });
    if (it == ring->points.end()) it = ring->points.begin();  // the ring wraps around
    return it->member;
  }
};

}  // namespace

std::shared_ptr<const PreparedTable> prepare_hash_ring(const PoolView& view) {
  auto ring = std::make_shared<Ring>();
  std::string label;
  for (std::uint32_t m : view.available()) {
    const auto& member = view.members()[m];
    const int points = kPointsPerWeight * std::max(member.configured_weight, 1);
    for (int i = 0; i < points; ++i) {
      label = member.address.text;
      label += '#';
      label += std::to_string(i);
      ring->points.push_back({base::siphash24(view.hash_key(), label), m});
    }
  }
  // Ties (a 2^-64 event) resolve by member index, so every worker agrees.
  std::sort(ring->points.begin(), ring->points.end(), [](const Ring::Point& a, const Ring::Point& b) {
    return a.position != b.position ? a.position < b.position : a.member < b.member;
  });
  return ring;
}

std::unique_ptr<Balancer> make_consistent_hash(std::uint64_t) {
  return std::make_unique<ConsistentHash>();
}

}  // namespace gslb::lb::balancers
