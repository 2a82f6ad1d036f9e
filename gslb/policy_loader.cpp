#include "gslb/policy_loader.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <utility>

#include "base/yaml_util.hpp"
#include "gslb/policy_schema.hpp"
#include "gslb/policy_validate.hpp"

namespace gslb::policy {
namespace {

namespace fs = std::filesystem;
using base::LoadContext;
using base::Section;

constexpr std::string_view kSuffix = ".gslb.yaml";

Origin origin_of(const LoadContext& ctx, const YAML::Mark& mark) {
  if (mark.is_null()) return {ctx.file, 0, 0};
  return {ctx.file, mark.line + 1, mark.column + 1};
}

// Iterates a mapping of NAME → section, refusing duplicate and non-scalar
// names (yaml-cpp keeps both entries of a duplicate key and node[key] would
// return the first: the operator's last word would be silently ignored).
template <typename F>
void for_each_named(LoadContext& ctx, const YAML::Node& map, const std::string& path, F&& f) {
  if (!map.IsDefined()) return;
  std::set<std::string> seen;
  for (const auto& entry : map) {
    if (!entry.first.IsScalar() || entry.first.Scalar().empty()) {
      ctx.error(entry.first.Mark(), path + ": names must be non-empty scalars");
      continue;
    }
    const std::string name = entry.first.Scalar();
    if (!seen.insert(name).second) {
      ctx.error(entry.first.Mark(), path + ": duplicate name '" + name + "'");
      continue;
    }
    f(name, entry.first.Mark(), entry.second);
  }
}

void load_region(LoadContext& ctx, const std::string& name, const YAML::Mark& key, const YAML::Node& node,
                 Policy& out) {
  Section s(ctx, node, schema::region(), "regions." + name);
  Region r;
  r.name = name;
  r.latitude = s.number("lat");
  r.longitude = s.number("lon");
  r.country = s.string("country");
  r.continent = s.string("continent");
  r.bias = static_cast<int>(s.integer("bias"));
  r.where = origin_of(ctx, key);
  out.regions.emplace(name, std::move(r));
}

std::optional<health::CheckSpec> load_check(LoadContext& ctx, const Section& pool) {
  if (!pool.has("check") || !pool.node("check").IsDefined()) return std::nullopt;
  const std::string path = pool.path("check");
  Section c(ctx, pool.node("check"), schema::check(), path);
  health::CheckSpec spec;
  const auto type = health::parse_check_type(c.string("type"));
  if (!type) {
    ctx.error(c.mark("type"),
              c.path("type") + ": unknown check type '" + c.string("type") + "' (known: http, https, tcp)");
  } else {
    spec.type = *type;
  }
  spec.port = static_cast<std::uint16_t>(c.integer("port"));
  spec.path = c.string("path");
  if (spec.path.empty() || spec.path[0] != '/') ctx.error(c.mark("path"), c.path("path") + ": must start with '/'");
  spec.host_header = c.string("host");
  const auto expect = health::StatusExpectation::parse(c.string("expect"));
  if (!expect) {
    ctx.error(c.mark("expect"), c.path("expect") + ": '" + c.string("expect") +
                                    "' is not a status (200), a class (2xx) or a range (200-399) within 100..599");
  } else {
    spec.expect = *expect;
  }
  spec.body_contains = c.string("body_contains");
  spec.interval = c.duration("interval");
  spec.timeout = c.duration("timeout");
  spec.rise = static_cast<int>(c.integer("rise"));
  spec.fall = static_cast<int>(c.integer("fall"));
  spec.tls_verify = c.boolean("tls_verify");
  if (spec.timeout > spec.interval) {
    ctx.error(c.mark("timeout"), c.path("timeout") + ": " + base::format_duration(spec.timeout) +
                                     " is longer than the interval " + base::format_duration(spec.interval));
    return spec.normalized();
  }
  // The common range check catches whatever the table cannot express.
  if (auto problem = health::validate(spec); !problem.empty()) ctx.error(c.section_mark(), path + ": " + problem);
  return spec.normalized();
}

std::optional<base::IpAddress> address_at(LoadContext& ctx, const Section& s, std::string_view key) {
  if (!s.has(key)) return std::nullopt;
  const std::string text = s.string(key);
  auto a = base::IpAddress::parse(text);
  if (!a) {
    ctx.error(s.mark(key), s.path(key) + ": '" + text + "' is not an IPv4 or IPv6 address");
    return std::nullopt;
  }
  return a->normalized();
}

void load_pool(LoadContext& ctx, const std::string& name, const YAML::Mark& key, const YAML::Node& node, Policy& out) {
  const std::string path = "pools." + name;
  Section s(ctx, node, schema::pool(), path);
  Pool p;
  p.name = name;
  p.where = origin_of(ctx, key);
  p.check = load_check(ctx, s);
  const YAML::Node members = s.node("members");
  if (members.IsDefined() && members.size() == 0) ctx.error(members.Mark(), path + ".members: the list is empty");
  std::set<base::IpAddress> seen;
  for (std::size_t i = 0; members.IsDefined() && i < members.size(); ++i) {
    Section m(ctx, members[i], schema::member(), path + ".members[" + std::to_string(i) + "]");
    if (!m.is_mapping()) continue;
    Member member;
    member.region = m.string("region");
    member.weight = static_cast<int>(m.integer("weight"));
    member.where = origin_of(ctx, members[i].Mark());
    member.region_where = origin_of(ctx, m.mark("region"));
    member.check_address = address_at(ctx, m, "check_address");
    const auto address = address_at(ctx, m, "address");
    if (!address) continue;
    member.address = *address;
    if (!seen.insert(*address).second) {
      ctx.error(m.mark("address"),
                m.path("address") + ": " + address->to_string() + " is already a member of this pool");
      continue;
    }
    member.id = name + "/" + address->to_string();
    p.members.push_back(std::move(member));
  }
  out.pools.emplace(name, std::move(p));
}

template <typename Enum, std::size_t N>
std::optional<Enum> enum_from(std::string_view text, const std::string_view (&names)[N]) {
  for (std::size_t i = 0; i < N; ++i) {
    if (names[i] == text) return static_cast<Enum>(i);
  }
  return std::nullopt;
}

template <std::size_t N>
std::string join(const std::string_view (&names)[N]) {
  std::string out;
  for (auto n : names) out += (out.empty() ? "" : ", ") + std::string(n);
  return out;
}

// A list of scalar names (failover regions, geolocation targets). A single
// scalar is accepted as a one-element list where `allow_scalar`.
std::vector<std::string> names_at(LoadContext& ctx, const YAML::Node& node, const std::string& path,
                                  bool allow_scalar) {
  std::vector<std::string> out;
  if (allow_scalar && node.IsScalar()) {
    out.push_back(node.Scalar());
    return out;
  }
  if (!node.IsSequence()) {
    ctx.error(node.Mark(), path + ": expected a region name or a list of region names");
    return out;
  }
  for (std::size_t i = 0; i < node.size(); ++i) {
    if (!node[i].IsScalar()) {
      ctx.error(node[i].Mark(), path + "[" + std::to_string(i) + "]: expected a region name");
      continue;
    }
    out.push_back(node[i].Scalar());
  }
  return out;
}

void load_record(LoadContext& ctx, const std::string& name, const YAML::Mark& key, const YAML::Node& node,
                 const dns::Name& zone, Policy& out) {
  const std::string path = "records." + name;
  Section s(ctx, node, schema::record(), path);
  Record r;
  r.name = name;
  r.where = origin_of(ctx, key);
  if (auto owner = dns::Name::parse(name, &zone)) {
    r.owner = *owner;
  } else {
    ctx.error(key, path + ": '" + name + "' is not a valid domain name");
  }
  r.pool = s.string("pool");
  r.pool_where = origin_of(ctx, s.has("pool") ? s.mark("pool") : key);
  r.failover_where = origin_of(ctx, s.has("failover") ? s.mark("failover") : key);
  r.geolocation_where = origin_of(ctx, s.has("geolocation") ? s.mark("geolocation") : key);
  r.ttl = static_cast<std::uint32_t>(s.integer("ttl"));
  r.answers = static_cast<int>(s.integer("answers"));
  const YAML::Node steering = s.node("steering");
  for (std::size_t i = 0; steering.IsDefined() && i < steering.size(); ++i) {
    const std::string item_path = path + ".steering[" + std::to_string(i) + "]";
    const std::string word = steering[i].IsScalar() ? steering[i].Scalar() : std::string();
    const auto step = enum_from<Steering>(word, schema::steering_names);
    if (!step) {
      ctx.error(steering[i].Mark(),
                item_path + ": unknown steering '" + word + "' (known: " + join(schema::steering_names) + ")");
      continue;
    }
    if (std::find(r.steering.begin(), r.steering.end(), *step) != r.steering.end()) {
      ctx.error(steering[i].Mark(), item_path + ": '" + word + "' is already in the list");
      continue;
    }
    r.steering.push_back(*step);
  }
  if (steering.IsDefined() && steering.size() == 0) ctx.error(steering.Mark(), path + ".steering: the list is empty");
  if (s.has("failover") && s.node("failover").IsDefined()) {
    r.failover = names_at(ctx, s.node("failover"), path + ".failover", false);
  }
  for_each_named(ctx, s.node("geolocation"), path + ".geolocation",
                 [&](const std::string& location, const YAML::Mark&, const YAML::Node& value) {
                   auto regions = names_at(ctx, value, path + ".geolocation." + location, true);
                   if (location == "default") {
                     r.geolocation.fallback = std::move(regions);
                   } else {
                     r.geolocation.by_location.emplace(location, std::move(regions));
                   }
                 });
  const std::string down = s.string("when_all_down");
  if (auto w = enum_from<WhenAllDown>(down, schema::when_all_down_names)) {
    r.when_all_down = *w;
  } else {
    ctx.error(s.mark("when_all_down"), s.path("when_all_down") + ": unknown value '" + down +
                                           "' (known: " + join(schema::when_all_down_names) + ")");
  }
  out.records.emplace(name, std::move(r));
}

void load_nets(LoadContext& ctx, const YAML::Node& nets, Policy& out) {
  for_each_named(ctx, nets, "nets", [&](const std::string& cidr, const YAML::Mark& key, const YAML::Node& value) {
    std::string error;
    auto prefix = base::Prefix::parse(cidr, &error);
    if (!prefix) {
      ctx.error(key, "nets: '" + cidr + "' is not a CIDR prefix: " + error);
      return;
    }
    if (!value.IsScalar()) {
      ctx.error(value.Mark(), "nets." + cidr + ": expected a region name");
      return;
    }
    out.nets.push_back({*prefix, value.Scalar(), origin_of(ctx, key)});
  });
}

}  // namespace

PolicyPtr parse_policy(std::string_view text, const std::string& file, const dns::Name& zone,
                       base::DiagnosticList& diags) {
  base::DiagnosticList local;
  LoadContext ctx{file, local};
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    ctx.error(e.mark, "YAML syntax: " + e.msg);
    diags.append(local);
    return nullptr;
  }
  auto policy = std::make_shared<Policy>();
  policy->zone = zone;
  policy->file = file;
  if (!root.IsDefined() || root.IsNull()) {
    ctx.error(YAML::Mark::null_mark(), "the policy file is empty");
    diags.append(local);
    return nullptr;
  }
  // Anything structurally odd inside yaml-cpp's accessors (they throw on
  // misuse) is reported, never propagated: bad input must not crash a reload.
  try {
    Section top(ctx, root, schema::top(), "policy");
    if (top.is_mapping()) {
      for_each_named(
          ctx, top.node("regions"), "regions",
          [&](const std::string& n, const YAML::Mark& k, const YAML::Node& v) { load_region(ctx, n, k, v, *policy); });
      for_each_named(
          ctx, top.node("pools"), "pools",
          [&](const std::string& n, const YAML::Mark& k, const YAML::Node& v) { load_pool(ctx, n, k, v, *policy); });
      for_each_named(ctx, top.node("records"), "records",
                     [&](const std::string& n, const YAML::Mark& k, const YAML::Node& v) {
                       load_record(ctx, n, k, v, zone, *policy);
                     });
      load_nets(ctx, top.node("nets"), *policy);
      policy->panic_threshold_percent = static_cast<int>(top.integer("panic_threshold"));
    }
  } catch (const YAML::Exception& e) {
    ctx.error(e.mark, "unexpected YAML structure: " + e.msg);
  }
  validate_policy(*policy, local);
  const bool failed = local.has_errors();
  diags.append(local);
  if (failed) return nullptr;
  return policy;
}

