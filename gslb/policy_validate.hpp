// Cross-reference checks of a loaded policy: the YAML shape and value ranges
// are the schema's job (policy_loader); here, what needs the whole policy or
// its zone. Each problem becomes a diagnostic at the element's Origin
// (file:line:col). Control plane only; pure functions of their arguments.
#pragma once

#include "base/diagnostic.hpp"
#include "dns/zone.hpp"
#include "gslb/policy.hpp"

namespace gslb::policy {

// Within the policy: members name existing regions, records existing pools;
// failover lists, geolocation values and nets name existing regions;
// geolocation keys are continent codes (AF AN AS EU NA OC SA), ISO 3166-1
// countries, subdivisions (US-CA) or `default`; region country/continent
// codes are valid; record owners are inside policy.zone and not wildcards;
// steering `failover`/`geolocation` come with their list/map.
void validate_policy(const Policy& policy, base::DiagnosticList& diags);

// Against the zone's static data: a GSLB record owner must not also have A,
// AAAA or CNAME records in the zone file (which answer would win?), nor lie
// at or below a delegation (the child zone answers there). Precondition:
// zone.origin() == policy.zone. Returns true when no error was added.
bool validate_against_zone(const Policy& policy, const dns::Zone& zone, base::DiagnosticList& diags);

}  // namespace gslb::policy
