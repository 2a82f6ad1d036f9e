// EDNS(0) OPT pseudo-RR (RFC 6891 §6): reading a query's OPT and writing ours.
#pragma once

#include <cstddef>
#include <cstdint>

#include "dns/client_subnet.hpp"

namespace gslb::dns {

struct Edns {
  bool present = false;
  std::uint16_t udp_size = 0;  // requestor's payload size (CLASS field)
  std::uint8_t extended_rcode = 0;
  std::uint8_t version = 0;
  bool dnssec_ok = false;  // DO bit (RFC 3225)
  bool has_client_subnet = false;
  ClientSubnet client_subnet;
};

// Reads an OPT RR's CLASS, TTL and RDATA into `out`. Returns false for a
// malformed RDATA (an option running past the end, a second or invalid ECS
// option): the caller answers FORMERR. Unknown options are skipped (§6.1.2).
bool parse_opt(std::uint16_t rclass, std::uint32_t ttl, const std::uint8_t* rdata, std::size_t rdlength, Edns& out);

// Size of the OPT RR we send, with an ECS option when `ecs` is non-null.
inline std::size_t opt_wire_size(const ClientSubnet* ecs) {
  return 11 + (ecs != nullptr ? client_subnet_wire_size(*ecs) : 0);
}

// Writes our OPT RR at `out` (opt_wire_size bytes): root owner, our UDP
// payload size, the upper 8 bits of a 12-bit rcode (§6.1.3), version 0, the
// DO bit echoed (RFC 3225 §3) and the ECS option when given. Returns bytes written.
std::size_t write_opt(std::uint8_t* out, std::uint16_t udp_size, std::uint16_t rcode, bool dnssec_ok,
                      const ClientSubnet* ecs, std::uint8_t ecs_scope);

}  // namespace gslb::dns
