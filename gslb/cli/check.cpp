// `gslb check PATH...`: validate what `gslb serve` would load, without serving.
// Runs the same loader (dns/zone_loader.hpp) in dry-run fashion and reports
// every problem as file:line:col: error|warning: message.
//
// The command is a list of check steps run over the same targets; zones are
// the first. A policy step (*.gslb.yaml beside the zones) slots into
// `check_steps` with the same signature.
#include <filesystem>
#include <iostream>
#include <set>
#include <string>
#include <vector>

#include "base/diagnostic.hpp"
#include "dns/zone_loader.hpp"
#include "gslb/cli/command.hpp"

namespace gslb::cli {
namespace {

namespace fs = std::filesystem;

constexpr const char* help_text =
    "usage: gslb check PATH...\n"
    "\n"
    "Validates zone files the way `gslb serve` loads them, without serving.\n"
    "PATH is a zones directory (every *.zone directly in it; $INCLUDE files may\n"
    "live in subfolders) or a single zone file (its directory is then the\n"
    "$INCLUDE root).\n"
    "\n"
    "Every problem is printed to stderr as 'file:line:col: error|warning: message'.\n"
    "One summary line per zone goes to stdout.\n"
    "\n"
    "exit status: 0 no errors (warnings allowed), 1 errors found, 2 usage error\n";

// What the operator asked to check, resolved into directories and files.
struct Target {
  fs::path dir;                 // the zones directory ($INCLUDE root)
  std::vector<fs::path> files;  // files to check in it
};

struct Report {
  base::DiagnosticList diags;
  std::vector<std::string> summaries;  // one line per checked unit
};

void check_zones(const std::vector<Target>& targets, Report& report) {
  std::vector<dns::ZoneFileSpec> specs;
  for (const auto& t : targets) {
    for (const auto& f : t.files) specs.push_back({f, t.dir});
  }
  for (const auto& r : dns::load_zone_files(specs, report.diags)) {
    std::string line = r.origin ? r.origin->to_string() : r.file.string();
    line += ": ";
    if (r.zone) {
      line +=
          "serial " + std::to_string(r.zone->serial()) + ", " + std::to_string(r.zone->record_count()) + " records, ok";
      if (r.warnings > 0) line += " (" + std::to_string(r.warnings) + (r.warnings == 1 ? " warning)" : " warnings)");
    } else {
      line += std::to_string(r.errors) + (r.errors == 1 ? " error" : " errors");
      if (r.warnings > 0) line += ", " + std::to_string(r.warnings) + (r.warnings == 1 ? " warning" : " warnings");
      line += ", not loadable (" + r.file.string() + ")";
    }
    report.summaries.push_back(std::move(line));
  }
}

using CheckStep = void (*)(const std::vector<Target>&, Report&);
constexpr CheckStep check_steps[] = {check_zones};

// Directories contribute their *.zone files; a file named on the command
// line is checked whatever its name. A file named twice is checked once.
std::vector<Target> resolve(const std::vector<std::string>& paths, Report& report) {
  std::vector<Target> targets;
  std::set<fs::path> seen;
  for (const auto& p : paths) {
    const fs::path path(p);
    std::error_code ec;
    const auto status = fs::status(path, ec);
    Target t;
    if (fs::is_directory(status)) {
      t.dir = path;
      t.files = dns::list_zone_files(path, report.diags);
    } else if (fs::is_regular_file(status)) {
      t.dir = path.has_parent_path() ? path.parent_path() : fs::path(".");
      t.files.push_back(path);
    } else {
      const bool missing = status.type() == fs::file_type::not_found;
      report.diags.error(p, 0, 0,
                         missing ? "no such file or directory"
                         : ec    ? "cannot access: " + ec.message()
                                 : "neither a directory nor a regular file");
      continue;
    }
    std::erase_if(t.files, [&](const fs::path& f) {
      const auto key = fs::weakly_canonical(f, ec);
      return !seen.insert(ec ? f : key).second;
    });
    targets.push_back(std::move(t));
  }
  return targets;
}

int run_check(const Args& args) {
  std::vector<std::string> paths;
  bool options_done = false;
  for (const auto& a : args) {
    if (!options_done && (a == "-h" || a == "--help")) {
      std::cout << help_text;
      return exit_ok;
    }
    if (!options_done && a == "--") {
      options_done = true;
    } else if (!options_done && a.size() > 1 && a[0] == '-') {
      return usage_error("check", "unknown option '" + a + "'");
    } else {
      paths.push_back(a);
    }
  }
  if (paths.empty()) return usage_error("check", "no PATH given (a zones directory or zone files)");

  Report report;
  const auto targets = resolve(paths, report);
  for (const CheckStep step : check_steps) step(targets, report);

  report.diags.print(std::cerr);
  for (const auto& s : report.summaries) std::cout << s << '\n';
  const auto errors = report.diags.error_count();
  const auto warnings = report.diags.warning_count();
  if (report.summaries.empty() && errors == 0) std::cout << "nothing to check: no *.zone files found\n";
  if (errors > 0) {
    std::cerr << "gslb check: " << errors << (errors == 1 ? " error" : " errors") << ", " << warnings
              << (warnings == 1 ? " warning" : " warnings") << '\n';
    return exit_invalid;
  }
  return exit_ok;
}

const Registration registration{
    {"check", "check PATH...                validate zone files (errors as file:line:col)", run_check}};

}  // namespace
}  // namespace gslb::cli
