// Fuzz target: any bytes as the start of an HTTP/1.1 request through the
// proxy's own per-request code — Beast's request parser with the proxy's
// limits, check_request (framing/smuggling rules), the router, hop-by-hop
// removal, X-Forwarded-* and the hash/sticky cookie lookups. Asserts what must
// hold for every input: no crash or out-of-bounds access (sanitizers), and no
// request accepted with framing a backend could read differently: at most one
// Transfer-Encoding field, and then exactly "chunked" and no Content-Length.
#include <boost/asio/buffer.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <cstdlib>

#include "regional-lb/proxy_headers.hpp"
#include "regional-lb/router.hpp"

namespace {

using namespace gslb::lb;

void check(bool ok) {
  if (!ok) std::abort();
}

const Router& router() {
  static const auto load = parse_region_config(R"(listeners: [ { address: 127.0.0.1:1 } ]
pools:
  a: { backends: [ { address: 127.0.0.1:2 } ] }
  b: { backends: [ { address: 127.0.0.1:3 } ] }
routes:
  - { host: api.example, path_prefix: /v1/, method: GET, pool: a }
  - { header: { name: X-Canary, value: "1" }, pool: b }
  - { path: /ping, respond: { status: 200, body: pong } }
  - { pool: b }
)",
                                               "fuzz.yaml");
  static const Router r(*load.config);
  return r;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  http::request_parser<http::buffer_body> parser;
  parser.header_limit(8192 + 4096);
  parser.body_limit(1 << 20);
  boost::system::error_code ec;
  parser.put(boost::asio::buffer(data, size), ec);
  if (!parser.is_header_done()) return 0;
  auto& req = parser.get();
  const auto refusal = check_request(req.base(), parser.chunked(), HeaderLimits{8192, 100});
  if (!refusal) {
    const auto te = req.count(http::field::transfer_encoding);
    check(te <= 1);
    if (te == 1) check(parser.chunked() && !parser.content_length());
  }
  const Route* route = router().match(req.base());
  check(route != nullptr);  // the last rule matches everything
  (void)find_cookie(req.base(), "SRV");
  const bool upgrade = wants_upgrade(req.base());
  strip_hop_by_hop(req.base(), upgrade);
  add_forwarded(req.base(), "192.0.2.1", "http");
  check(req.count(http::field::connection) <= 1);
  check(req.count(http::field::keep_alive) == 0 && req.count(http::field::te) == 0);
  check(req.count("X-Forwarded-For") == 1);
  return 0;
}
