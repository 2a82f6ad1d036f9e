// member_health: which members are probed and how, the view restored from
// the state file, and overrides of members without a check.
#include "gslb/member_health.hpp"

#include <doctest/doctest.h>

#include <iostream>

#include "gslb/policy_loader.hpp"
#include "health/scheduler.hpp"

namespace gslb::policy {
namespace {

constexpr const char* kPolicy = R"(regions:
  eu: { lat: 50.1, lon: 8.7 }
  us: { lat: 40.7, lon: -74.0 }
pools:
  web:
    check: { type: http, port: 8080, path: /health, interval: 1s, timeout: 500ms, rise: 2, fall: 3 }
    members:
      - { region: eu, address: 10.0.1.1, check_address: 127.0.0.1 }
      - { region: us, address: 10.0.2.1 }
  plain:
    members:
      - { region: eu, address: 10.0.9.1 }
records:
  www: { pool: web }
)";

std::vector<PolicyPtr> policies() {
  base::DiagnosticList diags;
  PolicyPtr p = parse_policy(kPolicy, "t.gslb.yaml", *dns::Name::parse("t.test."), diags);
  if (!p) diags.print(std::cerr);
  REQUIRE(p);
  return {p};
}

health::CheckRecord record_for(const CheckTarget& t, health::State state, std::string detail) {
  health::CheckRecord r;
  r.check_key = health::Scheduler::check_key(t.address, t.spec);
  r.state = state;
  r.since = std::chrono::system_clock::now() - std::chrono::minutes(5);
  r.updated = std::chrono::system_clock::now();
  r.rtt = std::chrono::microseconds(1500);
  r.detail = std::move(detail);
  return r;
}

TEST_CASE("member_health: members of checked pools are targets, probed at check_address else address") {
  const auto targets = check_targets(policies());
  REQUIRE(targets.size() == 2);
  CHECK(targets.at("web/10.0.1.1").address.to_string() == "127.0.0.1");
  CHECK(targets.at("web/10.0.2.1").address.to_string() == "10.0.2.1");
  CHECK(targets.at("web/10.0.2.1").spec.port == 8080);
  CHECK_FALSE(targets.contains("plain/10.0.9.1"));

  const auto infos = member_infos(policies());
  REQUIRE(infos.size() == 3);
  CHECK(infos[0].id == "plain/10.0.9.1");
  CHECK_FALSE(infos[0].checked);
  CHECK(infos[1].checked);
  CHECK(infos[1].zone == "t.test.");
  CHECK(infos[1].region == "eu");
}

TEST_CASE("member_health: the restored view carries stored states of the same (address, check) only") {
  const auto targets = check_targets(policies());
  auto changed = targets.at("web/10.0.2.1");
  changed.spec.port = 9090;  // a stored state of another check must not be inherited
  const std::vector<health::CheckRecord> stored = {
      record_for(targets.at("web/10.0.1.1"), health::State::down, "HTTP 503"),
      record_for(changed, health::State::down, "refused")};
  const auto now = std::chrono::steady_clock::now();
  const health::HealthView view = restored_view(targets, stored, {}, now, now);
  const health::TargetHealth* a = view.find("web/10.0.1.1");
  REQUIRE(a);
  CHECK(a->probed == health::State::down);
  CHECK_FALSE(a->up);
  CHECK(a->detail == "restored: HTTP 503");
  CHECK(a->rtt == std::chrono::microseconds(1500));
  // A down target needs `rise` successes: 2 x 1 s x (1 - 0.1 jitter) from now.
  CHECK(view.time_until_change("web/10.0.1.1", now) == std::chrono::milliseconds(1800));
  CHECK(view.find("web/10.0.2.1") == nullptr);

  // Serve passes the epoch as the last result: no TTL credit until a probe confirms.
  const health::HealthView at_start = restored_view(targets, stored, {}, {}, now);
  CHECK(at_start.time_until_change("web/10.0.1.1", now) == std::chrono::milliseconds(0));
}

TEST_CASE("member_health: overrides apply to restored and to unchecked members") {
  const auto targets = check_targets(policies());
  const std::vector<health::CheckRecord> stored = {record_for(targets.at("web/10.0.1.1"), health::State::down, "x")};
  std::map<std::string, health::Override, std::less<>> overrides;
  overrides["web/10.0.1.1"] = {health::Forced::up, "trust me", std::chrono::system_clock::now()};
  overrides["plain/10.0.9.1"] = {health::Forced::drain, "", std::chrono::system_clock::now()};
  const auto now = std::chrono::steady_clock::now();
  const health::HealthView view = restored_view(targets, stored, overrides, now, now);
  const health::TargetHealth* forced_up = view.find("web/10.0.1.1");
  REQUIRE(forced_up);
  CHECK(forced_up->up);
  CHECK(forced_up->probed == health::State::down);
  CHECK(view.time_until_change("web/10.0.1.1", now) == std::chrono::milliseconds::max());
  const health::TargetHealth* drained = view.find("plain/10.0.9.1");
  REQUIRE(drained);
  CHECK(drained->up);
  CHECK_FALSE(drained->serving());
  CHECK(drained->detail == "no check");
  CHECK(view.time_until_change("plain/10.0.9.1", now) >= std::chrono::hours(23));

  // with_overrides leaves the scheduler's entries as they are.
  health::HealthView::Map probed;
  health::TargetHealth t;
  t.probed = health::State::up;
  t.forced = health::Forced::down;
  t.up = false;
  probed.emplace("web/10.0.1.1", t);
  const health::HealthView merged = with_overrides(health::HealthView(probed), overrides, targets, now);
  CHECK_FALSE(merged.find("web/10.0.1.1")->up);
  CHECK(merged.find("plain/10.0.9.1") != nullptr);
  CHECK(merged.targets().size() == 2);

  // A checked member not probed yet is unknown (counted up) under its override.
  overrides["web/10.0.2.1"] = {health::Forced::drain, "", std::chrono::system_clock::now()};
  const health::TargetHealth* pending = with_overrides({}, overrides, targets, now).find("web/10.0.2.1");
  REQUIRE(pending);
  CHECK(pending->probed == health::State::unknown);
  CHECK(pending->detail.empty());
  CHECK_FALSE(pending->serving());
}

}  // namespace
}  // namespace gslb::policy
