// ip_hash: a client (its address, or the configured hash key) always goes to
// the same member while that member is available. As in nginx's ip_hash the
// key maps onto the weighted list of *all* configured members, not just the
// available ones, so one member going down moves only its own clients: their
// key is rehashed (up to 20 times, as nginx does) until it lands on an
// available member, and everybody else stays put.
//
// The hash is SipHash under the pool's secret key (STYLE.md pitfall 14): a
// client cannot choose addresses that pile onto one backend.
#include <algorithm>

#include "regional-lb/balancers/algorithms.hpp"

namespace gslb::lb::balancers {
namespace {

class IpHash final : public Balancer {
 public:
  std::optional<std::uint32_t> pick(const PoolView& view, const RequestInfo& request) override {
    const auto available = view.available();
    if (available.empty()) return std::nullopt;
    const auto& members = view.members();
    const auto cumulative = view.configured_cumulative_weights();
    const std::uint64_t total = cumulative.back();
    std::uint64_t h = keyed_hash(view, request);
    for (int attempt = 0; attempt < 20; ++attempt) {
      // Member m owns positions [cumulative[m-1], cumulative[m]).
      const auto m = static_cast<std::uint32_t>(std::upper_bound(cumulative.begin(), cumulative.end(), h % total) -
                                                cumulative.begin());
      if (members[m].state == MemberState::up && members[m].effective_weight > 0) return m;
      const std::string_view bytes(reinterpret_cast<const char*>(&h), sizeof h);
      h = base::siphash24(view.hash_key(), bytes);
    }
    return view.member_at_weight(h % view.total_weight());
  }
};

}  // namespace

std::unique_ptr<Balancer> make_ip_hash(std::uint64_t) {
  return std::make_unique<IpHash>();
}

}  // namespace gslb::lb::balancers
