// Presentation form → wire form for the fields of the common RR types
// (RFC 1035 §5.1 and the RFCs of each type), without ldns: the zone parser's
// fast path. ldns needs ~1.8 µs per record; a 1M-record zone must load in well
// under Knot's 1.35 s, so A, AAAA, NS, CNAME, PTR, MX, TXT, SOA and SRV are
// converted here and everything else goes to ldns.
//
// Every function answers "converted" or "not converted" and never reports an
// error itself: when the fast path declines, the parser asks ldns, which
// gives the authoritative result or the error text. The fast path must
// therefore never accept input that ldns would reject or encode differently;
// zone_parser_test checks this against ldns over many generated records.
//
// Pure functions, thread-safe.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "dns/name.hpp"
#include "dns/zone_tokenizer.hpp"

namespace gslb::dns {

// Wire form of a presentation-form name: '@' is the origin, a name without a
// final dot is relative to `origin_wire`, escapes are \X and \DDD. Writes into
// `buf` and returns the length, or 0 when the text is not a valid name.
std::size_t name_to_wire(std::string_view text, std::string_view origin_wire, std::uint8_t (&buf)[max_name_length]);

// A TTL: decimal seconds, or BIND-style units ("1h30m", "2W"; s m h d w, any
// case). False when malformed or above 2^32-1.
bool parse_ttl(std::string_view text, std::uint32_t& out);

// Unsigned decimal with no sign or leading '+'; false when empty, malformed
// or above `max`.
bool parse_decimal(std::string_view text, std::uint32_t max, std::uint32_t& out);

// Appends the RDATA wire form of `fields` for `type` to `out`, or returns
// false (with `out` restored to its size on entry) when the fast path does not
// handle this type or this spelling.
bool fast_rdata_to_wire(std::uint16_t type, std::span<const ZoneToken> fields, std::string_view origin_wire,
                        std::vector<std::uint8_t>& out);

}  // namespace gslb::dns
