// Bounds-checked parse of a query packet: header, the one question, and the
// OPT RR (RFC 1035 §4.1, RFC 6891 §6.1.1). No allocation; never reads outside
// the span; safe on any input (fuzzed by tests/fuzz/query_processor_fuzz.cpp).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "dns/edns.hpp"
#include "dns/name.hpp"

namespace gslb::dns {

struct WireQuery {
  std::uint16_t id = 0;
  std::uint8_t flags1 = 0;  // header octet 2: QR, OPCODE, AA, TC, RD
  std::uint8_t flags2 = 0;  // header octet 3: RA, Z, AD, CD, RCODE
  std::uint8_t opcode = 0;
  std::uint16_t qdcount = 0;
  bool has_question = false;  // the question parsed (echo it in error answers)
  // The question name as received (case kept, to echo) and lower-cased (to look up).
  const std::uint8_t* qname = nullptr;  // into the packet, at offset 12
  std::uint8_t qname_lower[max_name_length];
  std::size_t qname_length = 0;
  std::uint16_t qtype = 0;
  std::uint16_t qclass = 0;
  Edns edns;
  // IXFR (RFC 1995 §3): the SERIAL of the client's SOA in the authority section.
  bool has_client_serial = false;
  std::uint32_t client_serial = 0;
};

enum class WireStatus {
  ok,
  drop,     // too short for a header, or a response (QR=1): send nothing
  formerr,  // malformed; answer FORMERR (with the question if has_question)
  notimp,   // opcode other than QUERY (RFC 1035 §4.1.1)
};

WireStatus parse_query(std::span<const std::uint8_t> packet, WireQuery& out);

}  // namespace gslb::dns
