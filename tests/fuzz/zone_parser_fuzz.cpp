// libFuzzer target: arbitrary bytes as a zone file through the parser and the
// semantic checks. Beyond "no crash, no sanitizer report", it asserts what
// the loader relies on: every record has a valid owner name inside its size
// limits and a line that exists in the input, RDATA fits in 16 bits, and
// every diagnostic has a 1-based line and column.
#include <stdlib.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <string>
#include <string_view>

#include "dns/zone_checks.hpp"
#include "dns/zone_parser.hpp"

namespace {

// $INCLUDE in fuzz input must find nothing: an empty private directory.
const std::filesystem::path& include_root() {
  static const std::filesystem::path root = [] {
    std::string templ = (std::filesystem::temp_directory_path() / "zone_parser_fuzz.XXXXXX").string();
    const char* made = mkdtemp(templ.data());
    return std::filesystem::path(made != nullptr ? made : "/nonexistent");
  }();
  return root;
}

bool valid_wire_name(const std::string& wire) {
  std::size_t i = 0;
  while (i < wire.size()) {
    const auto len = static_cast<std::uint8_t>(wire[i]);
    if (len == 0) return i + 1 == wire.size();
    if (len > 63) return false;
    i += len + 1;
  }
  return false;
}

void require(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "invariant violated: %s\n", what);
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const int lines = static_cast<int>(std::count(text.begin(), text.end(), '\n')) + 1;
  gslb::base::DiagnosticList diags;
  gslb::dns::ZoneParseOptions options;
  options.include_root = include_root();
  options.origin = gslb::dns::Name::parse("example.com.");
  auto zone = gslb::dns::parse_zone_text(text, "fuzz.zone", options, diags);
  for (const auto& r : zone.records) {
    require(valid_wire_name(r.owner.wire()), "owner is a valid wire name");
    require(r.owner.size() <= gslb::dns::max_name_length, "owner at most 255 octets");
    require(r.rdata.size() <= 65535, "RDATA fits RDLENGTH");
    require(r.where.line >= 1 && r.where.line <= lines, "record line inside the input");
    require(r.rclass == 1, "class IN");
  }
  for (const auto& d : diags.items()) {
    require(d.line >= 1 && d.line <= lines && d.column >= 1, "parser diagnostics are located");
  }
  if (zone.origin) gslb::dns::check_zone(*zone.origin, zone.records, "fuzz.zone", diags);
  return 0;
}
