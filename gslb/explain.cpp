#include "gslb/explain.hpp"

#include <sstream>

namespace gslb::policy {

namespace {

std::string address_text(const CompiledMember& m) {
  std::array<std::uint8_t, 16> bytes = m.rdata;
  if (m.family == base::IpFamily::v4) return base::IpAddress::v4({bytes[0], bytes[1], bytes[2], bytes[3]}).to_string();
  return base::IpAddress::v6(bytes).to_string();
}

const char* kind_text(dns::DynamicAnswer::Kind kind) {
  switch (kind) {
    case dns::DynamicAnswer::Kind::answer:
      return "answer";
    case dns::DynamicAnswer::Kind::nodata:
      return "NODATA";
    case dns::DynamicAnswer::Kind::servfail:
      return "SERVFAIL";
  }
  return "?";
}

}  // namespace

std::string render_explain(const PipelineInput& in, const PipelineResult& result, const Trace& trace,
                           const ClientContext& client) {
  std::ostringstream out;
  const CompiledPolicy& policy = in.policy;
  const CompiledRecord& record = in.record;
  const CompiledPool& pool = policy.pools[record.pool];
  out << "record " << record.name << " (pool " << pool.name << ", answers " << record.answers << ", ttl " << record.ttl
      << ", steering";
  for (Steering s : record.steps) out << ' ' << to_string(s);
  out << ")\n";
  if (!client.has_client)
    out << "client: unknown\n";
  else if (record.needs_location)
    out << "client: " << geo::to_string(client.where) << '\n';
  else
    out << "client: " << client.where.client.address.to_string() << '/' << int(client.where.client.source_prefix)
        << (client.where.client.from_ecs ? " (ECS)" : " (source)") << '\n';
  out << "candidates (" << (in.family == base::IpFamily::v4 ? "A" : "AAAA") << "):\n";
  const auto& family = in.family == base::IpFamily::v4 ? pool.v4 : pool.v6;
  for (std::uint16_t m : family) {
    const CompiledMember& member = policy.members[m];
    const bool serving = m >= in.health.size() || in.health[m].serving;
    out << "  " << member.id << "  " << address_text(member) << "  region " << policy.region_names[member.region]
        << "  weight " << int(member.weight) << "  " << (serving ? "up" : "DOWN") << '\n';
  }
  if (result.pool_lacks_family) out << "  (none: the pool has no member of this family)\n";
  for (const TraceStep& step : trace.steps) {
    out << "step " << step.name << ": " << step.note << '\n';
    for (const Candidate& c : step.after)
      out << "  " << policy.members[c.member].id << "  group " << c.group << "  score " << c.score << '\n';
  }
  const dns::DynamicAnswer& a = result.answer;
  out << "answer: " << kind_text(a.kind);
  for (const auto& rdata : a.addresses) {
    for (std::uint16_t m : family)
      if (policy.members[m].rdata == rdata) {
        out << ' ' << address_text(policy.members[m]);
        break;
      }
  }
  out << "\nttl: " << a.ttl << "\necs scope: /" << int(a.scope_prefix) << '\n';
  if (result.health.failed_open()) out << "fail open: " << to_string(result.health.kind) << '\n';
  return out.str();
}

}  // namespace gslb::policy
