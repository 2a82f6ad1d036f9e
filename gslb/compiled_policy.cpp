#include "gslb/compiled_policy.hpp"

#include <algorithm>
#include <stdexcept>

#include "base/siphash.hpp"

namespace gslb::policy {

namespace {

// A fixed key: hash seeds must be the same in every process and after every
// reload so that `hash` keeps each client on its member. The seed only
// spreads member ids; the per-client input is hashed under the engine's
// secret key (pitfall 14), so a public key here gives an attacker nothing.
constexpr base::SipKey kSeedKey{0x67736c6200000001ULL, 0x6d656d6265727321ULL};

std::vector<std::uint16_t> rank_list(const CompiledPolicy& out, const std::vector<std::string>& regions,
                                     const std::string& what) {
  std::vector<std::uint16_t> ranks(out.region_names.size(), kUnranked);
  for (std::size_t i = 0; i < regions.size(); ++i) {
    const int r = out.region_index(regions[i]);
    if (r < 0) throw std::invalid_argument(what + ": unknown region '" + regions[i] + "'");
    if (ranks[r] == kUnranked) ranks[r] = static_cast<std::uint16_t>(i);
  }
  return ranks;
}

CompiledGeolocation compile_geolocation(const CompiledPolicy& out, const GeolocationMap& map,
                                        const std::string& record) {
  CompiledGeolocation g;
  g.by_continent.fill(-1);
  g.by_country.fill(-1);
  auto add = [&](const std::string& key, const std::vector<std::string>& regions) {
    g.ranks.push_back(rank_list(out, regions, "record " + record + " geolocation " + key));
    g.names.push_back(key);
    return static_cast<std::int16_t>(g.ranks.size() - 1);
  };
  for (const auto& [key, regions] : map.by_location) {
    const auto dash = key.find('-');
    if (dash != std::string::npos) {
      g.by_subdivision.emplace_back(pack_subdivision(key.substr(0, dash), key.substr(dash + 1)), add(key, regions));
    } else if (const int c = continent_index(key); c >= 0) {
      g.by_continent[c] = add(key, regions);
    } else if (const int k = country_index(key); k >= 0) {
      g.by_country[k] = add(key, regions);
    } else {
      throw std::invalid_argument("record " + record + ": geolocation key '" + key + "' is not a location");
    }
  }
  std::sort(g.by_subdivision.begin(), g.by_subdivision.end());
  if (!map.fallback.empty()) g.fallback = add("default", map.fallback);
  return g;
}

}  // namespace

int continent_index(std::string_view code) noexcept {
  static constexpr std::string_view kCodes[] = {"AF", "AN", "AS", "EU", "NA", "OC", "SA"};
  for (int i = 0; i < 7; ++i)
    if (kCodes[i] == code) return i;
  return -1;
}

int country_index(std::string_view code) noexcept {
  if (code.size() != 2 || code[0] < 'A' || code[0] > 'Z' || code[1] < 'A' || code[1] > 'Z') return -1;
  return (code[0] - 'A') * 26 + (code[1] - 'A');
}

std::uint64_t pack_subdivision(std::string_view country, std::string_view subdivision) noexcept {
  // Two country characters and up to three subdivision characters, one byte
  // each: unique for every valid ISO 3166-2 code.
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < 2; ++i) v = (v << 8) | static_cast<unsigned char>(i < country.size() ? country[i] : 0);
  for (std::size_t i = 0; i < 3; ++i)
    v = (v << 8) | static_cast<unsigned char>(i < subdivision.size() ? subdivision[i] : 0);
  return v;
}

int CompiledPolicy::region_index(std::string_view name) const noexcept {
  auto it = std::lower_bound(region_names.begin(), region_names.end(), name);
  if (it == region_names.end() || *it != name) return -1;
  return static_cast<int>(it - region_names.begin());
}

CompiledPolicy compile(const Policy& policy) {
  CompiledPolicy out;
  out.zone = policy.zone;
  out.panic_threshold_percent = policy.panic_threshold_percent;
  std::vector<geo::Site> biased, plain;
  for (const auto& [name, region] : policy.regions) {
    out.region_names.push_back(name);  // std::map order: sorted
    const auto point = geo::GeoPoint::from_degrees(region.latitude, region.longitude);
    biased.push_back({point, geo::bias_factor(region.bias)});
    plain.push_back({point, 1.0});
  }
  out.geo_sites = geo::SiteSet(std::move(biased));
  out.latency_sites = geo::SiteSet(std::move(plain));

  std::vector<std::string> pool_names;
  for (const auto& [name, pool] : policy.pools) {
    CompiledPool cp;
    cp.name = name;
    for (const Member& m : pool.members) {
      CompiledMember cm;
      cm.id = m.id.empty() ? name + "/" + m.address.to_string() : m.id;
      const int r = out.region_index(m.region);
      if (r < 0) throw std::invalid_argument("pool " + name + ": unknown region '" + m.region + "'");
      cm.region = static_cast<std::uint16_t>(r);
      const base::IpAddress address = m.address.normalized();
      cm.family = address.family();
      std::copy(address.bytes().begin(), address.bytes().end(), cm.rdata.begin());
      cm.weight = static_cast<std::uint8_t>(std::clamp(m.weight, 0, 255));
      cm.hash_seed = base::siphash24(kSeedKey, cm.id);
      const auto index = static_cast<std::uint16_t>(out.members.size());
      (cm.family == base::IpFamily::v4 ? cp.v4 : cp.v6).push_back(index);
      cp.all.push_back(index);
      out.members.push_back(std::move(cm));
    }
    out.max_pool_size = std::max(out.max_pool_size, cp.all.size());
    out.pools.push_back(std::move(cp));
    pool_names.push_back(name);
  }

  for (const auto& [name, record] : policy.records) {
    CompiledRecord cr;
    cr.name = name;
    cr.key = record.owner.canonical_key();
    auto pool = std::lower_bound(pool_names.begin(), pool_names.end(), record.pool);
    if (pool == pool_names.end() || *pool != record.pool)
      throw std::invalid_argument("record " + name + ": unknown pool '" + record.pool + "'");
    cr.pool = static_cast<std::uint16_t>(pool - pool_names.begin());
    cr.ttl = record.ttl;
    cr.answers = std::clamp(record.answers, 1, 8);
    cr.steps = record.steering.empty() ? std::vector<Steering>{Steering::all} : record.steering;
    cr.failover_rank = rank_list(out, record.failover, "record " + name + " failover");
    cr.geolocation = compile_geolocation(out, record.geolocation, name);
    cr.when_all_down = record.when_all_down;
    for (Steering s : cr.steps)
      cr.needs_location |= s == Steering::geo || s == Steering::geolocation || s == Steering::latency;
    out.records.push_back(std::move(cr));
  }

  geo::NetOverrides::Builder nets;
  for (const NetRule& rule : policy.nets) {
    if (out.region_index(rule.region) < 0) throw std::invalid_argument("nets: unknown region '" + rule.region + "'");
    if (auto error = nets.add(rule.prefix, geo::OverrideTarget::to_region(rule.region)); !error.empty())
      throw std::invalid_argument("nets: " + error);
  }
  out.nets = std::move(nets).build();
  return out;
}

}  // namespace gslb::policy
