// Balancer names → algorithms. The single list that config validation, the
// reference docs and the proxy share; an unknown name is a config error.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string_view>

#include "regional-lb/balancer.hpp"

namespace gslb::lb {

std::span<const std::string_view> balancer_names();
bool is_balancer_name(std::string_view name);

// A new per-worker instance; seed feeds its RNG or starting cursor (give each
// worker a different one). Precondition: is_balancer_name(name).
std::unique_ptr<Balancer> make_balancer(std::string_view name, std::uint64_t seed);

// What the algorithm precomputes per view (nullptr for most). Called by PoolView::build.
std::shared_ptr<const PreparedTable> prepare_table(std::string_view name, const PoolView& view);

}  // namespace gslb::lb
