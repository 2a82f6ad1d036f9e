#include "gslb/policy_validate.hpp"

#include <algorithm>
#include <array>
#include <map>
#include <set>
#include <string>

#include "geo/country_centroids.hpp"

namespace gslb::policy {
namespace {

constexpr std::array<std::string_view, 7> kContinents = {"AF", "AN", "AS", "EU", "NA", "OC", "SA"};

// RR TYPE values (RFC 1035 §3.2.2, RFC 3596 §2.1).
constexpr std::uint16_t kTypeA = 1;
constexpr std::uint16_t kTypeNs = 2;
constexpr std::uint16_t kTypeCname = 5;
constexpr std::uint16_t kTypeAaaa = 28;

void error_at(base::DiagnosticList& diags, const Origin& where, std::string message) {
  diags.error(where.file, where.line, where.column, std::move(message));
}

bool is_continent(std::string_view code) {
  return std::find(kContinents.begin(), kContinents.end(), code) != kContinents.end();
}

// ISO 3166-2 subdivision: "US-CA", the part after the dash 1–3 letters or digits.
bool is_subdivision(std::string_view key) {
  const auto dash = key.find('-');
  if (dash != 2 || key.size() < 4 || key.size() > 6) return false;
  if (geo::find_country_centroid(key.substr(0, 2)) == nullptr) return false;
  return std::all_of(key.begin() + 3, key.end(),
                     [](char c) { return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); });
}

void check_region_names(const Policy& policy, const std::vector<std::string>& names, const Origin& where,
                        const std::string& path, base::DiagnosticList& diags) {
  std::set<std::string> seen;
  for (const auto& n : names) {
    if (!policy.regions.empty() && !policy.regions.count(n))
      error_at(diags, where, path + ": unknown region '" + n + "'");
    if (!seen.insert(n).second) error_at(diags, where, path + ": region '" + n + "' is listed twice");
  }
}

void validate_regions(const Policy& policy, base::DiagnosticList& diags) {
  for (const auto& [name, r] : policy.regions) {
    const std::string path = "regions." + name;
    const geo::CountryCentroid* country = nullptr;
    if (!r.country.empty()) {
      country = geo::find_country_centroid(r.country);
      if (country == nullptr) {
        error_at(diags, r.where, path + ".country: '" + r.country + "' is not an ISO 3166-1 alpha-2 code (upper case)");
      }
    }
    if (!r.continent.empty() && !is_continent(r.continent)) {
      error_at(diags, r.where, path + ".continent: '" + r.continent + "' is not one of AF AN AS EU NA OC SA");
    } else if (country != nullptr && !r.continent.empty() && country->continent != r.continent) {
      diags.warning(
          r.where.file, r.where.line, r.where.column,
          path + ": country " + r.country + " is in " + std::string(country->continent) + ", not " + r.continent);
    }
  }
}

void validate_pools(const Policy& policy, base::DiagnosticList& diags) {
  for (const auto& [name, p] : policy.pools) {
    for (std::size_t i = 0; i < p.members.size(); ++i) {
      const auto& m = p.members[i];
      if (!policy.regions.empty() && !policy.regions.count(m.region)) {
        error_at(diags, m.region_where,
                 "pools." + name + ".members[" + std::to_string(i) + "].region: unknown region '" + m.region + "'");
      }
    }
  }
}

void validate_record(const Policy& policy, const Record& r, base::DiagnosticList& diags) {
  const std::string path = "records." + r.name;
  // With no pools at all the loader has said why; one message per record would be noise.
  if (!policy.pools.empty() && !policy.pools.count(r.pool)) {
    error_at(diags, r.pool_where, path + ".pool: unknown pool '" + r.pool + "'");
  }
  // A name the loader could not parse was reported there already.
  if (dns::Name::parse(r.name, &policy.zone)) {
    if (!r.owner.is_subdomain_of(policy.zone)) {
      error_at(diags, r.where, path + ": " + r.owner.to_string() + " is outside the zone " + policy.zone.to_string());
    }
    // A wildcard GSLB record would need RFC 4592 synthesis mixed with steering;
    // not supported: name each host.
    if (r.name == "*" || r.name.starts_with("*.")) {
      error_at(diags, r.where, path + ": wildcard names are not supported as GSLB records");
    }
  }
  const auto uses = [&](Steering s) { return std::find(r.steering.begin(), r.steering.end(), s) != r.steering.end(); };
  if (uses(Steering::failover) && r.failover.empty()) {
    error_at(diags, r.where, path + ": steering 'failover' needs a 'failover' list of regions");
  }
  check_region_names(policy, r.failover, r.failover_where, path + ".failover", diags);
  const auto& geo = r.geolocation;
  if (uses(Steering::geolocation) && geo.by_location.empty() && geo.fallback.empty()) {
    error_at(diags, r.where, path + ": steering 'geolocation' needs a 'geolocation' map");
  }
  for (const auto& [location, regions] : geo.by_location) {
    const bool known =
        is_continent(location) || geo::find_country_centroid(location) != nullptr || is_subdivision(location);
    if (!known) {
      error_at(diags, r.geolocation_where,
               path + ".geolocation: '" + location +
                   "' is not a continent (EU), an ISO 3166-1 country (DE), a subdivision (US-CA) or 'default'");
    }
    check_region_names(policy, regions, r.geolocation_where, path + ".geolocation." + location, diags);
  }
  check_region_names(policy, geo.fallback, r.geolocation_where, path + ".geolocation.default", diags);
}

void validate_nets(const Policy& policy, base::DiagnosticList& diags) {
  std::map<base::Prefix, const NetRule*> seen;
  for (const auto& rule : policy.nets) {
    const std::string path = "nets." + rule.prefix.to_string();
    if (!policy.regions.count(rule.region))
      error_at(diags, rule.where, path + ": unknown region '" + rule.region + "'");
    if (auto [it, inserted] = seen.emplace(rule.prefix, &rule); !inserted) {
      error_at(diags, rule.where,
               path + ": the same prefix is already mapped at line " + std::to_string(it->second->where.line));
    }
  }
}

}  // namespace

