// The latency CSV that operators import with `gslb latency import FILE`:
// measured client-prefix → region round-trip times (real-user monitoring,
// ping meshes, resolver logs joined with RUM beacons).
//
// Format (one record per line, UTF-8/ASCII, LF or CRLF):
//   # comment lines start with '#'; blank lines are ignored
//   prefix,region,rtt_ms[,samples]        the header, required, first non-comment line
//   192.0.2.0/24,eu-west,12.5
//   2001:db8:100::/40,us-east,81,1200
// - prefix: IPv4 or IPv6 CIDR with zero host bits ("192.0.2.0/24",
//   "2001:db8::/32"); a bare address is a host prefix. A v4-mapped prefix
//   (::ffff:192.0.2.0/120) is the IPv4 prefix it maps (192.0.2.0/24).
// - region: a region name as the policies spell it (letters, digits, '-',
//   '_', '.'; at most 63 characters).
// - rtt_ms: the client→region round-trip time in milliseconds, a decimal
//   ("12", "12.5") from 0 to kMaxRttMs.
// - samples: optional (only with the 4-column header), how many
//   measurements the RTT summarises; a non-negative integer, kept for
//   operators and later merging.
// Fields may be padded with spaces; there is no quoting (no field needs a
// comma). The same (prefix, region) twice is an error: the file must say
// one thing.
//
// Errors are collected (all of them, not the first) as
// "file:line:col: error: message" with col the 1-based column of the field.
// Control plane only; allocates freely.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/diagnostic.hpp"
#include "base/ip.hpp"

namespace gslb::policy {

// A round trip longer than this is a measuring error, not a network: the
// slowest real paths (geostationary satellite) stay well under one second.
inline constexpr double kMaxRttMs = 10'000;
inline constexpr std::size_t kMaxRegionNameLength = 63;

struct LatencyRow {
  base::Prefix prefix;
  std::string region;
  double rtt_ms = 0;
  std::optional<std::uint64_t> samples;
  int line = 0;  // in the CSV, for messages
};

// Parses CSV text. `file` names it in diagnostics. Returns the rows in file
// order; when `diags` gained an error the rows must not be used.
std::vector<LatencyRow> parse_latency_csv(std::string_view text, const std::string& file, base::DiagnosticList& diags);

// Reads and parses a file ("cannot read" is a diagnostic too).
std::vector<LatencyRow> read_latency_csv(const std::filesystem::path& file, base::DiagnosticList& diags);

// True for a name the CSV and the state table accept as a region.
bool valid_region_name(std::string_view name) noexcept;

}  // namespace gslb::policy
