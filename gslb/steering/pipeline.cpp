#include "gslb/steering/pipeline.hpp"

#include <algorithm>

namespace gslb::policy {

namespace {

using StepFn = std::size_t (*)(const StepContext&, std::span<Candidate>, StepScope&, std::string*);

StepFn step_function(Steering s) noexcept {
  switch (s) {
    case Steering::failover:
      return step_failover;
    case Steering::geo:
      return step_geo;
    case Steering::geolocation:
      return step_geolocation;
    case Steering::latency:
      return step_latency;
    case Steering::weighted:
      return step_weighted;
    case Steering::hash:
      return step_hash;
    case Steering::all:
      return step_all;
  }
  return step_all;
}

void locate(const PipelineInput& in, ClientContext& ctx) noexcept {
  if (in.client == nullptr) return;
  ctx.has_client = true;
  if (!in.record.needs_location) {
    // Only `hash` looks at the client then, and it needs just the address.
    ctx.where.client = *in.client;
    ctx.where.scope_prefix = in.client->source_prefix;
    return;
  }
  ctx.where = geo::locate_client(*in.client, in.policy.nets.empty() ? nullptr : &in.policy.nets, in.db);
  if (ctx.where.override_target != nullptr && ctx.where.override_target->kind == geo::OverrideTarget::Kind::region) {
    // Rare (an operator rule matched): one binary search over region names.
    ctx.override_region = in.policy.region_index(ctx.where.override_target->region);
  }
  if (ctx.where.geo.has_coordinates) {
    ctx.has_point = true;
    ctx.point = geo::GeoPoint::from_degrees(ctx.where.geo.latitude, ctx.where.geo.longitude);
  }
}

std::uint32_t health_aware_ttl(const PipelineInput& in, const CompiledPool& pool) noexcept {
  // Any pool member changing state can change this answer, so the earliest
  // possible change of any of them bounds the TTL.
  auto until = std::chrono::steady_clock::time_point::max();
  for (std::uint16_t m : pool.all)
    if (m < in.health.size()) until = std::min(until, in.health[m].stable_until);
  if (until == std::chrono::steady_clock::time_point::max()) return in.record.ttl;
  if (until <= in.now) return 0;
  const auto left = std::chrono::duration_cast<std::chrono::seconds>(until - in.now).count();
  return static_cast<std::uint32_t>(std::min<std::int64_t>(left, in.record.ttl));
}

// Candidates still sharing a group after every step are interchangeable:
// draw the answered positions at random among them, or the first member of a
// region would take all of that region's traffic (STYLE pitfall 20).
void shuffle_ties(std::span<Candidate> c, std::size_t answers, Rng& rng) noexcept {
  std::size_t begin = 0;
  while (begin < c.size() && begin < answers) {
    std::size_t end = begin + 1;
    while (end < c.size() && c[end].group == c[begin].group) ++end;
    const std::size_t stop = std::min(end, answers);
    for (std::size_t i = begin; i < stop && i + 1 < end; ++i)
      std::swap(c[i], c[i + rng.below(static_cast<std::uint32_t>(end - i))]);
    begin = end;
  }
}

}  // namespace

void PipelineScratch::fit(const CompiledPolicy& policy) {
  if (candidates.size() < policy.max_pool_size) candidates.resize(policy.max_pool_size);
  if (ranked.size() != policy.region_names.size()) ranked.resize(policy.region_names.size());
  if (region_rank.size() < policy.region_names.size()) region_rank.resize(policy.region_names.size());
}

PipelineResult run_pipeline(const PipelineInput& in, PipelineScratch& scratch, Trace* trace,
                            ClientContext* client_out) {
  PipelineResult result;
  static_cast<PipelineOutcome&>(result) = run_pipeline(in, scratch, result.answer, trace, client_out);
  return result;
}

PipelineOutcome run_pipeline(const PipelineInput& in, PipelineScratch& scratch, dns::DynamicAnswer& answer,
                             Trace* trace, ClientContext* client_out) {
  PipelineOutcome result;
  answer.reset();
  const CompiledPool& pool = in.policy.pools[in.record.pool];
  answer.ttl = health_aware_ttl(in, pool);

  const auto& family_members = in.family == base::IpFamily::v4 ? pool.v4 : pool.v6;
  if (family_members.empty()) {
    result.pool_lacks_family = true;
    answer.kind = dns::DynamicAnswer::Kind::nodata;
    answer.ttl = in.record.ttl;
    return result;
  }
  scratch.fit(in.policy);
  std::span<Candidate> c(scratch.candidates.data(), family_members.size());
  for (std::size_t i = 0; i < family_members.size(); ++i)
    c[i] = Candidate{family_members[i], in.policy.members[family_members[i]].region, 0, 0};

  c = c.first(filter_health(in.policy, in.record, pool, in.health, c, result.health));
  if (trace) trace->steps.push_back({"health", to_string(result.health.kind), {c.begin(), c.end()}});
  if (result.health.kind == HealthOutcome::Kind::all_down_servfail) {
    answer.kind = dns::DynamicAnswer::Kind::servfail;
    return result;
  }
  if (result.health.kind == HealthOutcome::Kind::all_down_nodata) {
    answer.kind = dns::DynamicAnswer::Kind::nodata;
    return result;
  }

  ClientContext client;
  locate(in, client);
  StepContext ctx{in.policy,
                  in.record,
                  client,
                  in.rng,
                  in.hash_key,
                  std::span<geo::RankedSite>(scratch.ranked.data(), in.policy.region_names.size()),
                  std::span<std::uint16_t>(scratch.region_rank.data(), in.policy.region_names.size())};
  // Decided before the steps: with one candidate every client gets the same answer.
  const bool constant = c.size() <= 1;
  bool dependent = false;
  std::uint8_t scope = 0;
  for (std::size_t i = 0; i < in.record.steps.size(); ++i) {
    const Steering s = in.record.steps[i];
    ctx.ordered = i + 1 == in.record.steps.size() ? static_cast<std::size_t>(in.record.answers) : SIZE_MAX;
    StepScope step_scope;
    std::string note;
    c = c.first(step_function(s)(ctx, c, step_scope, trace ? &note : nullptr));
    if (step_scope.client_dependent) {
      // The answer is the same only where every client-dependent step's
      // result is: the intersection of prefixes around one address, i.e.
      // the longest of them.
      dependent = true;
      scope = std::max(scope, step_scope.scope);
    }
    if (trace) trace->steps.push_back({to_string(s), std::move(note), {c.begin(), c.end()}});
  }
  answer.scope_prefix = dependent && !constant ? scope : 0;

  // The schema caps `answers` at the buffer's capacity (8); min() keeps it so.
  const std::size_t n =
      std::min<std::size_t>({c.size(), static_cast<std::size_t>(in.record.answers), dns::AddressList::kCapacity});
  shuffle_ties(c, n, in.rng);
  for (std::size_t i = 0; i < n; ++i) answer.addresses.push_back(in.policy.members[c[i].member].rdata);
  if (client_out) *client_out = client;
  return result;
}

}  // namespace gslb::policy
