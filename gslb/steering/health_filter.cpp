#include "gslb/steering/health_filter.hpp"

namespace gslb::policy {

std::size_t filter_health(const CompiledPolicy& policy, const CompiledRecord& record, const CompiledPool& pool,
                          std::span<const MemberHealth> health, std::span<Candidate> c,
                          HealthOutcome& outcome) noexcept {
  auto serving = [&](std::uint16_t member) { return member >= health.size() || health[member].serving; };
  std::size_t up = 0;
  for (const Candidate& x : c) up += serving(x.member) ? 1 : 0;
  outcome.serving = up;
  if (up == c.size()) {
    outcome.kind = HealthOutcome::Kind::all_healthy;
    return c.size();
  }
  if (policy.panic_threshold_percent > 0) {
    // Envoy's panic mode: with too few healthy members left, sending all
    // traffic to them would overload them; spreading over everything serves
    // more clients. Measured over the pool, not just the asked-for family.
    std::size_t pool_up = 0;
    for (std::uint16_t m : pool.all) pool_up += serving(m) ? 1 : 0;
    if (pool_up * 100 < static_cast<std::size_t>(policy.panic_threshold_percent) * pool.all.size()) {
      outcome.kind = HealthOutcome::Kind::panic;
      return c.size();
    }
  }
  if (up == 0) {
    switch (record.when_all_down) {
      case WhenAllDown::answer_all:
        outcome.kind = HealthOutcome::Kind::all_down_answer_all;
        return c.size();
      case WhenAllDown::servfail:
        outcome.kind = HealthOutcome::Kind::all_down_servfail;
        return 0;
      case WhenAllDown::nodata:
        outcome.kind = HealthOutcome::Kind::all_down_nodata;
        return 0;
    }
  }
  std::size_t kept = 0;
  for (std::size_t i = 0; i < c.size(); ++i)
    if (serving(c[i].member)) c[kept++] = c[i];
  outcome.kind = HealthOutcome::Kind::filtered;
  return kept;
}

const char* to_string(HealthOutcome::Kind kind) noexcept {
  switch (kind) {
    case HealthOutcome::Kind::filtered:
      return "unhealthy members dropped";
    case HealthOutcome::Kind::all_healthy:
      return "all healthy";
    case HealthOutcome::Kind::panic:
      return "below panic threshold: health ignored (fail open)";
    case HealthOutcome::Kind::all_down_answer_all:
      return "all down: answering all (fail open)";
    case HealthOutcome::Kind::all_down_servfail:
      return "all down: SERVFAIL";
    case HealthOutcome::Kind::all_down_nodata:
      return "all down: NODATA";
  }
  return "?";
}

const char* to_string(Steering s) noexcept {
  switch (s) {
    case Steering::failover:
      return "failover";
    case Steering::geo:
      return "geo";
    case Steering::geolocation:
      return "geolocation";
    case Steering::latency:
      return "latency";
    case Steering::weighted:
      return "weighted";
    case Steering::hash:
      return "hash";
    case Steering::all:
      return "all";
  }
  return "?";
}

}  // namespace gslb::policy
