// ZoneBuilder: builds a Zone from records handed over one at a time, so a
// loader can parse and index in one pass without holding every Record
// (a Record costs ~165 bytes of heap; the index keeps ~90 bytes per record).
// Zone::build(origin, records, diags) is this builder over a vector.
//
// Single-threaded; not on the query path.
#pragma once

#include <memory>

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

  // Takes one record. Problems with this record alone (owner outside the
  // zone, class not IN, meta type) go to `diags` now with its file:line.
  void add(const Record& record, base::DiagnosticList& diags);

  // Indexes what was added; zone-wide problems (no SOA, CNAME beside other
  // data, ...) go to `diags`. Returns nullptr if any error was reported since
  // construction. Call once.
  Zone::ConstPtr finish(base::DiagnosticList& diags);

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace gslb::dns
