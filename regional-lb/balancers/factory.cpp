#include <algorithm>
#include <array>

#include "regional-lb/balancer_factory.hpp"

namespace gslb::lb {
namespace {
constexpr std::array<std::string_view, 7> names{"round_robin",       "weighted_round_robin", "least_connections",
                                                "ip_hash",           "consistent_hash",      "least_response_time",
                                                "random_two_choices"};
}

std::span<const std::string_view> balancer_names() {
  return names;
}

bool is_balancer_name(std::string_view name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

}  // namespace gslb::lb
