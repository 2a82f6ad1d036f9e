// libFuzzer target: arbitrary bytes as a latency CSV through the parser, then
// the accepted rows into a LatencyTable. Beyond "no crash, no sanitizer
// report", it asserts what the importer and the query path rely on: every
// diagnostic has a line inside the input; accepted rows have RTTs in range,
// valid region names and no duplicate (prefix, region); and the table finds
// each row's own prefix as the longest match for its first address, with a
// scope no shorter than the row and never longer than the lookup allowed.
#include <cstdint>
#include <cstdlib>
#include <set>
#include <string>
#include <string_view>

#include "gslb/latency_csv.hpp"
#include "gslb/latency_table.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  gslb::base::DiagnosticList diags;
  const auto rows = gslb::policy::parse_latency_csv(text, "fuzz.csv", diags);
  std::size_t lines = 1;
  for (char c : text) lines += c == '\n';
  for (const auto& d : diags.items())
    if (d.line < 1 || static_cast<std::size_t>(d.line) > lines || d.column < 1) std::abort();
  if (diags.has_errors()) return 0;

  gslb::policy::LatencyTable::Builder builder;
  std::set<std::pair<gslb::base::Prefix, std::string>> seen;
  for (const auto& row : rows) {
    if (!(row.rtt_ms >= 0 && row.rtt_ms <= gslb::policy::kMaxRttMs)) std::abort();
    if (!gslb::policy::valid_region_name(row.region)) std::abort();
    if (!seen.emplace(row.prefix, row.region).second) std::abort();
    if (!builder.add(row.prefix, row.region, row.rtt_ms)) std::abort();
  }
  const auto table = std::move(builder).build();
  for (const auto& row : rows) {
    const int bits = row.prefix.address().bit_count();
    const auto m = table->lookup(row.prefix.address(), bits);
    if (m.row < 0 || table->prefix(m.row).length() < row.prefix.length()) std::abort();
    if (m.scope_length < m.matched_length || m.scope_length > bits) std::abort();
    // Limited to the row's own length, the row itself must be the match.
    const auto exact = table->lookup(row.prefix.address(), row.prefix.length());
    if (exact.row < 0 || table->prefix(exact.row) != row.prefix || exact.scope_length != row.prefix.length())
      std::abort();
  }
  return 0;
}
