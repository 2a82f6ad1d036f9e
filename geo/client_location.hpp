// Where is the client: pick the address that stands for the client, find its
// location (operator override first, then the geo database), and say over
// which prefix that answer holds, for the ECS scope.
//
// Choosing the address (RFC 7871):
//   - a query with a usable ECS option is located by the ECS address, and
//     the answer may not be scoped more specifically than the client
//     revealed: the source prefix is an upper bound on the scope length;
//   - ECS with SOURCE PREFIX-LENGTH 0 (§7.1.2: the client opted out) carries
//     no client information: locate the packet source (the resolver), which
//     is what the RFC expects an authoritative to fall back to, and scope 0;
//   - otherwise the packet source, as a host (/32 or /128).
//   v4-mapped addresses (a dual-stack socket's view of an IPv4 peer, or ECS
//   family 2 carrying ::ffff:a.b.c.d/≥96) are handled as IPv4, so that IPv4
//   overrides, the IPv4 part of the database and IPv4-sized scopes apply.
//
// The scope rule. The location is a function of the address alone, so an
// answer computed from it is identical for every address that yields the same
// location. Within the address's family:
//   override matched:   uniform over the override's scope_length (the
//                       matched rule minus any more specific rule);
//                       the database is not consulted.
//   no override:        uniform where both "no override" (override
//                       scope_length) and the database record (its network's
//                       prefix_length) are; both are prefixes containing the
//                       address, so that is the longer of the two.
//   then:               scope = min(that, source prefix), because the ECS
//                       client only told us source-prefix bits and must not
//                       get a scope longer than its source (RFC 7871 §7.2.1
//                       lets it be shorter; a longer one would make the
//                       resolver cache the answer for a subnet it did not ask
//                       about).
// A later steering step may narrow this further (never widen it); combining
// scopes takes the minimum.
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>

#include <array>
#include <cstdint>
#include <optional>
#include <string>

#include "base/ip.hpp"
#include "geo/geo_info.hpp"
#include "geo/net_overrides.hpp"

namespace gslb::geo {

class GeoDb;

// The address that stands for the client, and how many of its bits are known.
struct ClientAddress {
  base::IpAddress address;     // normalised (never v4-mapped); host bits past source_prefix are zero
  std::uint8_t source_prefix;  // ECS source prefix, or 32/128 for a packet source
  bool from_ecs = false;
};

// Decides the client address from what the DNS layer parsed (the fields of
// dns::ClientInfo, passed separately so geo/ does not depend on dns/).
// `ecs_family` is 1 (IPv4) or 2 (IPv6) per RFC 7871 §6; `ecs_address` holds
// the address bytes (4 or 16 used). An ECS option with an unknown family or a
// source prefix longer than its family is ignored (the DNS layer should have
// answered FORMERR already). Returns nullopt when nothing usable remains (no
// usable ECS and a source that is not AF_INET/AF_INET6).
std::optional<ClientAddress> choose_client_address(const sockaddr_storage& source, bool has_ecs,
                                                   std::uint16_t ecs_family, std::uint8_t ecs_source_prefix,
                                                   const std::array<std::uint8_t, 16>& ecs_address) noexcept;

struct ClientLocation {
  ClientAddress client;
  // Set when an operator rule decided the location; then `geo` is the rule's
  // location (Kind::location) or empty (Kind::region: steer to that region).
  const OverrideTarget* override_target = nullptr;
  std::uint8_t override_length = 0;  // the matching rule's prefix length
  GeoInfo geo;                       // database result when no rule matched
  // The widest prefix of client.address (in its family) over which this
  // location, and so an answer derived only from it, is the same. See the
  // scope rule above; always <= client.source_prefix.
  std::uint8_t scope_prefix = 0;
};

// Locates `client`. Either source may be null (no overrides configured, no
// database loaded). Pointers in the result point into `overrides`, which must
// outlive it. Never throws, never allocates; any thread.
ClientLocation locate_client(const ClientAddress& client, const NetOverrides* overrides, const GeoDb* db) noexcept;

// One line for `gslb explain` and logs (allocates; not for the query path):
//   "192.0.2.0/24 (ECS): EU NO-54 69.6496,18.956 (database); scope /24"
//   "198.51.100.200 (source): override 198.51.100.128/25 -> region syd; scope /25"
std::string to_string(const ClientLocation& location);

}  // namespace gslb::geo
