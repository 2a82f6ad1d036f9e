#include "health/http_probe.hpp"

#include <openssl/ssl.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <memory>
#include <optional>
#include <stdexcept>

namespace gslb::health {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using asio::ip::tcp;

namespace {

constexpr auto kUse = asio::as_tuple(asio::use_awaitable);

// Shared between the probe coroutine and the deadline timer's handler; see
// TcpAttempt in tcp_probe.cpp for why it is reference-counted.
struct HttpAttempt {
  HttpAttempt(const asio::any_io_executor& ex, asio::ssl::context* tls) : plain(ex), deadline(ex) {
    if (tls) secure.emplace(ex, *tls);
  }
  tcp::socket& socket() { return secure ? secure->next_layer() : plain; }
  void close() {
    boost::system::error_code ignored;
    socket().close(ignored);
  }

  tcp::socket plain;                                     // http
  std::optional<asio::ssl::stream<tcp::socket>> secure;  // https
  asio::steady_timer deadline;
  bool timed_out = false;
  const char* step = "connecting";  // for the timeout message
};

bool is_ip_literal(const std::string& name) {
  boost::system::error_code ec;
  asio::ip::make_address(name, ec);
  return !ec;
}

// The name the certificate is checked against and sent as SNI: spec.sni,
// else the Host header's name when it is one (without a port).
std::string tls_name(const CheckSpec& spec) {
  if (!spec.sni.empty()) return spec.sni;
  std::string host = spec.host_header;
  if (!host.empty() && host.front() != '[') {
    if (auto colon = host.rfind(':'); colon != std::string::npos) host.resize(colon);
  }
  return host;
}

template <typename Stream>
asio::awaitable<ProbeResult> exchange(Stream& stream, HttpAttempt& attempt, const std::string& host,
                                      const CheckSpec& spec, const HttpProbe::Options& options) {
  const std::size_t header_limit = options.header_limit;
  ProbeResult result;
  http::request<http::empty_body> request{http::verb::get, spec.path, 11};
  request.set(http::field::host, host);
  request.set(http::field::user_agent, options.user_agent);
  request.set(http::field::connection, "close");

  attempt.step = "sending request";
  auto [write_ec, written] = co_await http::async_write(stream, request, kUse);
  if (write_ec) {
    result.detail = "write: " + write_ec.message();
    co_return result;
  }

  attempt.step = "reading response";
  boost::beast::flat_buffer buffer(header_limit + 4096);
  http::response_parser<http::buffer_body> parser;
  parser.header_limit(static_cast<std::uint32_t>(header_limit));
  // The body is read only as far as spec.body_limit below; no parser limit.
  parser.body_limit(boost::none);
  auto [header_ec, header_bytes] = co_await http::async_read_header(stream, buffer, parser, kUse);
  if (header_ec) {
    result.detail = "bad response: " + header_ec.message();
    co_return result;
  }
  const int status = static_cast<int>(parser.get().result_int());
  if (!spec.expect.matches(status)) {
    result.detail = "HTTP " + std::to_string(status) + ", expected " + spec.expect.to_string();
    co_return result;
  }
  if (spec.body_contains.empty()) {
    result.ok = true;
    result.detail = "HTTP " + std::to_string(status);
    co_return result;
  }

  attempt.step = "reading body";
  std::string body;
  char chunk[4096];
  while (!parser.is_done() && body.size() < spec.body_limit) {
    parser.get().body().data = chunk;
    parser.get().body().size = sizeof chunk;
    auto [body_ec, body_bytes] = co_await http::async_read(stream, buffer, parser, kUse);
    body.append(chunk, sizeof chunk - parser.get().body().size);
    if (body.find(spec.body_contains) != std::string::npos) break;
    if (body_ec == http::error::need_buffer) continue;
    // A TLS peer that closes without close_notify ends an EOF-delimited body.
    if (body_ec == asio::ssl::error::stream_truncated || body_ec == http::error::end_of_stream) break;
    if (body_ec) {
      result.detail = "bad response body: " + body_ec.message();
      co_return result;
    }
  }
  if (body.size() > spec.body_limit) body.resize(spec.body_limit);
  if (body.find(spec.body_contains) == std::string::npos) {
    result.detail = "HTTP " + std::to_string(status) + ", body lacks expected text (searched " +
                    std::to_string(body.size()) + " bytes)";
    co_return result;
  }
  result.ok = true;
  result.detail = "HTTP " + std::to_string(status) + ", body matched";
  co_return result;
}

asio::awaitable<ProbeResult> run_once(std::shared_ptr<HttpAttempt> attempt, asio::ip::address address, CheckSpec spec,
                                      const HttpProbe::Options& options) {
  const auto start = std::chrono::steady_clock::now();
  ProbeResult result;
  auto [connect_ec] = co_await attempt->socket().async_connect(tcp::endpoint(address, spec.port), kUse);
  if (connect_ec) {
    result.detail = "connect: " + connect_ec.message();
    co_return result;
  }
  const auto rtt = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - start);
  const std::string host = host_header_for(address, spec);

