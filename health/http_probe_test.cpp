#include "health/http_probe.hpp"

#include <doctest/doctest.h>

#include <boost/asio/io_context.hpp>
#include <optional>

#include "health/test_http_server.hpp"

using namespace gslb::health;
using gslb::health::testing::SelfSignedCert;
using gslb::health::testing::ServerMode;
using gslb::health::testing::TestHttpServer;
namespace asio = boost::asio;
using std::chrono::milliseconds;

namespace {

const auto kLoopback = asio::ip::make_address("127.0.0.1");

struct Timed {
  ProbeResult result;
  milliseconds elapsed;
};

Timed run_probe(asio::io_context& io, Probe& probe, const CheckSpec& spec) {
  std::optional<ProbeResult> out;
  const auto start = std::chrono::steady_clock::now();
  probe.async_run(kLoopback, spec, [&](ProbeResult r) { out = std::move(r); });
  io.restart();
  io.run();
  const auto elapsed = std::chrono::duration_cast<milliseconds>(std::chrono::steady_clock::now() - start);
  REQUIRE(out.has_value());
  return {*out, elapsed};
}

CheckSpec http_spec(std::uint16_t port) {
  CheckSpec spec;
  spec.type = CheckType::http;
  spec.port = port;
  spec.path = "/health";
  spec.expect = *StatusExpectation::parse("2xx");
  spec.timeout = milliseconds(1000);
  return spec;
}

}  // namespace

TEST_CASE("http probe: 200 is up; request has path, Host and Connection: close") {
  TestHttpServer server;
  asio::io_context io;
  HttpProbe probe(io.get_executor());
  auto [result, elapsed] = run_probe(io, probe, http_spec(server.port()));
  CHECK(result.ok);
  CHECK(result.detail == "HTTP 200");
  CHECK(result.rtt.count() > 0);
  const std::string request = server.last_request();
  CHECK(request.rfind("GET /health HTTP/1.1\r\n", 0) == 0);
  CHECK(request.find("Host: 127.0.0.1:" + std::to_string(server.port()) + "\r\n") != std::string::npos);
  CHECK(request.find("Connection: close\r\n") != std::string::npos);
}

TEST_CASE("http probe: configured Host header is sent") {
  TestHttpServer server;
  asio::io_context io;
  HttpProbe probe(io.get_executor());
  auto spec = http_spec(server.port());
  spec.host_header = "www.example.com";
  CHECK(run_probe(io, probe, spec).result.ok);
  CHECK(server.last_request().find("Host: www.example.com\r\n") != std::string::npos);
}

TEST_CASE("http probe: 503 is down; exact and range expectations") {
  TestHttpServer server;
  server.set_status(503);
  asio::io_context io;
  HttpProbe probe(io.get_executor());
  auto result = run_probe(io, probe, http_spec(server.port())).result;
  CHECK_FALSE(result.ok);
  CHECK(result.detail == "HTTP 503, expected 2xx");

  server.set_status(204);
  auto spec = http_spec(server.port());
  spec.expect = *StatusExpectation::parse("200");
  CHECK(run_probe(io, probe, spec).result.detail == "HTTP 204, expected 200");
  spec.expect = *StatusExpectation::parse("200-299");
  CHECK(run_probe(io, probe, spec).result.ok);
}

TEST_CASE("http probe: body substring within the size cap") {
  TestHttpServer server;
  server.set_body(std::string(1000, 'x') + "ALIVE" + std::string(1000, 'y'));
  asio::io_context io;
  HttpProbe probe(io.get_executor());
  auto spec = http_spec(server.port());
  spec.body_contains = "ALIVE";
  auto result = run_probe(io, probe, spec).result;
  CHECK(result.ok);
  CHECK(result.detail == "HTTP 200, body matched");

  spec.body_contains = "DEAD";
  result = run_probe(io, probe, spec).result;
  CHECK_FALSE(result.ok);
  CHECK(result.detail == "HTTP 200, body lacks expected text (searched 2005 bytes)");

  // The marker lies beyond the cap: not found, and at most body_limit bytes are searched.
  spec.body_contains = "ALIVE";
  spec.body_limit = 500;
  result = run_probe(io, probe, spec).result;
  CHECK_FALSE(result.ok);
  CHECK(result.detail == "HTTP 200, body lacks expected text (searched 500 bytes)");
}

TEST_CASE("http probe: slow server times out within the deadline, fast enough passes") {
  TestHttpServer server;
  server.set_delay(milliseconds(600));
  asio::io_context io;
  HttpProbe probe(io.get_executor());
  auto spec = http_spec(server.port());
  spec.timeout = milliseconds(200);
  auto [result, elapsed] = run_probe(io, probe, spec);
  CHECK_FALSE(result.ok);
  CHECK(result.detail == "timeout after 200ms (reading response)");
  CHECK(elapsed >= milliseconds(190));
  CHECK(elapsed < milliseconds(600));

  server.set_delay(milliseconds(20));
  CHECK(run_probe(io, probe, spec).result.ok);
}

