// steering_bench: CPU time per Engine::answer() for each steering strategy,
// including client location (overrides + MaxMind lookup with its per-thread
// record cache), the health filter and filling the caller's DynamicAnswer.
//
//   steering_bench [--queries N] [--mmdb PATH]
//
// Clients rotate over 4096 addresses inside the test database's networks
// (tests/data/geo/test-city.mmdb by default), a third of them with ECS.
#include <time.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "geo/geo_db.hpp"
#include "gslb/compiled_policy.hpp"
#include "gslb/engine.hpp"

using namespace gslb;

namespace {

double cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

policy::Policy bench_policy() {
  policy::Policy p;
  p.zone = *dns::Name::parse("example.com.");
  struct R {
    const char* name;
    double lat, lon;
  };
  const R regions[] = {{"eu-north", 59.33, 18.07},  {"eu-west", 50.11, 8.68},     {"us-west", 37.77, -122.42},
                       {"us-east", 40.71, -74.0},   {"ap-south", -33.87, 151.21}, {"ap-north", 35.69, 139.69},
                       {"sa-east", -23.55, -46.63}, {"af-south", -26.2, 28.05}};
  policy::Pool pool;
  pool.name = "web";
  int i = 1;
  for (const R& r : regions) {
    policy::Region region;
    region.name = r.name;
    region.latitude = r.lat;
    region.longitude = r.lon;
    p.regions[r.name] = region;
    for (int k = 0; k < 2; ++k) {
      policy::Member m;
      m.region = r.name;
      m.address = *base::IpAddress::parse("10.0." + std::to_string(k) + "." + std::to_string(i));
      m.id = "web/" + m.address.to_string();
      m.weight = 50 + 20 * k;
      pool.members.push_back(m);
    }
    ++i;
  }
  p.pools["web"] = pool;
  const std::pair<const char*, policy::Steering> records[] = {{"geo", policy::Steering::geo},
                                                              {"geoloc", policy::Steering::geolocation},
                                                              {"latency", policy::Steering::latency},
                                                              {"failover", policy::Steering::failover},
                                                              {"weighted", policy::Steering::weighted},
                                                              {"hash", policy::Steering::hash},
                                                              {"all", policy::Steering::all}};
  for (const auto& [name, steering] : records) {
    policy::Record r;
    r.name = name;
    r.owner = *dns::Name::parse(std::string(name) + ".example.com.");
    r.pool = "web";
    r.steering = {steering};
    r.answers = steering == policy::Steering::all ? 4 : 1;
    r.failover = {"us-east", "eu-west"};
    r.geolocation.by_location = {{"EU", {"eu-west"}}, {"NA", {"us-east"}}, {"US-CA", {"us-west"}}};
    r.geolocation.fallback = {"eu-north"};
    p.records[name] = r;
  }
  return p;
}

}  // namespace

int main(int argc, char** argv) {
  long queries = 2'000'000;
  std::string mmdb = std::string(GSLB_SOURCE_DIR) + "/tests/data/geo/test-city.mmdb";
  for (int a = 1; a < argc; ++a) {
    if (!std::strcmp(argv[a], "--queries") && a + 1 < argc)
      queries = std::atol(argv[++a]);
    else if (!std::strcmp(argv[a], "--mmdb") && a + 1 < argc)
      mmdb = argv[++a];
    else {
      std::fprintf(stderr, "usage: steering_bench [--queries N] [--mmdb PATH]\n");
      return 2;
    }
  }
  auto opened = geo::GeoDb::open(mmdb);
  if (!opened.db) {
    std::fprintf(stderr, "%s\n", opened.error.c_str());
    return 1;
  }
  base::Snapshot<geo::GeoDb> geo_snapshot(std::shared_ptr<const geo::GeoDb>(opened.db.release()));
  policy::Engine engine(&geo_snapshot, {.rng_seed = 1, .hash_key = base::SipKey{1, 2}});
  engine.publish({std::make_shared<const policy::CompiledPolicy>(policy::compile(bench_policy()))}, nullptr,
                 std::chrono::steady_clock::now());

  const char* nets[] = {"192.0.2.", "198.51.100.", "203.0.113.", "198.18.7.", "100.64.3.", "100.66.9.", "100.69.1."};
  std::vector<dns::ClientInfo> clients(4096);
  for (std::size_t c = 0; c < clients.size(); ++c) {
    const auto address = *base::IpAddress::parse(nets[c % 7] + std::to_string(c % 251 + 1));
    if (c % 3 == 0) {
      base::IpAddress::parse("127.0.0.1")->to_sockaddr(clients[c].source, 5353);
      clients[c].has_ecs = true;
      clients[c].ecs_family = 1;
      clients[c].ecs_source_prefix = 24;
      const auto net = address.truncated(24);
      std::copy(net.bytes().begin(), net.bytes().end(), clients[c].ecs_address.begin());
    } else {
      address.to_sockaddr(clients[c].source, 5353);
    }
  }
  std::printf("%-10s %10s %12s\n", "steering", "queries", "ns/answer");
  for (const char* name : {"geo", "geoloc", "latency", "failover", "weighted", "hash", "all"}) {
    const std::string key = dns::Name::parse(std::string(name) + ".example.com.")->canonical_key();
    std::size_t sink = 0;
    dns::DynamicAnswer out;  // reused, as the query processor does
    for (std::size_t c = 0; c < clients.size(); ++c)
      sink += engine.answer(key, 1, clients[c], out) ? out.addresses.size() : 0;
    const double start = cpu_seconds();
    for (long q = 0; q < queries; ++q) sink += engine.answer(key, 1, clients[q & 4095], out) ? out.addresses.size() : 0;
    const double elapsed = cpu_seconds() - start;
    std::printf("%-10s %10ld %12.1f%s\n", name, queries, elapsed * 1e9 / static_cast<double>(queries),
                sink == 0 ? " (no answers?)" : "");
  }
  return 0;
}
