// Member health for `gslb serve` and `gslb explain`: which members of the
// loaded policies are probed and how, and the HealthView the engine reads,
// built from the scheduler's view (serve), from the state file alone
// (explain), plus operator overrides of members that have no check.
//
// All functions are pure and run on a control thread (load, reload, health
// publication, admin requests); nothing here is on the query path.
#pragma once

#include <boost/asio/ip/address.hpp>
#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "gslb/policy.hpp"
#include "health/check_spec.hpp"
#include "health/health_view.hpp"
#include "health/overrides.hpp"
#include "health/state_store.hpp"

namespace gslb::policy {

// One member as the operator sees it in `gslb status` and the admin API.
struct MemberInfo {
  std::string id;  // Member::id, "<pool>/<address>"
  std::string zone;
  std::string pool;
  std::string region;
  std::string address;
  bool checked = false;  // its pool has a `check:`
};

// One probed member: what the health scheduler is given.
struct CheckTarget {
  std::string id;
  boost::asio::ip::address address;  // check_address, else address
  health::CheckSpec spec;            // normalized
};

// Every member of every policy, in policy, pool and member order. A member
// id shared by two policies (same pool name and address in two zones) is
// listed once: it is one health target.
std::vector<MemberInfo> member_infos(const std::vector<PolicyPtr>& policies);

// The members whose pool has a check, keyed by member id (first wins, as above).
std::map<std::string, CheckTarget> check_targets(const std::vector<PolicyPtr>& policies);

// A view from stored check states alone (no probe has run): each target
// whose (address, spec) has a record gets its stored state, since, RTT and
// detail, with `last_result` as given (explain passes now, so the TTL it
// shows is the one right after a probe; serve passes the epoch, so the TTL
// is 0 until a probe confirms the state). Overrides are applied to every id
// (see with_overrides(), which gets `now`).
health::HealthView restored_view(const std::map<std::string, CheckTarget>& targets,
                                 const std::vector<health::CheckRecord>& checks,
                                 const std::map<std::string, health::Override, std::less<>>& overrides,
                                 std::chrono::steady_clock::time_point last_result,
                                 std::chrono::steady_clock::time_point now);

// `view` plus an entry for each overridden id the view lacks: members
// without a check (the scheduler does not list them) and checked members
// not probed yet. An unchecked one is counted up but for the operator's
// Forced state, with detail "no check", and cannot change by itself (a
// drained one stays stable for a day from `now`, so its answers keep the
// record TTL); a checked one is probed `unknown`.
health::HealthView with_overrides(const health::HealthView& view,
                                  const std::map<std::string, health::Override, std::less<>>& overrides,
                                  const std::map<std::string, CheckTarget>& targets,
                                  std::chrono::steady_clock::time_point now);

}  // namespace gslb::policy