TEST_CASE("http probe: server that accepts and never answers times out") {
  TestHttpServer server;
  server.set_mode(ServerMode::silent);
  asio::io_context io;
  HttpProbe probe(io.get_executor());
  auto spec = http_spec(server.port());
  spec.timeout = milliseconds(250);
  auto [result, elapsed] = run_probe(io, probe, spec);
  CHECK_FALSE(result.ok);
  CHECK(result.detail == "timeout after 250ms (reading response)");
  CHECK(elapsed < milliseconds(1000));
  CHECK(server.requests() == 1);
}

TEST_CASE("http probe: garbage and closed connections are down with a reason") {
  TestHttpServer server;
  asio::io_context io;
  HttpProbe probe(io.get_executor());
  server.set_mode(ServerMode::garbage);
  auto result = run_probe(io, probe, http_spec(server.port())).result;
  CHECK_FALSE(result.ok);
  CHECK(result.detail.rfind("bad response: ", 0) == 0);

  server.set_mode(ServerMode::close_at_once);
  result = run_probe(io, probe, http_spec(server.port())).result;
  CHECK_FALSE(result.ok);
  CHECK(result.detail.find("bad response") == 0);

  server.stop_listening();
  result = run_probe(io, probe, http_spec(server.port())).result;
  CHECK_FALSE(result.ok);
  CHECK(result.detail == "connect: Connection refused");
}

TEST_CASE("http probe: oversized header, chunked body, early close") {
  TestHttpServer server;
  server.set_mode(ServerMode::raw);
  asio::io_context io;
  HttpProbe probe(io.get_executor());
  auto spec = http_spec(server.port());

  // 64 KiB of header fields: refused at the header limit, not buffered.
  server.set_raw_reply("HTTP/1.1 200 OK\r\nX-Big: " + std::string(64 * 1024, 'a') + "\r\n\r\n");
  auto result = run_probe(io, probe, spec).result;
  CHECK_FALSE(result.ok);
  CHECK(result.detail == "bad response: header limit exceeded");

  // Chunked transfer coding, marker split across chunks.
  server.set_raw_reply("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nstat\r\n6\r\nus: ok\r\n0\r\n\r\n");
  spec.body_contains = "status: ok";
  result = run_probe(io, probe, spec).result;
  CHECK(result.ok);
  CHECK(result.detail == "HTTP 200, body matched");

  // Body shorter than its Content-Length, then close: not a pass.
  server.set_raw_reply("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nstatus");
  result = run_probe(io, probe, spec).result;
  CHECK_FALSE(result.ok);
  CHECK(result.detail.rfind("bad response body: ", 0) == 0);
}

TEST_CASE("https probe: self-signed certificate, SNI, verification off and on") {
  SelfSignedCert cert;
  REQUIRE(cert.ok);
  auto server_tls = cert.server_context();
  TestHttpServer server(&server_tls);
  asio::io_context io;

  auto spec = http_spec(server.port());
  spec.type = CheckType::https;
  spec.host_header = "localhost";

  SUBCASE("default: not validated, like Route 53; SNI sent") {
    HttpProbe probe(io.get_executor());
    auto result = run_probe(io, probe, spec).result;
    CHECK(result.ok);
    CHECK(result.detail == "HTTP 200");
    CHECK(server.last_sni() == "localhost");
  }
  SUBCASE("tls_verify without the CA: handshake fails") {
    HttpProbe probe(io.get_executor());
    spec.tls_verify = true;
    auto result = run_probe(io, probe, spec).result;
    CHECK_FALSE(result.ok);
    CHECK(result.detail.rfind("TLS handshake: ", 0) == 0);
  }
  SUBCASE("tls_verify with the CA: passes; wrong name fails") {
    HttpProbe probe(io.get_executor(), HttpProbe::Options{cert.cert_file.string()});
    spec.tls_verify = true;
    CHECK(run_probe(io, probe, spec).result.ok);
    spec.sni = "other.example";
    auto result = run_probe(io, probe, spec).result;
    CHECK_FALSE(result.ok);
    CHECK(server.last_sni() == "localhost");  // the failed handshake named other.example, but never completed
  }
  SUBCASE("plain HTTP against the TLS port is down") {
    HttpProbe probe(io.get_executor());
    spec.type = CheckType::http;
    spec.timeout = milliseconds(300);
    CHECK_FALSE(run_probe(io, probe, spec).result.ok);
  }
}

TEST_CASE("http probe: host header helper") {
  CheckSpec spec;
  spec.port = 80;
  CHECK(host_header_for(asio::ip::make_address("192.0.2.1"), spec) == "192.0.2.1");
  spec.port = 8080;
  CHECK(host_header_for(asio::ip::make_address("2001:db8::1"), spec) == "[2001:db8::1]:8080");
  spec.type = CheckType::https;
  spec.port = 443;
  CHECK(host_header_for(asio::ip::make_address("::1"), spec) == "[::1]");
  spec.host_header = "api.example.com";
  CHECK(host_header_for(asio::ip::make_address("::1"), spec) == "api.example.com");
}
