#include "regional-lb/access_log.hpp"

#include <doctest/doctest.h>

using namespace gslb::lb;

namespace {

RequestLine sample() {
  RequestLine req;
  req.time =
      std::chrono::system_clock::time_point(std::chrono::milliseconds(1'700'000'000'123));  // 2023-11-14T22:13:20.123Z
  req.duration = std::chrono::microseconds(2'345);
  req.client_ip = "2001:db8::1";
  req.method = "GET";
  req.target = "/a\"b\\c?\x01\xff";
  req.version = 10;
  req.host = "h";
  req.user_agent = "ua";
  return req;
}

}  // namespace

TEST_CASE("JSON access lines escape what the request carries") {
  RequestRecord rec;
  const std::string pool = "web";
  rec.status = 502;
  rec.body_bytes = 12;
  rec.pool = &pool;
  rec.backend = "127.0.0.1:9";
  std::string out;
  format_access_line(AccessLogConfig::Format::json, sample(), rec, out);
  CHECK(out ==
        "{\"time\":\"2023-11-14T22:13:20.123Z\",\"client\":\"2001:db8::1\",\"method\":\"GET\","
        "\"target\":\"/a\\\"b\\\\c?\\u0001\\u00ff\",\"protocol\":\"HTTP/1.0\",\"tls\":false,\"host\":\"h\","
        "\"status\":502,\"bytes\":12,\"duration\":0.002345,\"pool\":\"web\",\"backend\":\"127.0.0.1:9\","
        "\"upstream_time\":null,\"referer\":\"\",\"user_agent\":\"ua\"}\n");
}

TEST_CASE("combined access lines") {
  RequestRecord rec;
  rec.status = 200;
  rec.body_bytes = 5;
  rec.upstream_us = 1'499;
  std::string out;
  format_access_line(AccessLogConfig::Format::combined, sample(), rec, out);
  CHECK(out ==
        "2001:db8::1 - - [14/Nov/2023:22:13:20 +0000] \"GET /a\\x22b\\x5Cc?\\x01\\xFF HTTP/1.0\" 200 5 \"-\" \"ua\" "
        "rt=0.002 urt=0.001 pool=- backend=-\n");
}
