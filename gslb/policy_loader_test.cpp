#include "gslb/policy_loader.hpp"

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "dns/zone_loader.hpp"
#include "gslb/policy_validate.hpp"

using namespace gslb;

namespace {

const std::filesystem::path kData = std::filesystem::path(GSLB_SOURCE_DIR) / "tests/data/policies";

dns::Name zone_name(const char* text) {
  return *dns::Name::parse(text);
}

// Parses `text` as "p.gslb.yaml" of example.test.; returns the diagnostics, one per line.
std::string errors_of(std::string_view text) {
  base::DiagnosticList diags;
  const auto policy = policy::parse_policy(text, "p.gslb.yaml", zone_name("example.test."), diags);
  CHECK(policy == nullptr);
  std::string out;
  for (const auto& d : diags.items()) out += d.format() + "\n";
  return out;
}

constexpr const char* kMinimal =
    "regions: { r1: { lat: 1, lon: 2 } }\n"
    "pools: { p: { members: [ { region: r1, address: 192.0.2.1 } ] } }\n";

}  // namespace

TEST_CASE("the good test policy loads with every field as written") {
  base::DiagnosticList diags;
  const auto p = policy::load_policy(kData / "good/example.test.gslb.yaml", zone_name("example.test."), diags);
  for (const auto& d : diags.items()) INFO(d.format());
  REQUIRE(p != nullptr);
  CHECK(diags.empty());
  CHECK(p->zone == zone_name("example.test."));
  REQUIRE(p->regions.size() == 2);
  const auto& eu = p->regions.at("eu-west");
  CHECK(eu.latitude == doctest::Approx(53.3));
  CHECK(eu.longitude == doctest::Approx(-6.3));
  CHECK(eu.country == "IE");
  CHECK(eu.continent == "EU");
  CHECK(eu.bias == 10);
  CHECK(eu.where.line == 3);
  CHECK(eu.where.column == 3);
  CHECK(p->regions.at("us-east").bias == 0);

  const auto& web = p->pools.at("web");
  REQUIRE(web.check.has_value());
  CHECK(web.check->type == health::CheckType::http);
  CHECK(web.check->port == 8080);
  CHECK(web.check->expect.low == 200);
  CHECK(web.check->expect.high == 299);
  CHECK(web.check->timeout == std::chrono::seconds(2));
  CHECK(web.check->interval == std::chrono::seconds(10));
  CHECK(web.check->fall == 3);
  REQUIRE(web.members.size() == 2);
  CHECK(web.members[0].id == "web/192.0.2.10");
  CHECK(web.members[0].weight == 200);
  CHECK_FALSE(web.members[0].check_address.has_value());
  CHECK(web.members[1].address.is_v6());
  CHECK(web.members[1].weight == 0);
  REQUIRE(web.members[1].check_address.has_value());
  CHECK(web.members[1].check_address->to_string() == "198.51.100.11");
  CHECK(web.members[1].where.line == 9);

  const auto& www = p->records.at("www");
  CHECK(www.owner == zone_name("www.example.test."));
  CHECK(www.ttl == 60);
  CHECK(www.answers == 2);
  CHECK(www.steering == std::vector{policy::Steering::failover, policy::Steering::geo});
  CHECK(www.failover == std::vector<std::string>{"eu-west", "us-east"});
  CHECK(www.when_all_down == policy::WhenAllDown::answer_all);

  const auto& apex = p->records.at("@");
  CHECK(apex.owner == zone_name("example.test."));
  CHECK(apex.ttl == 30);
  CHECK(apex.answers == 1);
  CHECK(apex.steering.empty());
  CHECK(apex.when_all_down == policy::WhenAllDown::nodata);

  const auto& geo = p->records.at("geo.example.test.");
  CHECK(geo.owner == zone_name("geo.example.test."));
  CHECK(geo.geolocation.by_location.at("EU") == std::vector<std::string>{"eu-west"});
  CHECK(geo.geolocation.by_location.at("US-CA") == std::vector<std::string>{"us-east"});
  CHECK(geo.geolocation.fallback == std::vector<std::string>{"us-east"});

  REQUIRE(p->nets.size() == 2);
  CHECK(p->nets[0].prefix.to_string() == "10.0.0.0/8");
  CHECK(p->nets[0].region == "eu-west");
  CHECK(p->nets[1].prefix.to_string() == "2001:db8:1::/48");
  CHECK(p->panic_threshold_percent == 50);
}

