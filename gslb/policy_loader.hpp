// Reading `<zone>.gslb.yaml` into a policy::Policy. The loader checks the
// file's shape against the schema tables (gslb/policy_schema.hpp) and then
// runs validate_policy (gslb/policy_validate.hpp); every problem goes to the
// DiagnosticList as file:line:col. Control plane only; not thread-safe per
// call but calls are independent (no shared state).
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "base/diagnostic.hpp"
#include "dns/name.hpp"
#include "dns/zone_set.hpp"
#include "gslb/policy.hpp"

namespace gslb::policy {

// Parses policy text as if read from `file`. Returns null when there is any
// error (warnings alone still give a policy). Never throws on bad input.
PolicyPtr parse_policy(std::string_view text, const std::string& file, const dns::Name& zone,
                       base::DiagnosticList& diags);

// Reads and parses the file at `path` (named in diagnostics as given).
PolicyPtr load_policy(const std::filesystem::path& path, const dns::Name& zone, base::DiagnosticList& diags);

// "example.com" for ".../example.com.gslb.yaml"; empty when the name does not
// end in ".gslb.yaml".
std::string policy_zone_name(const std::filesystem::path& path);

// The regular files named *.gslb.yaml directly inside `dir`, sorted by name.
std::vector<std::filesystem::path> list_policy_files(const std::filesystem::path& dir, base::DiagnosticList& diags);

// Policies served together share health state and overrides by member id
// ("<pool>/<address>"): an error, at the later member, when two of them give
// one id a different check or check_address.
void check_shared_members(const std::vector<PolicyPtr>& policies, base::DiagnosticList& diags);

// Every policy of a zones directory, each validated against its zone in
// `zones` (same origin as the file name says): for building one
// zones+policies snapshot. A policy without a loaded zone is an error. All or
// nothing: when any policy has an error, the result is empty and `diags`
// says why; otherwise one PolicyPtr per file.
std::vector<PolicyPtr> load_policies(const std::filesystem::path& zones_dir, const dns::ZoneSet& zones,
                                     base::DiagnosticList& diags);

}  // namespace gslb::policy
