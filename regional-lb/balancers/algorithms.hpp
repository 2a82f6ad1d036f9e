// Constructors of the algorithms, one per file in this folder; used only by
// factory.cpp. Each file's header comment says how its algorithm picks.
#pragma once

#include <cstdint>
#include <memory>

#include "regional-lb/balancer.hpp"

namespace gslb::lb::balancers {

std::unique_ptr<Balancer> make_round_robin(std::uint64_t seed);
std::unique_ptr<Balancer> make_weighted_round_robin(std::uint64_t seed);
std::unique_ptr<Balancer> make_least_connections(std::uint64_t seed);
std::unique_ptr<Balancer> make_ip_hash(std::uint64_t seed);
std::unique_ptr<Balancer> make_consistent_hash(std::uint64_t seed);
std::unique_ptr<Balancer> make_least_response_time(std::uint64_t seed);
std::unique_ptr<Balancer> make_random_two_choices(std::uint64_t seed);

std::shared_ptr<const PreparedTable> prepare_hash_ring(const PoolView& view);

// A hash of the request key under the pool's secret key (STYLE.md pitfall 14).
inline std::uint64_t keyed_hash(const PoolView& view, const RequestInfo& request) {
  return base::siphash24(view.hash_key(), request.key());
}

}  // namespace gslb::lb::balancers
