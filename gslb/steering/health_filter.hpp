// The health filter, the first thing every record's pipeline does: drop
// members that are not serving, unless that would leave nothing (then
// when_all_down decides) or the pool is below the policy's panic threshold
// (then health is ignored). Both fail-open cases are reported so the engine
// can count them (STYLE habit 9: fail open, on purpose and visibly).
#pragma once

#include <chrono>
#include <cstddef>
#include <span>

#include "gslb/steering/step.hpp"

namespace gslb::policy {

// A member's health as the query path sees it, indexed like
// CompiledPolicy::members; rebuilt by the engine when health or policy
// changes (never looked up by string per query).
struct MemberHealth {
  bool serving = true;
  // The earliest moment the member's state could change (health-aware TTL).
  std::chrono::steady_clock::time_point stable_until = std::chrono::steady_clock::time_point::max();
};

struct HealthOutcome {
  enum class Kind { filtered, all_healthy, panic, all_down_answer_all, all_down_servfail, all_down_nodata };
  Kind kind = Kind::all_healthy;
  std::size_t serving = 0;  // serving candidates before filtering
  bool failed_open() const { return kind == Kind::panic || kind == Kind::all_down_answer_all; }
};

// Filters `c` in place (order kept) and returns the new count. `pool` gives
// the panic threshold's denominator: the whole pool, both families.
std::size_t filter_health(const CompiledPolicy& policy, const CompiledRecord& record, const CompiledPool& pool,
                          std::span<const MemberHealth> health, std::span<Candidate> c,
                          HealthOutcome& outcome) noexcept;

const char* to_string(HealthOutcome::Kind kind) noexcept;

}  // namespace gslb::policy
