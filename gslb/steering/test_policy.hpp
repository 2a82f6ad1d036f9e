// Test-only: a policy built in code (the YAML loader is another file's job)
// and helpers to run the pipeline for a client. Included by *_test.cpp only.
#pragma once

#include <doctest/doctest.h>

#include <chrono>
#include <string>
#include <vector>

#include "geo/geo_db.hpp"
#include "geo/test_paths.hpp"
#include "gslb/compiled_policy.hpp"
#include "gslb/steering/pipeline.hpp"

namespace gslb::policy::testing {

inline Region region(std::string name, double lat, double lon, std::string country, std::string continent,
                     int bias = 0) {
  Region r;
  r.name = std::move(name);
  r.latitude = lat;
  r.longitude = lon;
  r.country = std::move(country);
  r.continent = std::move(continent);
  r.bias = bias;
  return r;
}

inline Member member(const std::string& pool, std::string region, const std::string& address, int weight = 100) {
  Member m;
  m.region = std::move(region);
  m.address = *base::IpAddress::parse(address);
  m.weight = weight;
  m.id = pool + "/" + address;
  return m;
}

// Regions chosen so that flat-earth (degree) distance and great-circle
// distance disagree for a Tromsø client: Murmansk is ~550 km away, Stockholm
// ~1100 km, but Stockholm is nearer in degrees (10° of latitude against 14°
// of longitude at 69°N, where a degree of longitude is 40 km).
inline Policy world_policy() {
  Policy p;
  p.zone = *dns::Name::parse("example.com.");
  for (Region r : {region("eu-north", 59.33, 18.07, "SE", "EU"), region("murmansk", 68.97, 33.09, "RU", "EU"),
                   region("eu-west", 50.11, 8.68, "DE", "EU"), region("us-west", 37.77, -122.42, "US", "NA"),
                   region("us-east", 40.71, -74.00, "US", "NA"), region("ap-south", -33.87, 151.21, "AU", "OC"),
                   region("ap-north", 35.69, 139.69, "JP", "AS"), region("sa-east", -23.55, -46.63, "BR", "SA")})
    p.regions[r.name] = r;
  Pool web;
  web.name = "web";
  int i = 1;
  for (const char* r : {"eu-north", "murmansk", "eu-west", "us-west", "us-east", "ap-south", "ap-north", "sa-east"}) {
    web.members.push_back(member("web", r, "10.0.0." + std::to_string(i)));
    web.members.push_back(member("web", r, "2001:db8:ff::" + std::to_string(i)));
    ++i;
  }
  p.pools["web"] = web;
  return p;
}

inline Record record(const std::string& name, const std::string& pool, std::vector<Steering> steps, int answers = 1) {
  Record r;
  r.name = name;
  r.owner = *dns::Name::parse(name + ".example.com.");
  r.pool = pool;
  r.steering = std::move(steps);
  r.answers = answers;
  r.ttl = 30;
  return r;
}

// The answer's addresses as text.
inline std::vector<std::string> addresses(const dns::DynamicAnswer& a, base::IpFamily family) {
  std::vector<std::string> out;
  for (const auto& rdata : a.addresses) {
    if (family == base::IpFamily::v4)
      out.push_back(base::IpAddress::v4({rdata[0], rdata[1], rdata[2], rdata[3]}).to_string());
    else
      out.push_back(base::IpAddress::v6(rdata).to_string());
  }
  return out;
}

inline const geo::GeoDb& city_db() {
  static auto opened = geo::GeoDb::open(geo::test_data_path("test-city.mmdb"));
  REQUIRE_MESSAGE(opened.db, opened.error);
  return *opened.db;
}

// A client as the DNS layer would see it: packet source, optional ECS.
inline geo::ClientAddress source_client(const std::string& ip) {
  sockaddr_storage ss{};
  base::IpAddress::parse(ip)->to_sockaddr(ss, 53);
  if (ip.rfind("::ffff:", 0) == 0) {
    // parse() folds v4-mapped text to IPv4; build the dual-stack socket's view by hand.
    auto* sin6 = reinterpret_cast<sockaddr_in6*>(&ss);
    const base::IpAddress mapped = *base::IpAddress::parse(ip);  // bytes() views into it: keep it alive
    const auto v4 = mapped.bytes();
    ss = {};
    sin6->sin6_family = AF_INET6;
    sin6->sin6_addr.s6_addr[10] = 0xff;
    sin6->sin6_addr.s6_addr[11] = 0xff;
    std::copy(v4.begin(), v4.end(), sin6->sin6_addr.s6_addr + 12);
  }
  return *geo::choose_client_address(ss, false, 0, 0, {});
}

inline geo::ClientAddress ecs_client(const std::string& cidr) {
  const auto slash = cidr.find('/');
  const auto address = *base::IpAddress::parse(cidr.substr(0, slash));
  const int length = std::stoi(cidr.substr(slash + 1));
  sockaddr_storage resolver{};
  base::IpAddress::parse("127.0.0.1")->to_sockaddr(resolver, 53);
  std::array<std::uint8_t, 16> bytes{};
  std::copy(address.bytes().begin(), address.bytes().end(), bytes.begin());
  return *geo::choose_client_address(resolver, true, address.is_v4() ? 1 : 2, static_cast<std::uint8_t>(length), bytes);
}

// Runs a record of a compiled policy for one client.
struct Runner {
  explicit Runner(const CompiledPolicy& p) : policy(p), health(p.members.size()) {}
  const CompiledPolicy& policy;
  std::vector<MemberHealth> health;
  std::chrono::steady_clock::time_point now = std::chrono::steady_clock::time_point() + std::chrono::hours(1);
  Rng rng{42};
  base::SipKey key{1, 2};
  PipelineScratch scratch;

  const CompiledRecord& find(const std::string& name) const {
    for (const auto& r : policy.records)
      if (r.name == name) return r;
    FAIL("no record " << name);
    return policy.records.front();
  }
  PipelineResult run(const std::string& name, const geo::ClientAddress* client,
                     base::IpFamily family = base::IpFamily::v4, const geo::GeoDb* db = &city_db()) {
    PipelineInput in{policy, find(name), family, client, db, health, now, rng, key};
    return run_pipeline(in, scratch);
  }
  void set_down(const std::string& id, bool down = true) {
    for (std::size_t i = 0; i < policy.members.size(); ++i)
      if (policy.members[i].id == id) health[i].serving = !down;
  }
};

}  // namespace gslb::policy::testing
