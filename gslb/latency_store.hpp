// The latency table in the SQLite state file (the file `--state` names,
// shared with the health state store; this table is independent of its
// schema_version and created on first import):
//
//   latency(prefix TEXT, region TEXT, rtt_ms REAL, samples INTEGER NULL,
//           imported_ms INTEGER, PRIMARY KEY (prefix, region)) WITHOUT ROWID
//
// `prefix` is the canonical text of base::Prefix ("192.0.2.0/24"), so one
// network always has one spelling and upserts find it.
//
// import_latency() writes in ONE transaction: readers (a `gslb serve`
// reloading on SIGHUP) see the table before or after, never half of it; a
// failure rolls back and leaves the old table. load_latency_table() reads the
// whole table into an immutable LatencyTable; a row that does not parse (the
// file edited by hand) fails the load, as a broken zone file fails a reload.
//
// Control plane only (blocking SQLite calls).
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

#include "base/diagnostic.hpp"
#include "gslb/latency_csv.hpp"
#include "gslb/latency_table.hpp"

namespace gslb::policy {

struct LatencyImportSummary {
  std::size_t rows = 0;        // rows written by this import
  std::size_t prefixes = 0;    // distinct prefixes among them
  std::size_t regions = 0;     // distinct region names among them
  std::size_t table_rows = 0;  // rows in the table after the import
  bool replaced = false;
};

// Writes `rows` into the state file at `state` (created if missing). With
// `replace` the table's old rows are deleted in the same transaction;
// otherwise existing (prefix, region) rows are updated and others kept.
// Returns "" on success, else a message naming the file and the step.
std::string import_latency(const std::filesystem::path& state, const std::vector<LatencyRow>& rows, bool replace,
                           LatencyImportSummary& summary);

// Reads the table. A missing state file or a file without the table is an
// empty table (nothing imported yet), not an error. Errors (unreadable file,
// bad rows) go to `diags` with the state file's name; then the result is null.
LatencyTablePtr load_latency_table(const std::filesystem::path& state, base::DiagnosticList& diags);

}  // namespace gslb::policy
