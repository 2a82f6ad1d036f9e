#include "gslb/member_health.hpp"

#include <set>
#include <unordered_map>

#include "health/scheduler.hpp"

namespace gslb::policy {

namespace {

boost::asio::ip::address asio_address(const base::IpAddress& ip) {
  // The policy loader parsed it; the text form round-trips.
  return boost::asio::ip::make_address(ip.to_string());
}

}  // namespace

std::vector<MemberInfo> member_infos(const std::vector<PolicyPtr>& policies) {
  std::vector<MemberInfo> out;
  std::set<std::string> seen;
  for (const PolicyPtr& policy : policies) {
    for (const auto& [pool_name, pool] : policy->pools) {
      for (const Member& m : pool.members) {
        if (!seen.insert(m.id).second) continue;
        out.push_back(
            {m.id, policy->zone.to_string(), pool_name, m.region, m.address.to_string(), pool.check.has_value()});
      }
    }
  }
  return out;
}

std::map<std::string, CheckTarget> check_targets(const std::vector<PolicyPtr>& policies) {
  std::map<std::string, CheckTarget> out;
  for (const PolicyPtr& policy : policies) {
    for (const auto& [pool_name, pool] : policy->pools) {
      if (!pool.check) continue;
      for (const Member& m : pool.members) {
        out.try_emplace(m.id,
                        CheckTarget{m.id, asio_address(m.check_address.value_or(m.address)), pool.check->normalized()});
      }
    }
  }
  return out;
}

health::HealthView restored_view(const std::map<std::string, CheckTarget>& targets,
                                 const std::vector<health::CheckRecord>& checks,
                                 const std::map<std::string, health::Override, std::less<>>& overrides,
                                 std::chrono::steady_clock::time_point last_result,
                                 std::chrono::steady_clock::time_point now) {
  std::unordered_map<std::string, const health::CheckRecord*> by_key;
  for (const health::CheckRecord& r : checks) by_key.emplace(r.check_key, &r);
  health::HealthView::Map map;
  for (const auto& [id, target] : targets) {
    const auto found = by_key.find(health::Scheduler::check_key(target.address, target.spec));
    if (found == by_key.end()) continue;
    const health::CheckRecord& r = *found->second;
    health::TargetHealth t;
    t.probed = r.state;
    t.since = r.since;
    t.last_result = last_result;
    t.rtt = r.rtt;
    t.detail = "restored: " + r.detail;
    // Restored state is the starting state (health/state_machine): the
    // opposite state needs the full rise or fall count.
    t.results_to_change = r.state == health::State::up ? target.spec.fall : target.spec.rise;
    t.interval = target.spec.interval;
    t.jitter = target.spec.jitter;
    map.emplace(id, std::move(t));
  }
  for (auto& [id, t] : map) {
    if (auto o = overrides.find(id); o != overrides.end()) t.forced = o->second.forced;
    t.up = health::effective_up(t.probed, t.forced);
  }
  return with_overrides(health::HealthView(std::move(map)), overrides, targets, now);
}

health::HealthView with_overrides(const health::HealthView& view,
                                  const std::map<std::string, health::Override, std::less<>>& overrides,
                                  const std::map<std::string, CheckTarget>& targets,
                                  std::chrono::steady_clock::time_point now) {
  health::HealthView::Map map = view.targets();
  for (const auto& [id, o] : overrides) {
    if (map.contains(id)) continue;
    health::TargetHealth t;
    t.forced = o.forced;
    if (auto target = targets.find(id); target != targets.end()) {
      t.probed = health::State::unknown;
      t.interval = target->second.spec.interval;
      t.jitter = target->second.spec.jitter;
    } else {
      t.probed = health::State::up;
      t.since = o.set_at;
      t.last_result = now;
      t.detail = "no check";
      t.interval = std::chrono::hours(24);
    }
    t.up = health::effective_up(t.probed, t.forced);
    map.emplace(id, std::move(t));
  }
  return health::HealthView(std::move(map));
}

}  // namespace gslb::policy
