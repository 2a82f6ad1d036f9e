#include "regional-lb/router.hpp"

#include <doctest/doctest.h>

using namespace gslb::lb;
namespace http = boost::beast::http;

namespace {

http::request_header<> request(http::verb verb, std::string target, std::string host) {
  http::request_header<> h;
  h.method(verb);
  h.target(target);
  h.set(http::field::host, host);
  return h;
}

}  // namespace

TEST_CASE("rules match top to bottom on host, path, method and header") {
  const auto load = parse_region_config(R"(listeners: [ { address: 127.0.0.1:1 } ]
pools:
  api: { backends: [ { address: 127.0.0.1:2 } ] }
  web: { backends: [ { address: 127.0.0.1:3 } ] }
routes:
  - { host: API.example.com, path_prefix: /v1/, method: GET, pool: api }
  - { path: /ping, respond: { status: 200, body: pong } }
  - { header: { name: X-Canary }, pool: api }
  - { header: { name: X-Env, value: blue }, redirect: { location: "https://blue.example/" } }
  - { pool: web }
)",
                                        "r.yaml");
  REQUIRE(load.config);
  const Router router(*load.config);
  auto name_of = [&](const http::request_header<>& h) {
    const Route* r = router.match(h);
    return r ? r->name : std::string("none");
  };
  CHECK(name_of(request(http::verb::get, "/v1/users?x=1", "api.EXAMPLE.com:8080")) == "routes[0]");
  CHECK(name_of(request(http::verb::post, "/v1/users", "api.example.com")) == "routes[4]");
  CHECK(name_of(request(http::verb::get, "/v2/users", "api.example.com")) == "routes[4]");
  CHECK(name_of(request(http::verb::get, "/ping?probe", "x")) == "routes[1]");
  CHECK(name_of(request(http::verb::get, "/ping/more", "x")) == "routes[4]");
  auto canary = request(http::verb::get, "/", "x");
  canary.set("X-Canary", "");
  CHECK(name_of(canary) == "routes[2]");
  auto env = request(http::verb::get, "/", "x");
  env.set("X-Env", "green");
  CHECK(name_of(env) == "routes[4]");
  env.set("X-Env", "blue");
  const Route* r = router.match(env);
  REQUIRE(r);
  CHECK(r->action == RouteConfig::Action::redirect);
  CHECK(r->status == 302);
  CHECK(r->location == "https://blue.example/");
  CHECK(router.match(request(http::verb::get, "/v1/", "api.example.com"))->pool == 0);
  CHECK(router.match(request(http::verb::get, "/", "x"))->pool == 1);
}

TEST_CASE("one pool and no routes: everything goes to it; otherwise no match is possible") {
  const auto one = parse_region_config(
      "listeners: [ { address: 127.0.0.1:1 } ]\npools: { a: { backends: [ { address: "
      "127.0.0.1:2 } ] } }\n",
      "r.yaml");
  REQUIRE(one.config);
  CHECK(Router(*one.config).match(request(http::verb::delete_, "/anything", "h"))->name == "default");
  const auto narrow = parse_region_config(
      "listeners: [ { address: 127.0.0.1:1 } ]\npools: { a: { backends: [ { address: 127.0.0.1:2 } ] } }\nroutes: [ { "
      "path: /only, pool: a } ]\n",
      "r.yaml");
  REQUIRE(narrow.config);
  CHECK(Router(*narrow.config).match(request(http::verb::get, "/other", "h")) == nullptr);
}