PolicyPtr load_policy(const fs::path& path, const dns::Name& zone, base::DiagnosticList& diags) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    diags.error(path.string(), 0, 0, "cannot open the policy file");
    return nullptr;
  }
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) {
    diags.error(path.string(), 0, 0, "cannot read the policy file");
    return nullptr;
  }
  return parse_policy(text.str(), path.string(), zone, diags);
}

std::string policy_zone_name(const fs::path& path) {
  const std::string name = path.filename().string();
  if (name.size() <= kSuffix.size() || !name.ends_with(kSuffix)) return {};
  return name.substr(0, name.size() - kSuffix.size());
}

std::vector<fs::path> list_policy_files(const fs::path& dir, base::DiagnosticList& diags) {
  std::vector<fs::path> out;
  std::error_code ec;
  fs::directory_iterator it(dir, ec);
  if (ec) {
    diags.error(dir.string(), 0, 0, "cannot list the directory: " + ec.message());
    return out;
  }
  for (const auto& entry : it) {
    if (entry.is_regular_file(ec) && !policy_zone_name(entry.path()).empty()) out.push_back(entry.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

// A member id ("<pool>/<address>") names one health state and one operator
// override, whichever zone's policy lists it: the same load balancer behind
// the same pool name in two zones is one thing. Two zones that probe it
// differently would leave the state to whichever loaded first, so that is
// an error in the later file.
void check_shared_members(const std::vector<PolicyPtr>& policies, base::DiagnosticList& diags) {
  struct Seen {
    const Pool* pool;
    const Member* member;
    const Policy* policy;
  };
  std::map<std::string, Seen> first;
  for (const PolicyPtr& policy : policies) {
    for (const auto& [name, pool] : policy->pools) {
      for (const Member& m : pool.members) {
        const auto [it, inserted] = first.try_emplace(m.id, Seen{&pool, &m, policy.get()});
        if (inserted) continue;
        const Seen& s = it->second;
        auto probe = [](const Pool& p, const Member& member) {
          return std::make_pair(p.check ? std::optional(p.check->normalized()) : std::nullopt,
                                member.check_address.value_or(member.address));
        };
        if (probe(*s.pool, *s.member) == probe(pool, m)) continue;
        diags.error(m.where.file, m.where.line, m.where.column,
                    "member " + m.id + " is also in zone " + s.policy->zone.to_string() + " (" + s.member->where.file +
                        ":" + std::to_string(s.member->where.line) +
                        ") with another check or check_address; one member id has one health state: give the "
                        "pools distinct names or the same check");
      }
    }
  }
}

std::vector<PolicyPtr> load_policies(const fs::path& zones_dir, const dns::ZoneSet& zones,
                                     base::DiagnosticList& diags) {
  base::DiagnosticList local;
  std::vector<PolicyPtr> out;
  for (const auto& file : list_policy_files(zones_dir, local)) {
    const auto origin = dns::Name::parse(policy_zone_name(file) + ".");
    const dns::Zone* zone = nullptr;
    for (const auto& z : zones.zones()) {
      if (origin && z->origin() == *origin) zone = z.get();
    }
    if (zone == nullptr) {
      local.error(file.string(), 0, 0,
                  "no zone '" + policy_zone_name(file) + "' is loaded for this policy (expected " +
                      policy_zone_name(file) + ".zone beside it)");
      continue;
    }
    auto policy = load_policy(file, zone->origin(), local);
    if (policy && validate_against_zone(*policy, *zone, local)) out.push_back(std::move(policy));
  }
  check_shared_members(out, local);
  const bool failed = local.has_errors();
  diags.append(local);
  if (failed) return {};
  return out;
}

}  // namespace gslb::policy
