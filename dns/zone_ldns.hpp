// The zone parser's complete path: RDATA of any RR type ldns knows (and the
// RFC 3597 "\# len hex" form for any type), converted by ldns, with numeric
// fields range-checked first because ldns silently wraps them (MX 70000 would
// become 4464) and with the failing field located for the diagnostic.
//
// Thread-safe (ldns' parsers keep no global state).
#pragma once

// ldns/common.h defines bool, true and false as macros (0 and 1) unless
// <stdbool.h> came first; the macros break <optional>'s operator<=>.
// clang-format off
#include <stdbool.h>  // NOLINT(modernize-deprecated-headers)
#include <ldns/ldns.h>
// clang-format on

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "dns/name.hpp"
#include "dns/zone_tokenizer.hpp"

namespace gslb::dns {

struct LdnsRdfDeleter {
  void operator()(ldns_rdf* rdf) const { ldns_rdf_deep_free(rdf); }
};
using LdnsRdfPtr = std::unique_ptr<ldns_rdf, LdnsRdfDeleter>;

// An ldns DNAME rdf holding `name` (for ldns' relative-name origin).
LdnsRdfPtr make_ldns_name(const Name& name);

struct RdataError {
  int line = 0;  // of the token at fault, or of the type when no token is
  int column = 0;
  std::string message;
};

// Appends the RDATA of one record to `out`. `type_token` is the type as
// written (its column anchors errors about missing fields); `fields` are the
// RDATA tokens; relative names are completed with `origin`. On failure `out`
// is unchanged, `error` says what and where, and false is returned.
bool ldns_rdata_to_wire(std::uint16_t type, const ZoneToken& type_token, std::span<const ZoneToken> fields,
                        const ldns_rdf* origin, std::vector<std::uint8_t>& out, RdataError& error);

// The RDATA of an ldns RR in uncompressed wire form: its rdfs back to back,
// which is what ldns_rr2wire writes after the RR header.
void append_ldns_rdata(const ldns_rr* rr, std::vector<std::uint8_t>& out);

// "A", "TYPE65534", ...
std::string type_to_string(std::uint16_t type);

}  // namespace gslb::dns
