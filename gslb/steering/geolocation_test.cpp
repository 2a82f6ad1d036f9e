// geolocation: most specific location wins (subdivision > country >
// continent > default), with the client's database record.
#include <doctest/doctest.h>

#include <set>

#include "gslb/steering/test_policy.hpp"

namespace gslb::policy {
namespace {

TEST_CASE("geolocation: most specific match wins") {
  Policy p = testing::world_policy();
  Record r = testing::record("geo", "web", {Steering::geolocation}, 1);
  r.geolocation.by_location = {{"EU", {"eu-west", "eu-north"}},
                               {"NO", {"eu-north"}},
                               {"US-CA", {"us-west"}},
                               {"US", {"us-east", "us-west"}},
                               {"NA", {"us-east"}}};
  r.geolocation.fallback = {"ap-north"};
  p.records["geo"] = r;
  const CompiledPolicy cp = compile(p);
  testing::Runner run{cp};
  struct Row {
    const char* client;
    const char* expected;
    int scope;
  };
  const std::vector<Row> rows = {
      {"192.0.2.1", "10.0.0.1", 24},     // NO beats EU
      {"100.66.0.1", "10.0.0.3", 16},    // DE: continent EU
      {"198.18.8.1", "10.0.0.4", 21},    // US-CA beats US
      {"100.69.0.1", "10.0.0.5", 16},    // US-NY: country US
      {"198.18.7.1", "10.0.0.5", 24},    // CA-BC: continent NA
      {"198.51.100.1", "10.0.0.7", 24},  // AU: default
      {"100.72.0.1", "10.0.0.3", 16},    // continent-only record: EU
      {"100.67.0.1", "10.0.0.3", 16},    // IS: continent EU
  };
  for (const Row& row : rows) {
    CAPTURE(row.client);
    const auto client = testing::source_client(row.client);
    const auto result = run.run("geo", &client);
    CHECK(testing::addresses(result.answer, base::IpFamily::v4) == std::vector<std::string>{row.expected});
    CHECK(int(result.answer.scope_prefix) == row.scope);
  }
}

TEST_CASE("geolocation: listed regions down spill to the next listed, then unlisted") {
  Policy p = testing::world_policy();
  Record r = testing::record("geo", "web", {Steering::geolocation}, 1);
  r.geolocation.by_location = {{"NO", {"eu-north", "eu-west"}}};
  p.records["geo"] = r;
  const CompiledPolicy cp = compile(p);
  testing::Runner run{cp};
  const auto tromso = testing::source_client("192.0.2.1");
  run.set_down("web/10.0.0.1");
  CHECK(testing::addresses(run.run("geo", &tromso).answer, base::IpFamily::v4) == std::vector<std::string>{"10.0.0.3"});
  run.set_down("web/10.0.0.3");
  // Neither listed region is up: any unlisted member, spread over all of them.
  std::set<std::string> seen;
  for (int i = 0; i < 200; ++i)
    seen.insert(testing::addresses(run.run("geo", &tromso).answer, base::IpFamily::v4).at(0));
  CHECK(seen == std::set<std::string>{"10.0.0.2", "10.0.0.4", "10.0.0.5", "10.0.0.6", "10.0.0.7", "10.0.0.8"});
}

TEST_CASE("geolocation: bad keys and unknown regions are refused at compile") {
  Policy p = testing::world_policy();
  Record r = testing::record("geo", "web", {Steering::geolocation}, 1);
  r.geolocation.by_location = {{"NO", {"nowhere"}}};
  p.records["geo"] = r;
  CHECK_THROWS_AS(compile(p), std::invalid_argument);
}

}  // namespace
}  // namespace gslb::policy
