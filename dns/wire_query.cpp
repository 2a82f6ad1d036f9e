#include "dns/wire_query.hpp"

#include "dns/rr_types.hpp"

namespace gslb::dns {

namespace {

// Skips a possibly compressed name at `pos`; returns the offset after it or 0
// when it runs past `size` or uses a reserved label type.
std::size_t skip_name(const std::uint8_t* p, std::size_t size, std::size_t pos) {
  for (;;) {
    if (pos >= size) return 0;
    const std::uint8_t len = p[pos];
    if (len == 0) return pos + 1;
    if ((len & 0xc0) == 0xc0) return pos + 2 <= size ? pos + 2 : 0;  // a pointer ends the name
    if ((len & 0xc0) != 0) return 0;                                 // RFC 6891 §5: reserved label types
    pos += std::size_t{len} + 1;
  }
}

// Walks the answer, authority and additional sections from `pos`, recording
// the OPT RR (RFC 6891 §6.1.1: at most one, in additional, owned by the root)
// and, for IXFR, the client's SOA serial.
WireStatus scan_records(const std::uint8_t* p, std::size_t size, std::size_t pos, std::uint16_t ancount,
                        std::uint16_t nscount, std::uint16_t arcount, WireQuery& out) {
  const std::size_t total = std::size_t{ancount} + nscount + arcount;
  for (std::size_t i = 0; i < total; ++i) {
    const std::size_t owner = pos;
    pos = skip_name(p, size, pos);
    if (pos == 0 || pos + 10 > size) return WireStatus::formerr;
    const std::uint16_t type = read_u16(p + pos);
    const std::uint16_t rclass = read_u16(p + pos + 2);
    const std::uint32_t ttl = read_u32(p + pos + 4);
    const std::uint16_t rdlength = read_u16(p + pos + 8);
    pos += 10;
    if (pos + rdlength > size) return WireStatus::formerr;
    if (type == rr_type::opt) {
      const bool in_additional = i >= std::size_t{ancount} + nscount;
      if (!in_additional || out.edns.present || p[owner] != 0) return WireStatus::formerr;
      if (!parse_opt(rclass, ttl, p + pos, rdlength, out.edns)) return WireStatus::formerr;
    } else if (type == rr_type::soa && out.qtype == rr_type::ixfr && i >= ancount &&
               i < std::size_t{ancount} + nscount && rdlength >= 20) {
      // SERIAL is the first of the five 32-bit fields that end the RDATA.
      out.has_client_serial = true;
      out.client_serial = read_u32(p + pos + rdlength - 20);
    }
    pos += rdlength;
  }
  return WireStatus::ok;
}

}  // namespace

WireStatus parse_query(std::span<const std::uint8_t> packet, WireQuery& out) {
  const std::uint8_t* p = packet.data();
  const std::size_t size = packet.size();
  if (size < header_size) return WireStatus::drop;
  out.id = read_u16(p);
  out.flags1 = p[2];
  out.flags2 = p[3];
  if (out.flags1 & 0x80) return WireStatus::drop;  // QR=1: never answer a response
  out.opcode = static_cast<std::uint8_t>((out.flags1 >> 3) & 0x0f);
  out.qdcount = read_u16(p + 4);
  const std::uint16_t ancount = read_u16(p + 6);
  const std::uint16_t nscount = read_u16(p + 8);
  const std::uint16_t arcount = read_u16(p + 10);
  out.has_question = false;
  out.edns = Edns{};
  out.has_client_serial = false;
  if (out.qdcount != 1) {
    const WireStatus status = out.opcode != 0 ? WireStatus::notimp : WireStatus::formerr;
    // With no question, still look for an OPT so the error answer can carry
    // ours (as Knot does, RFC 6891 §7). With several questions NSD answers
    // without OPT and Knot not at all: no OPT.
    out.qtype = 0;
    if (out.qdcount != 0 || scan_records(p, size, header_size, ancount, nscount, arcount, out) != WireStatus::ok)
      out.edns = Edns{};
    return status;
  }

  // The question name: uncompressed labels only (a pointer could only point
  // back into the header), ≤ 255 octets in all (RFC 1035 §2.3.4). Length
  // octets are ≤ 63, below 'A', so the whole name is lower-cased in one pass.
  std::size_t pos = header_size;
  for (;;) {
    if (pos >= size) return WireStatus::formerr;
    const std::uint8_t len = p[pos];
    if (len > 63) return WireStatus::formerr;
    pos += std::size_t{len} + 1;
    if (len == 0) break;
    if (pos - header_size >= max_name_length) return WireStatus::formerr;
  }
  const std::size_t n = pos - header_size;
  if (pos + 4 > size) return WireStatus::formerr;
  copy_lower(out.qname_lower, p + header_size, n);
  out.qname = p + header_size;
  out.qname_length = n;
  out.qtype = read_u16(p + pos);
  out.qclass = read_u16(p + pos + 2);
  pos += 4;
  out.has_question = true;
  if (out.opcode != 0) {
    if (scan_records(p, size, pos, ancount, nscount, arcount, out) != WireStatus::ok) out.edns = Edns{};
    return WireStatus::notimp;
  }

  const WireStatus status = scan_records(p, size, pos, ancount, nscount, arcount, out);
  if (status != WireStatus::ok) out.edns = Edns{};  // a broken OPT section: answer without one
  return status;
}

}  // namespace gslb::dns
