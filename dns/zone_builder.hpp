// ZoneBuilder: builds a Zone from records handed over one at a time, so a
// loader can parse, check and index in one pass without holding every Record
// (a Record costs ~165 bytes of heap; the builder keeps ~24 bytes per record
// plus its RDATA and one copy of each name). With enable_checks it also runs
// zone_checks.hpp's semantic checks over that compact form.
// Zone::build(origin, records, diags) is this builder over a vector, without
// those checks.
//
// Single-threaded; not on the query path.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "base/diagnostic.hpp"
#include "dns/record.hpp"
#include "dns/zone.hpp"

namespace gslb::dns {

class ZoneBuilder {
 public:
  // `expected_records` sizes the tables up front (0 = grow as needed).
  explicit ZoneBuilder(const Name& origin, std::size_t expected_records = 0);
  ~ZoneBuilder();
  ZoneBuilder(const ZoneBuilder&) = delete;
  ZoneBuilder& operator=(const ZoneBuilder&) = delete;

  // Makes check() and finish() run zone_checks.hpp's checks; `zone_file`
  // names the zone's top file for zone-wide problems. Call before add().
  void enable_checks(std::string zone_file);

  // Takes one record. Problems with this record alone (owner outside the
  // zone, class not IN, meta type) go to `diags` with its file:line: at once
  // without checks, with the checks' findings in file order with them.
  void add(const Record& record, base::DiagnosticList& diags);

  // With checks enabled: runs them and reports their findings to `diags` in
  // file order; a no-op otherwise or when already run. When given, `kept`
  // and `ttl` get one entry per record handed to add(), in order: whether it
  // stays in the zone (not a duplicate, not dropped) and its TTL after the
  // RRset's TTLs were made one.
  void check(base::DiagnosticList& diags, std::vector<bool>* kept = nullptr, std::vector<std::uint32_t>* ttl = nullptr);

  // Indexes what was added (after check() when checks are on); zone-wide
  // problems go to `diags`. Returns nullptr if any error was reported since
  // construction, without indexing when the checks found one. Call once.
  Zone::ConstPtr finish(base::DiagnosticList& diags);

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace gslb::dns
