// Semantic checks of one zone's records, modelled on Knot's semantic checks
// and nsd-checkzone. Every problem is reported (not just the first) at the
// file:line of the record at fault:
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
//             last record in file order, as Knot does; RFC 2181 §5.2); an SOA
//             with TTL 0.
//
// The checks run over ZoneBuilder's compact form of the records (24 bytes
// each plus their RDATA and one copy of each name), so a loader streams
// records from the parser into the builder and never holds them all as
// Records. Diagnostics come out in file order. Thread-compatible.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "base/diagnostic.hpp"
#include "dns/name.hpp"
#include "dns/record.hpp"
#include "dns/zone_data.hpp"

namespace gslb::dns {

// Checks `records` as a whole and normalises them in place: drops duplicates
// and records outside the zone, gives each RRset one TTL; file order is kept
// otherwise. `zone_file` names the zone's top file for zone-wide problems (no
// SOA, ...). A zone with any error must not be served. O(n log n).
void check_zone(const Name& origin, std::vector<Record>& records, const std::string& zone_file,
                base::DiagnosticList& diags);

// One in-zone record as ZoneBuilder keeps it between add() and finish().
struct CompactRecord {
  std::uint32_t node;  // ZoneData node of its owner
  std::uint32_t ttl;
  std::uint32_t rdata_offset;  // into CompactZone::rdata
  std::uint32_t line;
  std::uint16_t rdata_length;
  std::uint16_t type;
  std::uint16_t file;  // into CompactZone::files
};

// A diagnostic and the position in the file of the record it is about
// (counting every record handed to the builder, dropped ones too).
using OrderedDiagnostic = std::pair<std::size_t, base::Diagnostic>;

// What the checks read: ZoneBuilder's state after the last add().
struct CompactZone {
  const Name* origin = nullptr;
  const std::string* zone_file = nullptr;
  const ZoneData* zone = nullptr;         // its nodes and names (no RRsets yet)
  std::span<const std::uint32_t> parent;  // per node; no_node at the apex
  std::span<CompactRecord> records;       // in file order; TTLs are equalised in place
  std::span<const std::uint32_t> order;   // indexes of `records` by (node, type, RDATA, index)
  const std::uint8_t* rdata = nullptr;
  std::span<const std::shared_ptr<const std::string>> files;
  // For each record the builder dropped (outside the zone, ...), how many
  // records it had kept before it: maps record indexes to file positions.
  std::span<const std::uint32_t> dropped_at;
  // Record index → owner wire name as written, for owners not in lower case
  // (diagnostics show names as the file spells them).
  const std::unordered_map<std::uint32_t, std::string>* spelling = nullptr;
};

// Runs the checks that need the whole zone; appends what it finds to `found`
// (not sorted). Returns, per record, whether it is a duplicate to drop.
std::vector<bool> check_compact_zone(const CompactZone& zone, std::vector<OrderedDiagnostic>& found);

// The checks of a record on its own, made as the builder takes it: appends to
// `found` and returns false when the record is to be dropped.
bool check_record_alone(const Name& origin, const Record& record, std::size_t position, const std::string& zone_file,
                        std::vector<OrderedDiagnostic>& found);

}  // namespace gslb::dns