TEST_CASE("the demo policy loads against the demo zone") {
  const std::filesystem::path zones = std::filesystem::path(GSLB_SOURCE_DIR) / "zones";
  base::DiagnosticList diags;
  auto zone = dns::load_zone_file({zones / "example.com.zone", zones}, diags);
  REQUIRE(zone.zone != nullptr);
  const auto p = policy::load_policy(zones / "example.com.gslb.yaml", zone.zone->origin(), diags);
  for (const auto& d : diags.items()) INFO(d.format());
  REQUIRE(p != nullptr);
  CHECK(policy::validate_against_zone(*p, *zone.zone, diags));
  CHECK(p->regions.size() == 4);
  CHECK(p->records.size() == 3);
}

TEST_CASE("errors carry file:line:col and name the path") {
  CHECK(errors_of(std::string(kMinimal) + "records: { www: { pool: nope } }\n") ==
        "p.gslb.yaml:3:25: error: records.www.pool: unknown pool 'nope'\n");
  CHECK(errors_of(std::string(kMinimal) + "records: { www: { pool: p, answers: 9 } }\n") ==
        "p.gslb.yaml:3:37: error: records.www.answers: 9 is out of range 1..8\n");
  CHECK(errors_of(std::string(kMinimal) + "records: { www: { pool: p } }\nextra: 1\n") ==
        "p.gslb.yaml:4:1: error: unknown key 'extra' in policy (known keys: regions, pools, records, nets, "
        "panic_threshold)\n");
  CHECK(errors_of("regions: [\n").find("p.gslb.yaml:2:1: error: YAML syntax: ") == 0);
  CHECK(errors_of("") == "p.gslb.yaml: error: the policy file is empty\n");
  CHECK(errors_of("regions: {}\npools: {}\n") == "p.gslb.yaml:1:1: error: policy: missing required key 'records'\n");
}

TEST_CASE("duplicate names are refused, not silently shadowed") {
  const auto out = errors_of(std::string(kMinimal) + "records:\n  www: { pool: p }\n  www: { pool: p }\n");
  CHECK(out == "p.gslb.yaml:5:3: error: records: duplicate name 'www'\n");
  const auto same_owner =
      errors_of(std::string(kMinimal) + "records:\n  www: { pool: p }\n  www.example.test.: { pool: p }\n");
  CHECK(same_owner.find("same owner as records.www") != std::string::npos);
}

TEST_CASE("policy_zone_name and list_policy_files") {
  CHECK(policy::policy_zone_name("zones/example.com.gslb.yaml") == "example.com");
  CHECK(policy::policy_zone_name("zones/example.com.zone").empty());
  CHECK(policy::policy_zone_name(".gslb.yaml").empty());
  base::DiagnosticList diags;
  const auto files = policy::list_policy_files(kData / "good", diags);
  REQUIRE(files.size() == 1);
  CHECK(files[0].filename() == "example.test.gslb.yaml");
}

TEST_CASE("load_policies: every policy of a directory against its loaded zone, all or nothing") {
  const auto dir = kData / "good";
  base::DiagnosticList diags;
  auto zone = dns::load_zone_file({dir / "example.test.zone", dir}, diags);
  REQUIRE(zone.zone != nullptr);
  dns::ZoneSet with_zone({zone.zone});
  const auto policies = policy::load_policies(dir, with_zone, diags);
  CHECK_FALSE(diags.has_errors());
  REQUIRE(policies.size() == 1);
  CHECK(policies[0]->zone == zone_name("example.test."));

  dns::ZoneSet empty({});
  base::DiagnosticList missing;
  CHECK(policy::load_policies(dir, empty, missing).empty());
  REQUIRE(missing.error_count() == 1);
  CHECK(missing.items()[0].message.find("no zone 'example.test' is loaded") == 0);
}

