// Admin API requests against a real GslbService (zones and a policy loaded
// from a temporary directory, health enabled in memory, no probing): status,
// overrides changing the engine's answers, metrics, the bearer token.
#include "gslb/admin_api.hpp"

#include <doctest/doctest.h>
#include <unistd.h>

#include <fstream>

#include "dns/zone_set.hpp"

namespace gslb::policy {
namespace {

namespace fs = std::filesystem;

struct Fixture {
  fs::path dir = fs::temp_directory_path() / ("gslb-admin-" + std::to_string(::getpid()));
  std::unique_ptr<GslbService> service;
  dns::ZoneSet::ConstPtr zones;

  Fixture() {
    fs::remove_all(dir);
    fs::create_directories(dir);
    std::ofstream(dir / "t.test.zone") << "$ORIGIN t.test.\n$TTL 300\n@ IN SOA ns1 h 1 7200 3600 1209600 300\n"
                                          "@ IN NS ns1\nns1 IN A 127.0.0.1\n";
    std::ofstream(dir / "t.test.gslb.yaml") << "regions:\n  eu: { lat: 50, lon: 8 }\npools:\n  web:\n"
                                               "    check: { type: tcp, port: 9, interval: 10s, timeout: 1s }\n"
                                               "    members:\n      - { region: eu, address: 10.0.1.1 }\n"
                                               "      - { region: eu, address: 10.0.1.2 }\n"
                                               "records:\n  www: { pool: web, answers: 2 }\n";
    service = std::make_unique<GslbService>(dir);
    REQUIRE(service->enable_health({}) == "");
    base::DiagnosticList diags;
    zones = dns::load_zone_directory({dir, false}, diags);
    REQUIRE(service->load_policies(*zones, diags));
  }
  ~Fixture() {
    service.reset();
    fs::remove_all(dir);
  }

  http::response<http::string_body> request(http::verb verb, const std::string& target, std::string body = "",
                                            const std::string& token = "", const std::string& auth = "") {
    http::request<http::string_body> req{verb, target, 11};
    if (!auth.empty()) req.set(http::field::authorization, auth);
    req.body() = std::move(body);
    req.prepare_payload();
    return handle_admin_request(*service, req, token);
  }

  std::vector<std::string> answer() {
    dns::ClientInfo info;
    base::IpAddress::parse("192.0.2.1")->to_sockaddr(info.source, 53);
    auto a = service->engine().answer(dns::Name::parse("www.t.test.")->canonical_key(), 1, info);
    std::vector<std::string> out;
    for (const auto& rdata : a->addresses)
      out.push_back(base::IpAddress::from_bytes(std::span(rdata.data(), 4))->to_string());
    std::sort(out.begin(), out.end());
    return out;
  }
};

TEST_CASE("admin API: status lists every member; an override changes answers, status and metrics") {
  Fixture f;
  auto status = f.request(http::verb::get, "/status");
  CHECK(status.result() == http::status::ok);
  CHECK(status.body().find(R"("id":"web/10.0.1.1")") != std::string::npos);
  CHECK(status.body().find(R"("state":"up")") != std::string::npos);
  CHECK(f.answer() == std::vector<std::string>{"10.0.1.1", "10.0.1.2"});

  auto forced = f.request(http::verb::post, "/members/web/10.0.1.2/down", "maintenance\n");
  CHECK(forced.result() == http::status::ok);
  CHECK(f.answer() == std::vector<std::string>{"10.0.1.1"});
  auto table = f.request(http::verb::get, "/status?format=text");
  CHECK(table.body().find("web/10.0.1.2  down   unknown  down") != std::string::npos);
  CHECK(table.body().find("override: maintenance") != std::string::npos);
  auto metrics = f.request(http::verb::get, "/metrics");
  CHECK(metrics.body().find("gslb_members{state=\"down\"} 1\n") != std::string::npos);
  CHECK(metrics.body().find("gslb_answers_total{record=\"www.t.test.\"} 2\n") != std::string::npos);
  CHECK(metrics.body().find("gslb_member_up{member=\"web/10.0.1.2\",pool=\"web\",zone=\"t.test.\"} 0\n") !=
        std::string::npos);

  CHECK(f.request(http::verb::post, "/members/web/10.0.1.2/clear").result() == http::status::ok);
  CHECK(f.answer() == std::vector<std::string>{"10.0.1.1", "10.0.1.2"});
}

TEST_CASE("admin API: unknown members, actions, paths and methods are refused") {
  Fixture f;
  CHECK(f.request(http::verb::post, "/members/web/10.9.9.9/down").result() == http::status::not_found);
  CHECK(f.request(http::verb::post, "/members/web/10.0.1.1/sideways").result() == http::status::not_found);
  CHECK(f.request(http::verb::post, "/members/web/10.0.1.1/none").result() == http::status::not_found);
  CHECK(f.request(http::verb::post, "/members/").result() == http::status::not_found);
  CHECK(f.request(http::verb::get, "/members/web/10.0.1.1/down").result() == http::status::method_not_allowed);
  CHECK(f.request(http::verb::post, "/status").result() == http::status::method_not_allowed);
  CHECK(f.request(http::verb::get, "/nope").result() == http::status::not_found);
}

TEST_CASE("admin API: with a token, requests need the bearer header") {
  Fixture f;
  const std::string token = "0123456789abcdef-token";
  CHECK(f.request(http::verb::get, "/status", "", token).result() == http::status::unauthorized);
  CHECK(f.request(http::verb::get, "/status", "", token, "Bearer wrong").result() == http::status::unauthorized);
  CHECK(f.request(http::verb::get, "/status", "", token, "Bearer " + token).result() == http::status::ok);
}

TEST_CASE("admin server: refuses a non-loopback address without a token") {
  Fixture f;
  AdminServer server(*f.service, "");
  const auto error = server.start(*base::SocketAddress::parse("0.0.0.0:0"));
  CHECK(error.find("not a loopback address") != std::string::npos);
}

}  // namespace
}  // namespace gslb::policy
