#include "health/check_spec.hpp"

#include <doctest/doctest.h>

#include <unordered_set>

using namespace gslb::health;

TEST_CASE("check spec: status expectation forms") {
  CHECK(StatusExpectation::parse("200") == StatusExpectation{200, 200});
  CHECK(StatusExpectation::parse("2xx") == StatusExpectation{200, 299});
  CHECK(StatusExpectation::parse("3XX") == StatusExpectation{300, 399});
  CHECK(StatusExpectation::parse("200-399") == StatusExpectation{200, 399});
  CHECK_FALSE(StatusExpectation::parse("").has_value());
  CHECK_FALSE(StatusExpectation::parse("20").has_value());
  CHECK_FALSE(StatusExpectation::parse("600").has_value());
  CHECK_FALSE(StatusExpectation::parse("6xx").has_value());
  CHECK_FALSE(StatusExpectation::parse("399-200").has_value());
  CHECK_FALSE(StatusExpectation::parse("200-").has_value());
  CHECK_FALSE(StatusExpectation::parse("abc").has_value());
  CHECK(StatusExpectation{200, 299}.to_string() == "2xx");
  CHECK(StatusExpectation{204, 204}.to_string() == "204");
  CHECK(StatusExpectation{200, 399}.to_string() == "200-399");
  CHECK(StatusExpectation{200, 299}.matches(204));
  CHECK_FALSE(StatusExpectation{200, 299}.matches(503));
}

TEST_CASE("check spec: equality and hash dedupe identical checks") {
  CheckSpec a;
  CheckSpec b;
  CHECK(a == b);
  CHECK(CheckSpecHash{}(a) == CheckSpecHash{}(b));
  b.path = "/healthz";
  CHECK_FALSE(a == b);
  CHECK(a.canonical() != b.canonical());

  std::unordered_set<CheckSpec, CheckSpecHash> set{a, a, b};
  CHECK(set.size() == 2);
}

TEST_CASE("check spec: canonical text cannot be forged by field contents") {
  CheckSpec a;
  a.path = "/x host=1:y";
  CheckSpec b;
  b.path = "/x";
  b.host_header = "y";
  CHECK(a.canonical() != b.canonical());
}

TEST_CASE("check spec: validate") {
  CheckSpec spec;
  CHECK(validate(spec).empty());
  spec.fall = 0;
  CHECK(validate(spec) == "fall must be between 1 and 100");
  spec = {};
  spec.timeout = std::chrono::seconds(20);
  CHECK(validate(spec) == "timeout must not exceed interval");
  spec = {};
  spec.path = "health";
  CHECK(validate(spec) == "path must start with '/'");
  spec.type = CheckType::tcp;  // path does not matter for tcp
  CHECK(validate(spec).empty());
  spec = {};
  spec.host_header = "a b";
  CHECK_FALSE(validate(spec).empty());
  spec = {};
  spec.jitter = 0.9;
  CHECK_FALSE(validate(spec).empty());
  CHECK(parse_check_type("https") == CheckType::https);
  CHECK_FALSE(parse_check_type("icmp").has_value());
}

TEST_CASE("check spec: normalized drops fields the type ignores") {
  CheckSpec a;
  a.type = CheckType::tcp;
  a.path = "/one";
  a.body_contains = "x";
  CheckSpec b = a;
  b.path = "/two";
  b.sni = "example.com";
  CHECK_FALSE(a == b);
  CHECK(a.normalized() == b.normalized());
  CHECK(a.normalized().path == "/health");

  CheckSpec http;
  http.sni = "example.com";
  http.tls_verify = true;
  CHECK(http.normalized().sni.empty());
  CHECK_FALSE(http.normalized().tls_verify);
  CHECK(http.normalized().path == http.path);
  CheckSpec https = http;
  https.type = CheckType::https;
  CHECK(https.normalized() == https);
}
