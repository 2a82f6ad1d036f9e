#include "regional-lb/admin_api.hpp"

#include <doctest/doctest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>

#include "regional-lb/balancer.hpp"

using namespace gslb::lb;

namespace {

Region make_region(const std::string& pool_extra = "") {
  auto load = parse_region_config(R"(listeners: [ { address: 127.0.0.1:1 } ]
pools:
  web:
    backends: [ { address: 10.0.0.1:80, weight: 3 }, { address: "10.0.0.2:80" } ]
)" + pool_extra,
                                  "r.yaml");
  REQUIRE(load.config);
  return Region(std::move(*load.config), gslb::base::SipKey{1, 2});
}

http::response<http::string_body> call(const Region& region, http::verb verb, const std::string& target,
                                       OperatorState* operators = nullptr) {
  OperatorState scratch(nullptr);
  http::request<http::string_body> req{verb, target, 11};
  return handle_admin_request(region, req, ProcessStats{7, {0, 12, 3, 4, 5}},
                              AdminActions{operators ? operators : &scratch, {}});
}

struct TempDir {
  std::filesystem::path path;
  TempDir() {
    char pattern[] = "/tmp/gslb-lb-admin-XXXXXX";
    path = ::mkdtemp(pattern);
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path, ignored);
  }
};

}  // namespace

TEST_CASE("/health is 200 while every pool can serve, 503 when one cannot") {
  Region region = make_region();
  auto res = call(region, http::verb::get, "/health");
  CHECK(res.result() == http::status::ok);
  CHECK(res.body() ==
        "{\"status\":\"up\",\"pools\":{\"web\":{\"status\":\"up\",\"available\":2,\"total\":2,\"min_healthy\":1,"
        "\"available_weight\":4,\"capacity\":1.000,\"in_flight\":0}}}\n");
  region.pools[0]->set_checked_up(0, false);
  CHECK(call(region, http::verb::get, "/health").body().find("\"available\":1,\"total\":2") != std::string::npos);
  region.pools[0]->set_checked_up(1, false);
  res = call(region, http::verb::get, "/health");
  CHECK(res.result() == http::status::service_unavailable);
  CHECK(res.body().starts_with("{\"status\":\"down\""));
}

TEST_CASE("/health with min_healthy: 503 as soon as fewer backends are available") {
  Region region = make_region("    min_healthy: 2\n");
  CHECK(call(region, http::verb::get, "/health").result() == http::status::ok);
  region.pools[0]->set_checked_up(0, false);  // the weight-3 backend
  const auto res = call(region, http::verb::get, "/health");
  CHECK(res.result() == http::status::service_unavailable);
  CHECK(res.body().find("\"available\":1,\"total\":2,\"min_healthy\":2") != std::string::npos);
  CHECK(res.body().find("\"capacity\":0.250") != std::string::npos);

  // More than the pool has is refused at load: the region could never be up.
  auto load = parse_region_config(R"(listeners: [ { address: 127.0.0.1:1 } ]
pools:
  web:
    backends: [ { address: 10.0.0.1:80 } ]
    min_healthy: 2
)",
                                  "r.yaml");
  CHECK_FALSE(load.config);
  REQUIRE_FALSE(load.diagnostics.empty());
  CHECK(load.diagnostics.items().front().format().find("r.yaml:5:18: error: pools.web.min_healthy: 2 is more than") ==
        0);
}

TEST_CASE("drain and undrain by pool and address; unknown ones are 404") {
  Region region = make_region();
  auto res = call(region, http::verb::post, "/pools/web/backends/10.0.0.1:80/drain");
  CHECK(res.result() == http::status::ok);
  CHECK(region.pools[0]->view()->members()[0].state == MemberState::draining);
  CHECK(call(region, http::verb::get, "/status").body().find("\"address\":\"10.0.0.1:80\",\"state\":\"draining\"") !=
        std::string::npos);
  CHECK(call(region, http::verb::post, "/pools/web/backends/10.0.0.1:80/undrain").result() == http::status::ok);
  CHECK(region.pools[0]->view()->members()[0].state == MemberState::up);
  CHECK(call(region, http::verb::post, "/pools/web/backends/10.9.9.9:80/drain").result() == http::status::not_found);
  CHECK(call(region, http::verb::post, "/pools/nope/backends/10.0.0.1:80/drain").result() == http::status::not_found);
  CHECK(call(region, http::verb::get, "/pools/web/backends/10.0.0.1:80/drain").result() ==
        http::status::method_not_allowed);
  CHECK(call(region, http::verb::get, "/elsewhere").result() == http::status::not_found);
}

