// latency: lowest estimated client→region RTT.
//
// Source of the RTTs, per query:
//   1. the imported latency table (`gslb latency import`): the longest table
//      prefix containing the client address (not longer than the ECS source
//      prefix) gives measured RTTs for some regions; candidates in regions
//      the row does not name get the distance estimate (estimated_rtt_ms:
//      great-circle distance at fibre speed, both ways, plus a base), so a
//      partial row still ranks every candidate on one scale; with no client
//      location those rank after the measured ones, unordered;
//   2. no table, no row, or a row naming none of the candidates' regions:
//      the distance order as `geo` computes it, without bias (bias is a
//      geoproximity knob; latency ranks what it estimates).
// A net override naming a region wins over both, as in `geo`: the operator
// said where those clients belong.
//
// ECS scope (RFC 7871 §7.2.1): the table's answer holds over the match's
// scope_length (the row's prefix, narrowed where a more specific row sits
// inside it); when any candidate was estimated from distance the answer also
// depends on the location, so the longer of that and the location's scope.
// A table miss also only holds over its scope_length, so the distance
// fallback's scope is the longer of the two as well.
#include <algorithm>
#include <cstdio>
#include <limits>

#include "gslb/steering/step.hpp"

namespace gslb::policy {

std::size_t rank_by_distance(const StepContext& ctx, const geo::SiteSet& sites, std::span<Candidate> c,
                             StepScope& scope, std::string* note);

namespace {

std::string format_ms(double ms) {
  if (ms == std::numeric_limits<double>::infinity()) return "unknown";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f ms", ms);
  return buf;
}

// "eu-west 12.0 ms (table), us-east 78.3 ms (estimated, 7330 km)" over the
// candidates' regions in ranked order. Explain only.
std::string describe(const StepContext& ctx, std::span<const Candidate> c, std::int32_t row) {
  std::string out;
  std::vector<std::uint16_t> seen;
  for (const Candidate& x : c) {
    if (std::find(seen.begin(), seen.end(), x.region) != seen.end()) continue;
    seen.push_back(x.region);
    if (!out.empty()) out += ", ";
    out += ctx.policy.region_names[x.region] + " " + format_ms(x.score);
    if (row >= 0 && ctx.policy.latency.rtt(row, x.region) >= 0) {
      out += " (table)";
    } else if (ctx.client.has_point) {
      const double km = geo::distance_km(ctx.client.point, ctx.policy.latency_sites[x.region].point);
      out += " (estimated, " + std::to_string(static_cast<long>(km)) + " km)";
    } else {
      out += " (not measured, location unknown)";
    }
  }
  return out;
}

std::size_t by_distance(const StepContext& ctx, std::span<Candidate> c, StepScope& scope, std::string* note,
                        const char* why) {
  const std::size_t n = rank_by_distance(ctx, ctx.policy.latency_sites, c, scope, note);
  if (note) {
    std::string text = std::string("source: distance estimate (") + why + "); " + *note;
    if (ctx.client.has_point && ctx.client.override_region < 0) {
      // Show the same ranking as RTT estimates, to compare with table rows.
      std::vector<Candidate> estimated(c.begin(), c.begin() + static_cast<std::ptrdiff_t>(n));
      for (Candidate& x : estimated)
        x.score = estimated_rtt_ms(geo::distance_km(ctx.client.point, ctx.policy.latency_sites[x.region].point));
      text += "; estimated RTT: " + describe(ctx, estimated, -1);
    }
    *note = std::move(text);
  }
  return n;
}

}  // namespace

std::size_t step_latency(const StepContext& ctx, std::span<Candidate> c, StepScope& scope, std::string* note) {
  const PolicyLatency& table = ctx.policy.latency;
  const ClientContext& client = ctx.client;
  if (table.empty()) return by_distance(ctx, c, scope, note, "no latency table");
  if (!client.has_client) return by_distance(ctx, c, scope, note, "client unknown");
  if (client.override_region >= 0) return by_distance(ctx, c, scope, note, "net override");

  const geo::ClientAddress& address = client.where.client;
  const LatencyTable::Match m = table.table()->lookup(address.address, address.source_prefix);
  bool measured = false;
  if (m.row >= 0)
    for (const Candidate& x : c) measured = measured || table.rtt(m.row, x.region) >= 0;
  if (!measured) {
    const std::size_t n =
        by_distance(ctx, c, scope, note, m.row >= 0 ? "the table row names none of these regions" : "no table row");
    // "No usable row" is itself only known over the match's scope.
    scope.scope = std::max(scope.scope, m.scope_length);
    if (note && m.row >= 0) *note += "; row " + table.table()->prefix(m.row).to_string();
    return n;
  }

  bool estimated = false;
  refine_groups(c, [&](const Candidate& x) {
    const float rtt = table.rtt(m.row, x.region);
    if (rtt >= 0) return static_cast<double>(rtt);
    estimated = true;
    if (!client.has_point) return std::numeric_limits<double>::infinity();
    return estimated_rtt_ms(geo::distance_km(client.point, ctx.policy.latency_sites[x.region].point));
  });
  scope = {true, m.scope_length};
  if (estimated) scope.scope = std::max(scope.scope, client.where.scope_prefix);
  if (note) {
    *note = std::string("source: latency table") + (estimated ? " + distance estimate" : "") + "; row " +
            table.table()->prefix(m.row).to_string() + " (table scope /" + std::to_string(m.scope_length) +
            "); RTT: " + describe(ctx, c, m.row);
  }
  return c.size();
}

}  // namespace gslb::policy
