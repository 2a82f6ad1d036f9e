// `gslb latency import FILE`: loads measured client-prefix → region RTTs from
// a CSV into the state file's latency table, which `gslb serve` (at start and
// on SIGHUP) and `gslb explain` read for the `latency` steering step.
#include <iostream>
#include <optional>

#include "gslb/cli/command.hpp"
#include "gslb/config.hpp"
#include "gslb/latency_csv.hpp"
#include "gslb/latency_store.hpp"

namespace gslb::cli {
namespace {

constexpr std::string_view usage_text =
    R"(usage: gslb latency import FILE (--state FILE | -c gslb.yaml) [--replace]

Reads FILE, a CSV of measured round-trip times:
  # comments and blank lines are ignored
  prefix,region,rtt_ms[,samples]          header (required)
  192.0.2.0/24,eu-west,12.5
  2001:db8:100::/40,us-east,81,1200
(prefix: IPv4/IPv6 CIDR with zero host bits; region: as the policies name
it; rtt_ms: decimal milliseconds, 0 to 10000; samples: optional count), and
writes it into the latency table of the SQLite state file (--state, or the
state: key of the config file) in one transaction. Without --replace, rows
for the same prefix and region are updated and the others kept; with
--replace the table becomes exactly FILE. Any error in FILE (reported as
file:line:col) leaves the table untouched. Send SIGHUP to a running
`gslb serve` to use the new table.
Exit codes: 0 ok, 1 invalid input (FILE, state file), 2 usage.
)";

int run_import(const Args& args) {
  std::optional<std::string> file, state, config_file;
  bool replace = false;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "-h" || arg == "--help") {
      std::cout << usage_text;
      return exit_ok;
    }
    if (arg == "--replace") {
      replace = true;
    } else if (arg == "--state" || arg == "-c" || arg == "--config") {
      if (i + 1 >= args.size()) return usage_error("latency", arg + " needs a value");
      (arg == "--state" ? state : config_file) = args[++i];
    } else if (arg.rfind('-', 0) == 0 && arg != "-") {
      return usage_error("latency", "unknown option '" + arg + "'");
    } else if (!file) {
      file = arg;
    } else {
      return usage_error("latency", "unexpected argument '" + arg + "'");
    }
  }
  if (!file) return usage_error("latency", "give the CSV FILE to import");

  std::filesystem::path state_file;
  if (state) {
    state_file = *state;
  } else if (config_file) {
    base::DiagnosticList diags;
    auto loaded = policy::load_serve_config(*config_file, diags);
    diags.print(std::cerr);
    if (!loaded) return exit_invalid;
    state_file = loaded->state;
  }
  if (state_file.empty())
    return usage_error("latency", "no state file: give --state FILE or -c gslb.yaml with a state: key");

  base::DiagnosticList diags;
  const auto rows = policy::read_latency_csv(*file, diags);
  if (!diags.has_errors() && rows.empty()) diags.error(*file, 0, 0, "no rows to import");
  diags.print(std::cerr);
  if (diags.has_errors()) {
    std::cerr << "gslb latency: " << diags.error_count() << " error(s) in " << *file << "; the latency table in "
              << state_file.string() << " is unchanged\n";
    return exit_invalid;
  }
  policy::LatencyImportSummary summary;
  if (auto error = policy::import_latency(state_file, rows, replace, summary); !error.empty()) {
    std::cerr << "gslb latency: " << error << '\n';
    return exit_invalid;
  }
  std::cout << (summary.replaced ? "replaced" : "imported") << ' ' << summary.rows << " rows (" << summary.prefixes
            << " prefixes, " << summary.regions << " regions) from " << *file << " into " << state_file.string()
            << "; the table now has " << summary.table_rows << " rows\n";
  return exit_ok;
}

int run_latency(const Args& args) {
  if (args.empty()) return usage_error("latency", "give a subcommand: import");
  if (args[0] == "-h" || args[0] == "--help") {
    std::cout << usage_text;
    return exit_ok;
  }
  if (args[0] != "import") return usage_error("latency", "unknown subcommand '" + args[0] + "' (expected import)");
  return run_import(Args(args.begin() + 1, args.end()));
}

const Registration registration{
    {"latency", "latency import FILE (--state FILE | -c FILE) [--replace]  load client-prefix → region RTTs",
     run_latency}};

}  // namespace
}  // namespace gslb::cli
