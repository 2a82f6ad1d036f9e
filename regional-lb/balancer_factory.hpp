// Balancer names, the single list that config validation and the factory share.
#pragma once

#include <span>
#include <string_view>

namespace gslb::lb {

std::span<const std::string_view> balancer_names();
bool is_balancer_name(std::string_view name);

}  // namespace gslb::lb
