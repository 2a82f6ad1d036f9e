// The schema of `<zone>.gslb.yaml` as data (STYLE.md habit 11): one table per
// section — key, type, default, range, doc — read by the policy loader (types,
// ranges, unknown keys), by `gslb check` and by the generated reference
// (docs/policy-reference.md, kept equal to write_policy_reference() by a unit
// test). Defaults here are the policy's own and must agree with the
// initialisers in gslb/policy.hpp (also checked by a unit test).
#pragma once

#include <ostream>
#include <string_view>

#include "base/yaml_util.hpp"

namespace gslb::policy::schema {

base::Schema top();     // the file's top-level keys
base::Schema region();  // regions.NAME
base::Schema pool();    // pools.NAME
base::Schema member();  // pools.NAME.members[]
base::Schema check();   // pools.NAME.check
base::Schema record();  // records.NAME

// Words accepted in records.NAME.steering and when_all_down, in enum order.
inline constexpr std::string_view steering_names[] = {"failover", "geo",  "geolocation", "latency",
                                                      "weighted", "hash", "all"};
inline constexpr std::string_view when_all_down_names[] = {"answer_all", "servfail", "nodata"};

// The whole Markdown reference: every table plus the value vocabularies.
void write_policy_reference(std::ostream& out);

}  // namespace gslb::policy::schema