  if (attempt->secure) {
    attempt->step = "TLS handshake";
    auto& stream = *attempt->secure;
    const std::string name = tls_name(spec);
    if (!name.empty() && !is_ip_literal(name)) SSL_set_tlsext_host_name(stream.native_handle(), name.c_str());
    if (spec.tls_verify) {
      stream.set_verify_mode(asio::ssl::verify_peer);
      stream.set_verify_callback(asio::ssl::host_name_verification(name.empty() ? address.to_string() : name));
    } else {
      stream.set_verify_mode(asio::ssl::verify_none);
    }
    auto [handshake_ec] = co_await stream.async_handshake(asio::ssl::stream_base::client, kUse);
    if (handshake_ec) {
      result.detail = "TLS handshake: " + handshake_ec.message();
      co_return result;
    }
    result = co_await exchange(stream, *attempt, host, spec, options);
  } else {
    result = co_await exchange(attempt->plain, *attempt, host, spec, options);
  }
  result.rtt = rtt;
  co_return result;
}

}  // namespace

std::string host_header_for(const asio::ip::address& address, const CheckSpec& spec) {
  if (!spec.host_header.empty()) return spec.host_header;
  std::string host = address.is_v6() ? "[" + address.to_string() + "]" : address.to_string();
  const std::uint16_t default_port = spec.type == CheckType::https ? 443 : 80;
  if (spec.port != default_port) host += ":" + std::to_string(spec.port);
  return host;
}

HttpProbe::HttpProbe(asio::any_io_executor executor, Options options)
    : executor_(std::move(executor)), options_(std::move(options)), tls_(asio::ssl::context::tls_client) {
  tls_.set_default_verify_paths();
  if (!options_.ca_file.empty()) {
    boost::system::error_code ec;
    tls_.load_verify_file(options_.ca_file, ec);
    if (ec) throw std::runtime_error("cannot load CA file " + options_.ca_file + ": " + ec.message());
  }
}

void HttpProbe::async_run(const asio::ip::address& address, const CheckSpec& spec, Handler done) {
  auto attempt = std::make_shared<HttpAttempt>(executor_, spec.type == CheckType::https ? &tls_ : nullptr);
  attempt->deadline.expires_after(spec.timeout);
  attempt->deadline.async_wait([attempt](boost::system::error_code ec) {
    if (ec) return;  // cancelled: the attempt finished first
    attempt->timed_out = true;
    attempt->close();  // every pending operation completes with operation_aborted
  });
  asio::co_spawn(
      executor_, run_once(attempt, address, spec, options_),
      [attempt, timeout = spec.timeout, done = std::move(done)](std::exception_ptr error, ProbeResult result) {
        attempt->deadline.cancel();
        attempt->close();
        if (error) {
          result = ProbeResult{false, {}, "internal error in http probe"};
        } else if (attempt->timed_out) {
          result.ok = false;
          result.detail = "timeout after " + std::to_string(timeout.count()) + "ms (" + attempt->step + ")";
        }
        done(std::move(result));
      });
}

}  // namespace gslb::health
