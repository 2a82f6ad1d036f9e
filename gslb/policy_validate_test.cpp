#include "gslb/policy_validate.hpp"

#include <doctest/doctest.h>

#include <filesystem>

#include "dns/zone_loader.hpp"

using namespace gslb;
using policy::Policy;

namespace {

const std::filesystem::path kGood = std::filesystem::path(GSLB_SOURCE_DIR) / "tests/data/policies/good";

dns::Name name(const char* text) {
  return *dns::Name::parse(text);
}

// A valid policy of example.test.: region r1, pool p with one member, no records.
Policy base_policy() {
  Policy p;
  p.zone = name("example.test.");
  p.file = "p.gslb.yaml";
  policy::Region region;
  region.name = "r1";
  region.latitude = 1;
  region.longitude = 2;
  region.country = "DE";
  region.continent = "EU";
  p.regions["r1"] = region;
  policy::Pool pool;
  pool.name = "p";
  policy::Member member;
  member.region = "r1";
  member.address = *base::IpAddress::parse("192.0.2.1");
  member.id = "p/192.0.2.1";
  pool.members.push_back(member);
  p.pools["p"] = pool;
  return p;
}

void add_record(Policy& p, const std::string& relative, int line) {
  policy::Record r;
  r.name = relative;
  r.owner = *dns::Name::parse(relative, &p.zone);
  r.pool = "p";
  r.where = {"p.gslb.yaml", line, 3};
  r.pool_where = r.failover_where = r.geolocation_where = r.where;
  p.records[relative] = r;
}

std::string messages(const base::DiagnosticList& diags) {
  std::string out;
  for (const auto& d : diags.items()) out += d.format() + "\n";
  return out;
}

}  // namespace

TEST_CASE("a consistent policy has no diagnostics") {
  auto p = base_policy();
  add_record(p, "www", 5);
  base::DiagnosticList diags;
  policy::validate_policy(p, diags);
  CHECK(diags.empty());
}

TEST_CASE("geolocation keys: continents, countries, subdivisions; anything else is an error") {
  auto p = base_policy();
  add_record(p, "www", 5);
  auto& geo = p.records["www"].geolocation;
  for (const char* ok : {"EU", "OC", "DE", "US-CA", "GB-ENG", "FR-75"}) geo.by_location[ok] = {"r1"};
  base::DiagnosticList ok_diags;
  policy::validate_policy(p, ok_diags);
  CHECK(messages(ok_diags).empty());

  for (const char* bad : {"XX", "eu", "US-", "ZZ-CA", "US-CALIF", "Europe"}) {
    CAPTURE(bad);
    auto q = p;
    q.records["www"].geolocation.by_location = {{bad, {"r1"}}};
    base::DiagnosticList diags;
    policy::validate_policy(q, diags);
    CHECK(diags.error_count() == 1);
  }
}

TEST_CASE("references to regions are checked everywhere they appear") {
  auto p = base_policy();
  add_record(p, "www", 5);
  auto& r = p.records["www"];
  r.steering = {policy::Steering::failover};
  r.failover = {"r1", "r2", "r1"};
  r.geolocation.fallback = {"r3"};
  p.nets.push_back({*base::Prefix::parse("10.0.0.0/8"), "r4", {"p.gslb.yaml", 9, 3}});
  p.nets.push_back({*base::Prefix::parse("10.0.0.0/8"), "r1", {"p.gslb.yaml", 10, 3}});
  base::DiagnosticList diags;
  policy::validate_policy(p, diags);
  CHECK(messages(diags) ==
        "p.gslb.yaml:5:3: error: records.www.failover: unknown region 'r2'\n"
        "p.gslb.yaml:5:3: error: records.www.failover: region 'r1' is listed twice\n"
        "p.gslb.yaml:5:3: error: records.www.geolocation.default: unknown region 'r3'\n"
        "p.gslb.yaml:9:3: error: nets.10.0.0.0/8: unknown region 'r4'\n"
        "p.gslb.yaml:10:3: error: nets.10.0.0.0/8: the same prefix is already mapped at line 9\n");
}

TEST_CASE("a region whose country lies on another continent is a warning") {
  auto p = base_policy();
  p.regions["r1"].continent = "AS";
  base::DiagnosticList diags;
  policy::validate_policy(p, diags);
  CHECK_FALSE(diags.has_errors());
  CHECK(diags.warning_count() == 1);
}

TEST_CASE("against the zone: static A/AAAA/CNAME owners and delegated names are refused") {
  base::DiagnosticList load;
  auto zone = dns::load_zone_file({kGood / "example.test.zone", kGood}, load);
  REQUIRE(zone.zone != nullptr);
  auto p = base_policy();
  add_record(p, "www", 5);      // not in the zone: fine
  add_record(p, "static", 6);   // A
  add_record(p, "STATIC6", 7);  // AAAA, names compare case-insensitively
  add_record(p, "alias", 8);    // CNAME
  add_record(p, "a.b.sub", 9);  // below the delegation sub
  add_record(p, "ns1", 10);     // glue-free in-zone A of the NS host
  base::DiagnosticList diags;
  CHECK_FALSE(policy::validate_against_zone(p, *zone.zone, diags));
  const auto out = messages(diags);
  CHECK(out.find("p.gslb.yaml:6:3: error: records.static: static.example.test. also has static A data") !=
        std::string::npos);
  CHECK(out.find("p.gslb.yaml:7:3: error: records.STATIC6: STATIC6.example.test. also has static AAAA data") !=
        std::string::npos);
  CHECK(out.find("p.gslb.yaml:8:3: error: records.alias: alias.example.test. also has static CNAME data") !=
        std::string::npos);
  CHECK(out.find("p.gslb.yaml:9:3: error: records.a.b.sub: a.b.sub.example.test. is at or below the delegation "
                 "sub.example.test.") != std::string::npos);
  CHECK(out.find("records.ns1:") != std::string::npos);
  CHECK(out.find("records.www") == std::string::npos);
  CHECK(diags.error_count() == 5);

  auto clean = base_policy();
  add_record(clean, "www", 5);
  base::DiagnosticList none;
  CHECK(policy::validate_against_zone(clean, *zone.zone, none));
  CHECK(none.empty());
}
