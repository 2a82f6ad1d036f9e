// One resource record as read from a zone file, in uncompressed wire form.
// This is the hand-off between the zone parser (zone_parser) and the zone
// index (zone): the parser produces Records, Zone::build indexes them.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "dns/name.hpp"

namespace gslb::dns {

// Where a record came from, for diagnostics ("file:line").
struct SourceLocation {
  std::shared_ptr<const std::string> file;  // shared: one string per file, not per record
  int line = 0;
};

struct Record {
  Name owner;                // as written in the file (case preserved)
  std::uint16_t type = 0;    // RR TYPE (LDNS_RR_TYPE_* values)
  std::uint16_t rclass = 1;  // RR CLASS, IN unless the file says otherwise
  std::uint32_t ttl = 0;
  std::vector<std::uint8_t> rdata;  // uncompressed RDATA wire bytes
  SourceLocation where;
};

}  // namespace gslb::dns
