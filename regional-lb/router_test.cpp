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

TEST_CASE("scheme match and redirects built from the request") {
  const auto load = parse_region_config(R"(listeners: [ { address: 127.0.0.1:1 } ]
pools:
  web: { backends: [ { address: 127.0.0.1:3 } ] }
routes:
  - { scheme: http, path_prefix: /a/, redirect: { scheme: https, status: 301 } }
  - { scheme: http, path_prefix: /b/, redirect: { scheme: https, port: 8443, status: 308 } }
  - { path_prefix: /c/, redirect: { host: new.example, port: 80 } }
  - { pool: web }
)",
                                        "r.yaml");
  REQUIRE(load.config);
  const Router router(*load.config);
  const auto a = request(http::verb::get, "/a/x?q=1&r=%20", "www.example.com:8080");
  REQUIRE(router.match(a, false));
  CHECK(router.match(a, false)->name == "routes[0]");
  CHECK(router.match(a, true)->name == "routes[3]");  // over TLS the http-only rule does not apply
  CHECK(redirect_location(*router.match(a, false), a, false) == "https://www.example.com/a/x?q=1&r=%20");
  const auto b = request(http::verb::get, "/b/", "[2001:db8::1]:80");
  CHECK(redirect_location(*router.match(b, false), b, false) == "https://[2001:db8::1]:8443/b/");
  const auto c = request(http::verb::get, "/c/d?e", "old.example");
  CHECK(redirect_location(*router.match(c, true), c, true) == "https://new.example:80/c/d?e");
  CHECK(redirect_location(*router.match(c, false), c, false) == "http://new.example/c/d?e");
  // An absolute-form target (RFC 9112 §3.2.2) keeps only its path and query.
  const auto absolute = request(http::verb::get, "http://old.example/c/d?e", "old.example");
  CHECK(redirect_location(router.routes()[2], absolute, false) == "http://new.example/c/d?e");
}

TEST_CASE("redirect and scheme mistakes are reported") {
  auto errors = [](const std::string& route) {
    const auto load = parse_region_config(
        "listeners: [ { address: 127.0.0.1:1 } ]\npools:\n  web: { backends: [ { address: 127.0.0.1:3 } ] }\nroutes:\n"
        "  - " +
            route + "\n",
        "r.yaml");
    std::string out;
    for (const auto& d : load.diagnostics.items()) out += d.format() + "\n";
    return out;
  };
  CHECK(errors("{ redirect: { status: 301 } }").find("give either location or scheme/host/port") != std::string::npos);
  CHECK(errors("{ redirect: { location: /x, scheme: https } }").find("not both") != std::string::npos);
  CHECK(errors("{ redirect: { scheme: ftp } }")
            .find("r.yaml:5:27: error: routes[0].redirect.scheme: expected http or https") != std::string::npos);
  CHECK(errors("{ scheme: wss, pool: web }").find("routes[0].scheme: expected http or https") != std::string::npos);
}
