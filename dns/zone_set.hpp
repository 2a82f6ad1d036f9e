// ZoneSet: every zone the server is authoritative for, as one immutable
// snapshot. Built whole off the query path, validated whole, then published
// through base::Snapshot; queries never see a half-built set.
#pragma once

#include <filesystem>
#include <memory>
#include <string_view>
#include <vector>

#include "base/diagnostic.hpp"
#include "dns/zone.hpp"

namespace gslb::dns {

class ZoneSet {
 public:
  using ConstPtr = std::shared_ptr<const ZoneSet>;

  explicit ZoneSet(std::vector<Zone::ConstPtr> zones);

  // The zone with the longest origin that is a suffix of `qname_key`
  // (canonical lower-case wire form), or nullptr when we are not authoritative.
  const Zone* find(std::string_view qname_key) const;

  const std::vector<Zone::ConstPtr>& zones() const { return zones_; }

 private:
  std::vector<Zone::ConstPtr> zones_;
  // (implementation detail of zone_set.cpp: an index by origin key)
  struct Index;
  std::shared_ptr<const Index> index_;
};

struct ZoneLoadOptions {
  std::filesystem::path zones_dir;  // every *.zone in it; $INCLUDE confined to it
  bool dry_run = false;             // `gslb check`: report, never serve
};

// Loads every zone file of a directory. Errors and warnings go to `diags` with
// file:line. A zone whose file fails keeps its version from `previous` (if
// any) so that a reload never takes a working zone away; the returned set is
// never null.
ZoneSet::ConstPtr load_zone_directory(const ZoneLoadOptions& options, base::DiagnosticList& diags,
                                      const ZoneSet* previous = nullptr);

}  // namespace gslb::dns
