// `gslb check PATH...`: validate what `gslb serve` would load, without serving.
// Runs the same loader (dns/zone_loader.hpp) in dry-run fashion and reports
// every problem as file:line:col: error|warning: message.
//
// The command is a list of check steps run over the same targets: zones
// first, then policies (*.gslb.yaml beside the zones) against those zones,
// then regional load balancer configs (region.yaml of `gslb lb`), which are
// validated by regional-lb's public loader, the one `gslb lb` runs.
#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <iostream>
#include <set>
#include <string>
#include <vector>

#include "base/diagnostic.hpp"
#include "dns/zone_loader.hpp"
#include "gslb/cli/command.hpp"
#include "gslb/policy_loader.hpp"
#include "gslb/policy_schema.hpp"
#include "gslb/policy_validate.hpp"
#include "regional-lb/config.hpp"

namespace gslb::cli {
namespace {

namespace fs = std::filesystem;

constexpr const char* help_text =
    "usage: gslb check [--lb] PATH...\n"
    "       gslb check --print-policy-schema\n"
    "\n"
    "Validates zone files and GSLB policies the way `gslb serve` loads them,\n"
    "without serving. PATH is a zones directory (every *.zone and *.gslb.yaml\n"
    "directly in it; $INCLUDE files may live in subfolders), a single zone file\n"
    "(checked with its sibling <origin>.gslb.yaml if there is one) or a single\n"
    "policy file (checked with its sibling <origin>.zone). A policy is checked\n"
    "against its zone: a GSLB name must not also have static A/AAAA/CNAME data.\n"
    "A YAML file (*.yaml, *.yml) that is not *.gslb.yaml and has a top-level\n"
    "'listeners' key, or does not parse as YAML, is a `gslb lb` config\n"
    "(region.yaml) and is checked as `gslb lb --check` would, certificate files\n"
    "included. --lb checks every file named after it as a region.yaml.\n"
    "--print-policy-schema writes the *.gslb.yaml reference (Markdown).\n"
    "\n"
    "Every problem is printed to stderr as 'file:line:col: error|warning: message'.\n"
    "One summary line per zone goes to stdout.\n"
    "\n"
    "exit status: 0 no errors (warnings allowed), 1 errors found, 2 usage error\n";

// What the operator asked to check, resolved into directories and files.
struct Target {
  fs::path dir;                      // the zones directory ($INCLUDE root)
  std::vector<fs::path> files;       // zone files to check in it
  std::vector<fs::path> policies;    // *.gslb.yaml files to check in it
  std::vector<fs::path> lb_configs;  // region.yaml files of `gslb lb`
};

struct Report {
  base::DiagnosticList diags;
  std::vector<std::string> summaries;      // one line per checked unit
  std::vector<dns::ZoneFileResult> zones;  // what the zone step loaded, for the policy step
};

fs::path identity(const fs::path& p) {
  std::error_code ec;
  auto key = fs::weakly_canonical(p, ec);
  return ec ? p : key;
}

void check_zones(const std::vector<Target>& targets, Report& report) {
  std::vector<dns::ZoneFileSpec> specs;
  for (const auto& t : targets) {
    for (const auto& f : t.files) specs.push_back({f, t.dir});
  }
  report.zones = dns::load_zone_files(specs, report.diags);
  for (const auto& r : report.zones) {
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

// Each policy is loaded against the zone file beside it: the file name gives
// the origin (example.com.gslb.yaml ↔ example.com.zone), as for zones.
void check_policies(const std::vector<Target>& targets, Report& report) {
  for (const auto& t : targets) {
    std::vector<policy::PolicyPtr> loaded;  // served together from this directory
    for (const auto& file : t.policies) {
      const std::string zone_name = policy::policy_zone_name(file);
      const fs::path zone_file = file.parent_path() / (zone_name + ".zone");
      const dns::ZoneFileResult* zone = nullptr;
      for (const auto& r : report.zones) {
        if (identity(r.file) == identity(zone_file)) zone = &r;
      }
      std::string line = file.string() + ": ";
      if (zone == nullptr) {
        report.diags.error(file.string(), 0, 0, "policy without a zone: " + zone_file.string() + " does not exist");
        report.summaries.push_back(line + "1 error, no zone file");
        continue;
      }
      const auto origin = zone->origin ? zone->origin : dns::Name::parse(zone_name + ".");
      if (!origin) {
        report.diags.error(file.string(), 0, 0, "'" + zone_name + "' is not a valid zone name");
        continue;
      }
      base::DiagnosticList diags;
      auto p = policy::load_policy(file, *origin, diags);
      // A zone with errors is not served; its static data cannot be compared.
      if (p && zone->zone) policy::validate_against_zone(*p, *zone->zone, diags);
      if (!diags.has_errors() && p) {
        loaded.push_back(p);
        line += "policy for " + origin->to_string() + ", " + std::to_string(p->regions.size()) + " regions, " +
                std::to_string(p->pools.size()) + " pools, " + std::to_string(p->records.size()) + " records, ok";
      } else {
        const auto n = diags.error_count();
        line += std::to_string(n) + (n == 1 ? " error" : " errors") + ", not loadable";
      }
      report.diags.append(diags);
      report.summaries.push_back(std::move(line));
    }
    base::DiagnosticList shared;
    policy::check_shared_members(loaded, shared);
    if (shared.has_errors()) {
      const auto n = shared.error_count();
      report.summaries.push_back(t.dir.string() + ": " + std::to_string(n) + (n == 1 ? " error" : " errors") +
                                 " between policies, not loadable together");
    }
    report.diags.append(shared);
  }
}

void check_lb_configs(const std::vector<Target>& targets, Report& report) {
  for (const auto& t : targets) {
    for (const auto& file : t.lb_configs) {
      const auto load = lb::load_region_config(file.string());
      report.diags.append(load.diagnostics);
      std::string line = file.string() + ": ";
      if (load.config) {
        const auto& c = *load.config;
        std::size_t tls = 0;
        for (const auto& l : c.listeners) tls += l.tls ? 1 : 0;
        line += "lb config, " + std::to_string(c.listeners.size()) + " listeners (" + std::to_string(tls) + " TLS), " +
                std::to_string(c.pools.size()) + " pools, " + std::to_string(c.routes.size()) + " routes, ok";
      } else {
        const auto n = load.diagnostics.error_count();
        line += std::to_string(n) + (n == 1 ? " error" : " errors") + ", not loadable";
      }
      report.summaries.push_back(std::move(line));
    }
  }
}

using CheckStep = void (*)(const std::vector<Target>&, Report&);
constexpr CheckStep check_steps[] = {check_zones, check_policies, check_lb_configs};

bool is_policy_file(const fs::path& p) {
  return !policy::policy_zone_name(p).empty();
}

// Decided by content, not name (region.yaml is only a convention): a YAML
// file whose top level has `listeners` (policies have none), or a *.yaml
// that does not parse — the LB loader then reports where it breaks, which
// is more use than zone-file errors about YAML lines.
bool is_lb_config(const fs::path& p) {
  const auto ext = p.extension();
  if (ext != ".yaml" && ext != ".yml") return false;
  try {
    const YAML::Node root = YAML::LoadFile(p.string());
    return root.IsMap() && root["listeners"].IsDefined();
  } catch (const YAML::Exception&) {
    return true;
  }
}

// Directories contribute their *.zone files; a file named on the command
// line is checked whatever its name. A file named twice is checked once.
// A path is (name, forced LB config).
std::vector<Target> resolve(const std::vector<std::pair<std::string, bool>>& paths, Report& report) {
  std::vector<Target> targets;
  std::set<fs::path> seen;
  for (const auto& [p, forced_lb] : paths) {
    const fs::path path(p);
    std::error_code ec;
    const auto status = fs::status(path, ec);
    Target t;
    if (fs::is_directory(status)) {
      t.dir = path;
      t.files = dns::list_zone_files(path, report.diags);
      t.policies = policy::list_policy_files(path, report.diags);
    } else if (fs::is_regular_file(status)) {
      t.dir = path.has_parent_path() ? path.parent_path() : fs::path(".");
      // A zone and its policy are checked together whichever one is named.
      if (forced_lb || (!is_policy_file(path) && is_lb_config(path))) {
        t.lb_configs.push_back(path);
      } else if (is_policy_file(path)) {
        t.policies.push_back(path);
        const fs::path zone = t.dir / (policy::policy_zone_name(path) + ".zone");
        if (fs::is_regular_file(zone, ec)) t.files.push_back(zone);
      } else {
        t.files.push_back(path);
        const std::string stem = path.extension() == ".zone" ? path.stem().string() : std::string();
        const fs::path policy_file = t.dir / (stem + ".gslb.yaml");
        if (!stem.empty() && fs::is_regular_file(policy_file, ec)) t.policies.push_back(policy_file);
      }
    } else {
      const bool missing = status.type() == fs::file_type::not_found;
      report.diags.error(p, 0, 0,
                         missing ? "no such file or directory"
                         : ec    ? "cannot access: " + ec.message()
                                 : "neither a directory nor a regular file");
      continue;
    }
    const auto repeated = [&](const fs::path& f) { return !seen.insert(identity(f)).second; };
    std::erase_if(t.files, repeated);
    std::erase_if(t.policies, repeated);
    std::erase_if(t.lb_configs, repeated);
    targets.push_back(std::move(t));
  }
  return targets;
}

int run_check(const Args& args) {
  std::vector<std::pair<std::string, bool>> paths;
  bool options_done = false;
  bool lb_mode = false;
  for (const auto& a : args) {
    if (!options_done && (a == "-h" || a == "--help")) {
      std::cout << help_text;
      return exit_ok;
    }
    if (!options_done && a == "--print-policy-schema") {
      policy::schema::write_policy_reference(std::cout);
      return exit_ok;
    }
    if (!options_done && a == "--") {
      options_done = true;
    } else if (!options_done && a == "--lb") {
      lb_mode = true;
    } else if (!options_done && a.size() > 1 && a[0] == '-') {
      return usage_error("check", "unknown option '" + a + "'");
    } else {
      paths.emplace_back(a, lb_mode);
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
    {"check", "check [--lb] PATH...         validate zones, policies, region.yaml (errors as file:line:col)",
     run_check}};

}  // namespace
}  // namespace gslb::cli
