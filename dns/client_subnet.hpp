// EDNS Client Subnet option (RFC 7871 §6): parse, validate, emit.
// Pure functions over byte spans; no allocation; safe on any input.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace gslb::dns {

struct ClientSubnet {
  std::uint16_t family = 0;  // 1 = IPv4, 2 = IPv6
  std::uint8_t source_prefix = 0;
  std::uint8_t scope_prefix = 0;
  std::array<std::uint8_t, 16> address{};  // bits beyond source_prefix are zero
};

// Parses the option body (after OPTION-CODE/OPTION-LENGTH). Returns false when
// the option is malformed in a way RFC 7871 §7.1.2 says to answer with FORMERR:
// unknown family, prefix longer than the family's address, ADDRESS not exactly
// ceil(SOURCE PREFIX-LENGTH / 8) octets, or non-zero bits beyond the prefix.
bool parse_client_subnet(const std::uint8_t* body, std::size_t length, ClientSubnet& out);

// Bytes the option takes in a response, header included.
inline std::size_t client_subnet_wire_size(const ClientSubnet& ecs) {
  return 4 + 4 + (std::size_t{ecs.source_prefix} + 7) / 8;
}

// Writes the option (header included) as RFC 7871 §7.2.1 wants in a response:
// FAMILY, SOURCE PREFIX-LENGTH and ADDRESS as the query had them, with the
// given SCOPE PREFIX-LENGTH. `out` must have client_subnet_wire_size() bytes.
// Returns the bytes written.
std::size_t write_client_subnet(std::uint8_t* out, const ClientSubnet& ecs, std::uint8_t scope_prefix);

}  // namespace gslb::dns
