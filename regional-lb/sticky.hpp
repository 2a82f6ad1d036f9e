// Cookie session affinity, shared by every balancer (STYLE.md habit 4: one
// place for cross-cutting rules). A member's cookie value is 16 hex digits of
// SipHash of its address under a fixed, public key: stable across restarts
// and across the several `gslb lb` instances of a region, and not the
// backend's address in clear. A cookie naming a member that is down or
// draining is ignored (the balancer picks, and a new cookie is set).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "regional-lb/config.hpp"
#include "regional-lb/pool.hpp"

namespace gslb::lb {

std::string sticky_id(const Endpoint& address);

// The available member whose id is value, or nullopt. O(members); no allocation.
std::optional<std::uint32_t> sticky_member(const PoolView& view, std::string_view value);

// The Set-Cookie field value pinning a client to the member with this id.
std::string sticky_set_cookie(const StickyConfig& config, std::string_view id);

}  // namespace gslb::lb