TEST_CASE("/metrics speaks the Prometheus text format") {
  Region region = make_region();
  region.pools[0]->set_draining(1, true);
  const auto res = call(region, http::verb::get, "/metrics");
  CHECK(res.result() == http::status::ok);
  CHECK(res[http::field::content_type] == "text/plain; version=0.0.4");
  const std::string& body = res.body();
  CHECK(body.find("gslb_lb_client_connections 7\n") != std::string::npos);
  CHECK(body.find("# TYPE gslb_lb_responses_total counter\n") != std::string::npos);
  CHECK(body.find("gslb_lb_responses_total{class=\"2xx\"} 12\n") != std::string::npos);
  CHECK(body.find("gslb_lb_responses_total{class=\"5xx\"} 5\n") != std::string::npos);
  CHECK(body.find("# TYPE gslb_lb_backend_up gauge\n") != std::string::npos);
  CHECK(body.find("gslb_lb_backend_up{pool=\"web\",backend=\"10.0.0.1:80\"} 1\n") != std::string::npos);
  CHECK(body.find("gslb_lb_backend_up{pool=\"web\",backend=\"10.0.0.2:80\"} 0\n") != std::string::npos);
  CHECK(body.find("gslb_lb_backend_draining{pool=\"web\",backend=\"10.0.0.2:80\"} 1\n") != std::string::npos);
  CHECK(body.find("# TYPE gslb_lb_backend_failures_total counter\n") != std::string::npos);
}

