// Zone loading, one file at a time: records stream from the parser
// (zone_parser) into a ZoneBuilder, which checks them (zone_checks) in its
// compact form and indexes them; no Record vector is held. load_zone_directory (zone_set.hpp) and `gslb check`
// are both built on these, so that check reports exactly what serve would do.
//
// Control-plane only; thread-compatible (no shared state).
#pragma once

#include <cstddef>
#include <filesystem>
#include <optional>
#include <vector>

#include "base/diagnostic.hpp"
#include "dns/name.hpp"
#include "dns/zone.hpp"

namespace gslb::dns {

struct ZoneFileSpec {
  std::filesystem::path file;          // as the operator named it; diagnostics use it
  std::filesystem::path include_root;  // $INCLUDE is confined to this directory
};

struct ZoneFileResult {
  std::filesystem::path file;
  std::optional<Name> origin;  // nullopt when neither $ORIGIN nor the file name gives one
  Zone::ConstPtr zone;         // nullptr when the file has errors: it must not be served
  std::size_t errors = 0;
  std::size_t warnings = 0;
};

// The regular files named *.zone directly inside `dir` (not in subfolders:
// those hold $INCLUDE fragments), sorted by name. Problems reading the
// directory go to `diags`.
std::vector<std::filesystem::path> list_zone_files(const std::filesystem::path& dir, base::DiagnosticList& diags);

// Loads one zone file completely; every problem goes to `diags`.
ZoneFileResult load_zone_file(const ZoneFileSpec& spec, base::DiagnosticList& diags);

// Loads each file in order. A second file for an origin already loaded is an
// error and its zone is dropped (the first file keeps the origin).
std::vector<ZoneFileResult> load_zone_files(const std::vector<ZoneFileSpec>& specs, base::DiagnosticList& diags);

}  // namespace gslb::dns
