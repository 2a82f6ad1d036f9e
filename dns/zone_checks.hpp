// Semantic checks of one zone's records, after parsing and before indexing,
// modelled on Knot's semantic checks and nsd-checkzone. Every problem is
// reported (not just the first) at the file:line of the record at fault:
//
//   errors:   data outside the zone; no SOA at the apex, more than one, or an
//             SOA below the apex; no NS at the apex; CNAME beside other data
//             (RRSIG and NSEC excepted, RFC 4035 §2.5) or more than one CNAME
//             at a name (RFC 1034 §3.6.2, RFC 2181 §10.1); CNAME or DNAME at
//             the apex; more than one DNAME at a name (RFC 6672 §2.4); names
//             below a DNAME (RFC 6672 §2.3); NS at a
//             wildcard name (RFC 4592 §4.2); an NS target inside the zone
//             without an A or AAAA record (the glue a referral needs); a TTL
//             above 2^31-1 (RFC 2181 §8).
//   warnings: identical records (collapsed to one, RFC 2181 §5); records of
//             one RRset with different TTLs (all get the TTL of the RRset's
//             last record in the file, as Knot does; RFC 2181 §5.2); an SOA
//             with TTL 0.
//
// Normalises `records` in place: drops duplicates and records outside the
// zone, equalises RRset TTLs; file order is kept otherwise. A zone with any
// error must not be served. Runs in O(n log n); thread-compatible.
#pragma once

#include <string>
#include <vector>

#include "base/diagnostic.hpp"
#include "dns/name.hpp"
#include "dns/record.hpp"

namespace gslb::dns {

// `zone_file` names the zone's top file for zone-wide problems (no SOA, ...).
void check_zone(const Name& origin, std::vector<Record>& records, const std::string& zone_file,
                base::DiagnosticList& diags);

}  // namespace gslb::dns