TEST_CASE("/metrics: response-time histogram, retries and ejections per backend") {
  Region region = make_region();
  const auto view = region.pools[0]->view();
  Balancer::on_request_end(*view, 0, std::chrono::microseconds(800));     // ≤ 1 ms
  Balancer::on_request_end(*view, 0, std::chrono::microseconds(30'000));  // ≤ 50 ms
  Balancer::on_request_end(*view, 0, std::chrono::seconds(20));           // above every bound
  view->members()[0].load->retries.store(2);
  view->members()[1].load->ejections.store(1);
  const std::string body = call(region, http::verb::get, "/metrics").body();
  const std::string a = "{pool=\"web\",backend=\"10.0.0.1:80\"";
  CHECK(body.find("# TYPE gslb_lb_backend_response_seconds histogram\n") != std::string::npos);
  CHECK(body.find("gslb_lb_backend_response_seconds_bucket" + a + ",le=\"0.001\"} 1\n") != std::string::npos);
  CHECK(body.find("gslb_lb_backend_response_seconds_bucket" + a + ",le=\"0.025\"} 1\n") != std::string::npos);
  CHECK(body.find("gslb_lb_backend_response_seconds_bucket" + a + ",le=\"0.05\"} 2\n") != std::string::npos);
  CHECK(body.find("gslb_lb_backend_response_seconds_bucket" + a + ",le=\"10\"} 2\n") != std::string::npos);
  CHECK(body.find("gslb_lb_backend_response_seconds_bucket" + a + ",le=\"+Inf\"} 3\n") != std::string::npos);
  CHECK(body.find("gslb_lb_backend_response_seconds_count" + a + "} 3\n") != std::string::npos);
  CHECK(body.find("gslb_lb_backend_response_seconds_sum" + a + "} 20.0308\n") != std::string::npos);
  CHECK(body.find("gslb_lb_backend_retries_total" + a + "} 2\n") != std::string::npos);
  CHECK(body.find("gslb_lb_backend_ejections_total{pool=\"web\",backend=\"10.0.0.2:80\"} 1\n") != std::string::npos);
}

TEST_CASE("weight is set, refused out of range, and reset to the configured one") {
  Region region = make_region();
  OperatorState operators(nullptr);
  CHECK(call(region, http::verb::post, "/pools/web/backends/10.0.0.2:80/weight?value=9", &operators).result() ==
        http::status::ok);
  CHECK(region.pools[0]->view()->members()[1].effective_weight == 9);
  CHECK(region.pools[0]->view()->total_weight() == 12);
  for (const char* bad : {"0", "257", "x", "", "-1"}) {
    CAPTURE(bad);
    CHECK(call(region, http::verb::post, std::string("/pools/web/backends/10.0.0.2:80/weight?value=") + bad, &operators)
              .result() == http::status::bad_request);
  }
  CHECK(region.pools[0]->view()->members()[1].effective_weight == 9);
  CHECK(call(region, http::verb::post, "/pools/web/backends/10.0.0.2:80/weight?value=config", &operators).result() ==
        http::status::ok);
  CHECK(region.pools[0]->view()->members()[1].effective_weight == 1);
  CHECK(call(region, http::verb::post, "/pools/web/backends/10.0.0.2:80/enable", &operators).result() ==
        http::status::ok);
}

TEST_CASE("operator settings survive a reload (new Region) and a restart (state file)") {
  TempDir dir;
  const auto path = dir.path / "lb.db";
  {
    std::string error;
    auto store = gslb::health::StateStore::open(path, error);
    REQUIRE(store);
    OperatorState operators(store.get());
    Region region = make_region();
    CHECK(call(region, http::verb::post, "/pools/web/backends/10.0.0.1:80/drain", &operators).result() ==
          http::status::ok);
    CHECK(call(region, http::verb::post, "/pools/web/backends/10.0.0.2:80/weight?value=5", &operators).result() ==
          http::status::ok);
    // A reload builds a new Region from region.yaml; the settings are applied to it.
    Region reloaded = make_region();
    operators.apply(reloaded);
    CHECK(reloaded.pools[0]->view()->members()[0].state == MemberState::draining);
    CHECK(reloaded.pools[0]->view()->members()[1].effective_weight == 5);
  }
  std::string error;
  auto store = gslb::health::StateStore::open(path, error);
  REQUIRE(store);
  OperatorState operators(store.get());
  operators.load();
  Region region = make_region();
  operators.apply(region);
  CHECK(region.pools[0]->view()->members()[0].state == MemberState::draining);
  CHECK(region.pools[0]->view()->members()[0].effective_weight == 3);
  CHECK(region.pools[0]->view()->members()[1].state == MemberState::up);
  CHECK(region.pools[0]->view()->members()[1].effective_weight == 5);
  // Lifting both writes deletions: a later start sees the configuration again.
  CHECK(call(region, http::verb::post, "/pools/web/backends/10.0.0.1:80/undrain", &operators).result() ==
        http::status::ok);
  CHECK(call(region, http::verb::post, "/pools/web/backends/10.0.0.2:80/weight?value=config", &operators).result() ==
        http::status::ok);
  CHECK(store->load_overrides().empty());
  CHECK(store->load_weights().empty());
}

TEST_CASE("admin token: 401 without the bearer token except GET /health; off loopback it is required") {
  auto load = parse_region_config(R"(listeners: [ { address: 127.0.0.1:1 } ]
admin: { address: "127.0.0.1:9100", token: "0123456789abcdef-secret" }
pools:
  web:
    backends: [ { address: 10.0.0.1:80 } ]
)",
                                  "r.yaml");
  REQUIRE(load.config);
  Region region(std::move(*load.config), gslb::base::SipKey{1, 2});
  auto ask = [&](http::verb verb, const std::string& target, const std::string& authorization) {
    http::request<http::string_body> req{verb, target, 11};
    if (!authorization.empty()) req.set(http::field::authorization, authorization);
    return handle_admin_request(region, req, ProcessStats{}, AdminActions{});
  };
  CHECK(ask(http::verb::get, "/health", "").result() == http::status::ok);
  const auto refused = ask(http::verb::get, "/status", "");
  CHECK(refused.result() == http::status::unauthorized);
  CHECK(refused[http::field::www_authenticate] == "Bearer");
  CHECK(ask(http::verb::get, "/metrics", "Bearer 0123456789abcdef-secreT").result() == http::status::unauthorized);
  CHECK(ask(http::verb::post, "/pools/web/backends/10.0.0.1:80/drain", "Bearer nope").result() ==
        http::status::unauthorized);
  CHECK(ask(http::verb::get, "/status", "Bearer 0123456789abcdef-secret").result() == http::status::ok);

  auto exposed = parse_region_config(R"(listeners: [ { address: 127.0.0.1:1 } ]
admin: { address: "0.0.0.0:9100" }
pools:
  web:
    backends: [ { address: 10.0.0.1:80 } ]
)",
                                     "r.yaml");
  CHECK_FALSE(exposed.config);
  REQUIRE_FALSE(exposed.diagnostics.empty());
  CHECK(exposed.diagnostics.items().front().format() ==
        "r.yaml:2:19: error: admin.address: 0.0.0.0:9100 is not a loopback address; set admin.token to expose the "
        "admin API");
  auto short_token = parse_region_config(R"(listeners: [ { address: 127.0.0.1:1 } ]
admin: { address: "127.0.0.1:9100", token: short }
pools:
  web:
    backends: [ { address: 10.0.0.1:80 } ]
)",
                                         "r.yaml");
  CHECK_FALSE(short_token.config);
}
