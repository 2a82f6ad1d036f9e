#include "dns/client_subnet.hpp"

#include <cstring>

#include "dns/rr_types.hpp"

namespace gslb::dns {

bool parse_client_subnet(const std::uint8_t* body, std::size_t length, ClientSubnet& out) {
  if (length < 4) return false;
  out.family = read_u16(body);
  out.source_prefix = body[2];
  out.scope_prefix = body[3];
  std::size_t max_prefix;
  if (out.family == 1) {
    max_prefix = 32;
  } else if (out.family == 2) {
    max_prefix = 128;
  } else {
    return false;
  }
  if (out.source_prefix > max_prefix) return false;
  const std::size_t address_length = (std::size_t{out.source_prefix} + 7) / 8;
  // RFC 7871 §6: ADDRESS must be truncated to the prefix, no longer or shorter.
  if (length - 4 != address_length) return false;
  out.address = {};
  std::memcpy(out.address.data(), body + 4, address_length);
  const unsigned spare_bits = static_cast<unsigned>(address_length * 8 - out.source_prefix);
  if (spare_bits != 0) {
    const auto mask = static_cast<std::uint8_t>((1u << spare_bits) - 1);
    if ((out.address[address_length - 1] & mask) != 0) return false;
  }
  return true;
}

std::size_t write_client_subnet(std::uint8_t* out, const ClientSubnet& ecs, std::uint8_t scope_prefix) {
  const std::size_t address_length = (std::size_t{ecs.source_prefix} + 7) / 8;
  write_u16(out, edns_option_client_subnet);
  write_u16(out + 2, static_cast<std::uint16_t>(4 + address_length));
  write_u16(out + 4, ecs.family);
  out[6] = ecs.source_prefix;
  out[7] = scope_prefix;
  std::memcpy(out + 8, ecs.address.data(), address_length);
  return 8 + address_length;
}

}  // namespace gslb::dns