void validate_policy(const Policy& policy, base::DiagnosticList& diags) {
  validate_regions(policy, diags);
  validate_pools(policy, diags);
  std::map<std::string, const Record*> owners;
  for (const auto& [name, r] : policy.records) {
    validate_record(policy, r, diags);
    // "www" and "www.example.com." are one owner written twice.
    if (auto [it, inserted] = owners.emplace(r.owner.canonical_key(), &r); !inserted) {
      error_at(diags, r.where,
               "records." + name + ": same owner as records." + it->second->name + " (" + r.owner.to_string() + ")");
    }
  }
  validate_nets(policy, diags);
}

bool validate_against_zone(const Policy& policy, const dns::Zone& zone, base::DiagnosticList& diags) {
  const auto before = diags.error_count();
  std::map<std::string, const Record*> owners;
  for (const auto& [name, r] : policy.records) owners.emplace(r.owner.canonical_key(), &r);
  std::set<std::string> reported;  // record names: one message per record is enough
  const std::string apex = zone.origin().canonical_key();
  for (const auto& rr : zone.records_for_transfer()) {
    const std::string key = rr.owner.canonical_key();
    if (rr.type == kTypeNs && key != apex) {
      // Delegation point: every GSLB owner at or below it is the child's.
      for (const auto& [owner, r] : owners) {
        if (r->owner.is_subdomain_of(rr.owner) && reported.insert(r->name).second) {
          error_at(diags, r->where,
                   "records." + r->name + ": " + r->owner.to_string() + " is at or below the delegation " +
                       rr.owner.to_string() + " in the zone file");
        }
      }
      continue;
    }
    if (rr.type != kTypeA && rr.type != kTypeAaaa && rr.type != kTypeCname) continue;
    const auto it = owners.find(key);
    if (it == owners.end() || !reported.insert(it->second->name).second) continue;
    const char* type = rr.type == kTypeA ? "A" : rr.type == kTypeAaaa ? "AAAA" : "CNAME";
    error_at(diags, it->second->where,
             "records." + it->second->name + ": " + it->second->owner.to_string() + " also has static " + type +
                 " data in the zone file; a name is either static or GSLB");
  }
  return diags.error_count() == before;
}

}  // namespace gslb::policy