TEST_CASE("odd shapes are errors with a location, never exceptions") {
  const char* regions = "regions: { r1: { lat: 1, lon: 2 } }\n";
  const char* pools = "pools: { p: { members: [ { region: r1, address: 192.0.2.1 } ] } }\n";
  const std::string head = std::string(regions) + pools;
  for (const std::string& text : {
           std::string("- just\n- a list\n"),
           std::string("plain scalar\n"),
           head + "records: [www]\n",
           head + "records: { www: [pool, p] }\n",
           head + "records: { www: { pool: { name: p } } }\n",
           head + "records: { www: { pool: p, steering: [ { geo: 1 } ] } }\n",
           head + "records: { www: { pool: p, steering: geo } }\n",
           head + "records: { www: { pool: p, failover: [ [r1] ] } }\n",
           head + "records: { www: { pool: p, geolocation: { EU: { r: r1 } } } }\n",
           head + "records: { www: { pool: p, geolocation: [EU] } }\n",
           head + "records: { www: { pool: p, ttl: 99999999999999999999999 } }\n",
           head + "records: { www: { pool: p } }\nnets: { 10.0.0.0/8: [r1] }\n",
           head + "records: { www: { pool: p } }\nnets: [ 10.0.0.0/8 ]\n",
           head + "records: { ? [a, b] : { pool: p } }\n",
           head + "records: { \"bad..name\": { pool: p } }\n",
           std::string(regions) + "pools: { p: { members: [ 192.0.2.1 ] } }\nrecords: {}\n",
           std::string(regions) + "pools: { p: { members: { a: 1 } } }\nrecords: {}\n",
           std::string(regions) + "pools: { p: { check: [http], members: [ { region: r1, address: ::1 } ] } }\n"
                                  "records: {}\n",
           std::string("regions: { r1: { lat: 1, lon: 2, <<: { bias: 3 } } }\n") + pools + "records: {}\n",
           std::string("regions: &a { r1: { lat: 1, lon: 2 } }\nfoo: *a\n") + pools + "records: {}\n",
       }) {
    CAPTURE(text);
    std::string out;
    CHECK_NOTHROW(out = errors_of(text));
    CHECK(out.starts_with("p.gslb.yaml:"));
  }
}

TEST_CASE("load_policies: one member id in two zones must be probed the same way") {
  const auto dir = std::filesystem::temp_directory_path() / "gslb-policy-shared-member-test";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  auto write = [&](const std::string& zone, const std::string& check) {
    std::ofstream(dir / (zone + ".zone"))
        << "$ORIGIN " << zone << ".\n$TTL 300\n@ IN SOA ns1 h 1 7200 3600 1209600 300\n"
        << "@ IN NS ns1\nns1 IN A 127.0.0.1\n";
    std::ofstream(dir / (zone + ".gslb.yaml")) << "regions:\n  eu: { lat: 50, lon: 8 }\npools:\n  web:\n"
                                               << "    check: " << check << "\n"
                                               << "    members:\n      - { region: eu, address: 10.0.1.1 }\n"
                                               << "records:\n  www: { pool: web }\n";
  };
  auto load = [&](base::DiagnosticList& diags) {
    const auto zones = dns::load_zone_directory({dir, false}, diags);
    return policy::load_policies(dir, *zones, diags);
  };
  const std::string tcp = "{ type: tcp, port: 9, interval: 10s, timeout: 1s }";
  write("a.test", tcp);
  write("b.test", tcp);
  base::DiagnosticList same;
  CHECK(load(same).size() == 2);  // the same balancer, probed once: fine
  CHECK_FALSE(same.has_errors());

  write("b.test", "{ type: tcp, port: 10, interval: 10s, timeout: 1s }");
  base::DiagnosticList differ;
  CHECK(load(differ).empty());
  REQUIRE(differ.error_count() == 1);
  const std::string message = differ.items()[0].format();
  CAPTURE(message);
  CHECK(message.find("b.test.gslb.yaml:7:9: error: member web/10.0.1.1 is also in zone a.test. (") !=
        std::string::npos);
  CHECK(message.find("a.test.gslb.yaml:7)") != std::string::npos);
  std::filesystem::remove_all(dir);
}
