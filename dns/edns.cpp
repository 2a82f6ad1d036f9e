#include "dns/edns.hpp"

#include "dns/rr_types.hpp"

namespace gslb::dns {

bool parse_opt(std::uint16_t rclass, std::uint32_t ttl, const std::uint8_t* rdata, std::size_t rdlength, Edns& out) {
  out.present = true;
  out.udp_size = rclass;
  out.extended_rcode = static_cast<std::uint8_t>(ttl >> 24);
  out.version = static_cast<std::uint8_t>(ttl >> 16);
  out.dnssec_ok = (ttl & 0x8000u) != 0;
  std::size_t i = 0;
  while (i < rdlength) {
    if (rdlength - i < 4) return false;
    const std::uint16_t code = read_u16(rdata + i);
    const std::uint16_t length = read_u16(rdata + i + 2);
    i += 4;
    if (rdlength - i < length) return false;
    if (code == edns_option_client_subnet) {
      // RFC 7871 §7.1.2: a malformed option, or more than one, is FORMERR.
      if (out.has_client_subnet) return false;
      if (!parse_client_subnet(rdata + i, length, out.client_subnet)) return false;
      out.has_client_subnet = true;
    }
    i += length;
  }
  return true;
}

std::size_t write_opt(std::uint8_t* out, std::uint16_t udp_size, std::uint16_t rcode, bool dnssec_ok,
                      const ClientSubnet* ecs, std::uint8_t ecs_scope) {
  out[0] = 0;  // root owner
  write_u16(out + 1, rr_type::opt);
  write_u16(out + 3, udp_size);
  const std::uint32_t ttl = (std::uint32_t{static_cast<std::uint8_t>(rcode >> 4)} << 24) | (dnssec_ok ? 0x8000u : 0u);
  write_u32(out + 5, ttl);
  std::size_t rdlength = 0;
  if (ecs != nullptr) rdlength = write_client_subnet(out + 11, *ecs, ecs_scope);
  write_u16(out + 9, static_cast<std::uint16_t>(rdlength));
  return 11 + rdlength;
}

}  // namespace gslb::dns
