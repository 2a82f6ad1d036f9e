// Zone file parser: RFC 1035 §5 master files → dns::Records, with $ORIGIN,
// $TTL (RFC 2308 §4), $INCLUDE, parentheses, comments, relative names, '@'
// and owner inheritance. Every problem is reported to a DiagnosticList with
// the file and line it comes from (the starting line of a multi-line record,
// inside the included file for included records), and parsing goes on after
// it so that one run reports every broken record.
//
// Common record types are converted by a fast path (rdata_text.hpp); every
// other type, and any spelling the fast path does not take, goes to ldns
// (zone_ldns.hpp). ldns' file readers are not used: ldns_zone_new_frm_fp
// rejects $INCLUDE, ldns_rr_new_frm_fp_l reports one but drops its file name,
// neither gives columns, and they cost ~1.8 µs per record.
//
// Semantic checks (SOA, NS, CNAME, glue, ...) are zone_checks.hpp's job.
// Thread-compatible: separate calls may run on separate threads.
#pragma once

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/diagnostic.hpp"
#include "dns/name.hpp"
#include "dns/record.hpp"

namespace gslb::dns {

inline constexpr int max_include_depth = 10;

struct ZoneParseOptions {
  // $INCLUDE file names are relative to this directory, and no file outside
  // it (after resolving symlinks) is read. Usually the zones directory.
  std::filesystem::path include_root;
  // The zone's origin unless the file sets $ORIGIN before its first record;
  // the loader derives it from the file name (origin_from_file_name).
  std::optional<Name> origin;
};

struct ParsedZone {
  std::optional<Name> origin;   // nullopt when neither the options nor the file gave one
  std::vector<Record> records;  // every record that parsed, in file order, includes expanded in place
};

// Where a streaming parse hands its records, one at a time in file order
// (includes expanded in place), so that a loader need not hold them all.
class RecordSink {
 public:
  virtual ~RecordSink() = default;
  // Once, before the first record: the zone's origin (settled by then:
  // $ORIGIN names the zone only before any record) and the top file's line
  // count, a likely bound on the record count for sizing tables.
  virtual void begin(const std::optional<Name>& origin, std::size_t lines) = 0;
  virtual void take(Record&& record) = 0;
};

// Streaming forms: records go to `sink`; returns the zone's origin (nullopt
// when neither the options nor the file gave one).
std::optional<Name> parse_zone_file(const std::filesystem::path& path, const ZoneParseOptions& options,
                                    base::DiagnosticList& diags, RecordSink& sink);
std::optional<Name> parse_zone_text(std::string_view text, const std::string& display_name,
                                    const ZoneParseOptions& options, base::DiagnosticList& diags, RecordSink& sink);

// Parses the zone file at `path` (its diagnostics name it as given).
ParsedZone parse_zone_file(const std::filesystem::path& path, const ZoneParseOptions& options,
                           base::DiagnosticList& diags);

// Parses zone text held in memory; `display_name` is the file name used in
// diagnostics and records. $INCLUDE still reads below options.include_root.
ParsedZone parse_zone_text(std::string_view text, const std::string& display_name, const ZoneParseOptions& options,
                           base::DiagnosticList& diags);

// "example.com.zone" → example.com.; nullopt when the name does not end in
// ".zone" or the rest is not a valid domain name.
std::optional<Name> origin_from_file_name(const std::filesystem::path& path);

}  // namespace gslb::dns
