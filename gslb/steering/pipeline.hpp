// The steering pipeline: from a compiled record, a client and member health
// to a dns::DynamicAnswer. Order of work:
//   1. candidates = the pool's members of the asked-for family (none: NODATA);
//   2. health filter (when_all_down, panic threshold; fail-open reported);
//   3. locate the client once if any step needs it (overrides, then geo DB);
//   4. the record's steps, each refining the order;
//   5. the first `answers` candidates → addresses; TTL = min(record TTL,
//      time until any pool member's health could change) (STYLE habit 8);
//      ECS scope = the longest scope any client-dependent step needed, 0 when
//      none did or at most one candidate was left (RFC 7871 §7.2.1).
//
// Allocation: none once the scratch has grown to the largest pool; the
// answer is written into a caller-owned dns::DynamicAnswer.
// Thread context: any thread; scratch, RNG and trace are the caller's.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "dns/dynamic_answer.hpp"
#include "geo/geo_db.hpp"
#include "gslb/steering/health_filter.hpp"
#include "gslb/steering/step.hpp"

namespace gslb::policy {

struct PipelineScratch {
  std::vector<Candidate> candidates;
  std::vector<geo::RankedSite> ranked;
  std::vector<std::uint16_t> region_rank;
  // Grows the buffers for `policy` (allocates only when it grows).
  void fit(const CompiledPolicy& policy);
};

struct PipelineInput {
  const CompiledPolicy& policy;
  const CompiledRecord& record;
  base::IpFamily family;                       // v4 for A, v6 for AAAA
  const geo::ClientAddress* client = nullptr;  // null: nothing known about the client
  const geo::GeoDb* db = nullptr;              // null: no database loaded
  std::span<const MemberHealth> health;        // indexed like policy.members; shorter = up
  std::chrono::steady_clock::time_point now;
  Rng& rng;
  const base::SipKey& hash_key;
};

struct PipelineOutcome {
  HealthOutcome health;
  bool pool_lacks_family = false;
};

// The query path: fills every field of `answer` (its old content is
// overwritten). `trace`/`client_out` are for explain (null on the query path).
PipelineOutcome run_pipeline(const PipelineInput& in, PipelineScratch& scratch, dns::DynamicAnswer& answer,
                             Trace* trace = nullptr, ClientContext* client_out = nullptr);

// The same with the answer returned by value (explain, tests).
struct PipelineResult : PipelineOutcome {
  dns::DynamicAnswer answer;
};
PipelineResult run_pipeline(const PipelineInput& in, PipelineScratch& scratch, Trace* trace = nullptr,
                            ClientContext* client_out = nullptr);

}  // namespace gslb::policy
