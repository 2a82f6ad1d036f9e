#include "regional-lb/http_session.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>

#include "base/log.hpp"
#include "regional-lb/coroutine_prelude.hpp"
#include "regional-lb/proxy.hpp"
#include "regional-lb/proxy_headers.hpp"
#include "regional-lb/router.hpp"
#include "regional-lb/tls.hpp"
#include "regional-lb/worker.hpp"

namespace gslb::lb {

constexpr std::size_t kBodyBuffer = 64 * 1024;

void HttpSession::start(Worker& worker, const ListenerContext& listener, tcp::socket socket) {
  auto session = std::make_shared<HttpSession>(worker, listener, std::move(socket));
  asio::co_spawn(
      worker.io(), [session]() { return session->run(); }, asio::detached);
}

HttpSession::HttpSession(Worker& worker, const ListenerContext& listener, tcp::socket socket)
    : worker_(worker),
      listener_(listener),
      client_(std::move(socket)),
      deadline_(client_.socket()),
      body_buffer_(kBodyBuffer) {
  beast::error_code ec;
  const auto peer = client_.socket().remote_endpoint(ec);
  const auto ip = peer.address();
  if (ip.is_v4()) {
    ip_text_ = ip.to_string();
    const auto mapped = asio::ip::make_address_v6(asio::ip::v4_mapped, ip.to_v4()).to_bytes();
    ip_bytes_.assign(mapped.begin(), mapped.end());
  } else {
    const auto v6 = ip.to_v6();
    // A v4-mapped peer on a dual-stack socket is an IPv4 client.
    ip_text_ = v6.is_v4_mapped() ? asio::ip::make_address_v4(asio::ip::v4_mapped, v6).to_string() : v6.to_string();
    const auto bytes = v6.to_bytes();
    ip_bytes_.assign(bytes.begin(), bytes.end());
  }
  // Responses are written whole; Nagle would delay one behind an unacknowledged one.
  client_.socket().set_option(tcp::no_delay(true), ec);
  client_.socket().non_blocking(true, ec);
  worker_.add_session(this);
}

HttpSession::~HttpSession() {
  worker_.remove_session(this);
}

void HttpSession::close_if_idle() {
  if (!idle_) return;
  beast::error_code ignored;
  client_.socket().cancel(ignored);
}

namespace {

// Beast reports one error for "header too large". RFC 9112 §3 and RFC 6585 §5
// distinguish a too-long request line (414) from too-large fields (431): the
// parser stores the target once it has parsed the whole request line, so an
// empty target means the line itself did not fit.
http::status header_limit_status(const RequestParser& parser) {
  return parser.get().target().empty() ? http::status::uri_too_long : http::status::request_header_fields_too_large;
}

std::string_view field(const http::request_header<>& h, http::field f) {
  const auto it = h.find(f);
  if (it == h.end()) return {};
  return {it->value().data(), it->value().size()};
}

}  // namespace

asio::awaitable<bool> HttpSession::handshake() {
  // The certificates of the configuration in service when the client connected.
  tls_ = worker_.current()->region->tls[listener_.index];
  if (!tls_) co_return false;  // the contexts could not be built (logged at load)
  auto& stream = client_.start_tls(tls_->initial());
  client_.expires_after(tls_->handshake_timeout());
  auto [ec] = co_await stream.async_handshake(asio::ssl::stream_base::server, tok);
  // From here the session's Deadline bounds each operation, on the socket
  // the TLS stream now owns.
  client_.tcp().expires_never();
  deadline_.bind(client_.socket());
  if (ec) {
    base::log_debug("lb", ip_text_, ": TLS handshake failed: ", ec.message());
    co_return false;
  }
  co_return true;
}

asio::awaitable<void> HttpSession::run() {
  // A TLS listener (in the configuration in service now) handshakes first.
  const bool tls = worker_.current()->region->config.listeners[listener_.index].tls.has_value();
  if (tls && !co_await handshake()) {
    beast::error_code ignored;
    client_.socket().close(ignored);
    co_return;
  }
  const ClientConnection client{client_, deadline_,           buffer_, ip_text_, ip_bytes_, body_buffer_,
                                out_,    worker_.responses(), record_};
  AccessLog* const access_log = listener_.access_log;
  while (!worker_.draining()) {
    if (buffer_.size() == 0) {
      // Between requests: wait for the next one's first byte (keep-alive idle).
      idle_ = true;
      deadline_.arm(worker_.current()->region->config.server.timeouts.client_idle);
      const auto ec = co_await read_more(client_, buffer_, deadline_);
      deadline_.disarm();
      idle_ = false;
      if (ec) break;
    }
    // The access log's clock starts at the request's first byte.
    const bool logging = access_log && access_log->enabled();
    const auto began = logging ? std::chrono::steady_clock::now() : std::chrono::steady_clock::time_point{};
    const auto began_wall = logging ? std::chrono::system_clock::now() : std::chrono::system_clock::time_point{};
    record_.reset();
    // The configuration this request is handled with, taken when it starts
    // and kept even if a reload replaces it meanwhile.
    const std::shared_ptr<WorkerRegion> state = worker_.current();
    const ServerConfig& server = state->region->config.server;
    const Limits& limits = server.limits;
    RequestParser parser;
    parser.header_limit(limits.request_line + limits.header_bytes);
    parser.body_limit(limits.body_bytes);
    // Usually the first read brought the whole header: no coroutine frame then.
    beast::error_code ec;
    if (!parse_header_now(buffer_, parser, ec)) {
      ec = co_await read_header(client_, buffer_, parser, deadline_, server.timeouts.client_header);
    }
    if (ec) {
      if (ec == http::error::end_of_stream || ec == http::error::partial_message) break;
      http::status status = http::status::bad_request;
      if (ec == beast::error::timeout) {
        status = http::status::request_timeout;
        // The timeout closed the socket; there is nobody to answer.
        break;
      }
      if (ec == http::error::header_limit) status = header_limit_status(parser);
      if (ec == http::error::body_limit) status = http::status::payload_too_large;
      base::log_debug("lb", ip_text_, ": bad request: ", ec.message());
      co_await send_simple_response(client, server, status, http::obsolete_reason(status), false, 11);
      if (logging) log_request(*access_log, parser.get().base(), began, began_wall, false, 11);
      break;
    }
    const auto& header = parser.get().base();
    if (const auto refusal = check_request(header, parser.chunked(), {limits.request_line, limits.header_count})) {
      base::log_debug("lb", ip_text_, ": refused: ", refusal->reason);
      co_await send_simple_response(client, server, refusal->status, refusal->reason, false, header.version());
      if (logging) log_request(*access_log, header, began, began_wall, true, header.version());
      break;
    }
    const unsigned version = header.version();  // forwarding rewrites it to 1.1
    const bool has_body = parser.chunked() || parser.content_length().value_or(0) > 0;
    // Local answers do not read a request body: close after them if there is one.
    const bool keep = parser.get().keep_alive() && !has_body;
    const Route* route = state->region->router.match(header, client_.is_tls());
    bool again = false;
    if (!route) {
      again =
          co_await send_simple_response(client, server, http::status::not_found, "no route", keep, header.version());
    } else if (route->action == RouteConfig::Action::respond) {
      again = co_await send_simple_response(client, server, static_cast<http::status>(route->status), route->body, keep,
                                            header.version());
    } else if (route->action == RouteConfig::Action::redirect) {
      const std::string location = redirect_location(*route, header, client_.is_tls());
      again = co_await send_simple_response(client, server, static_cast<http::status>(route->status), "", keep,
                                            header.version(), location);
    } else {
      again = co_await forward_request(worker_, *state, route->pool, client, parser);
    }
    if (logging) log_request(*access_log, header, began, began_wall, true, version);
    if (!again) break;
  }
  co_await close_gracefully();
}

void HttpSession::log_request(AccessLog& log, const http::request_header<>& header,
                              std::chrono::steady_clock::time_point began,
                              std::chrono::system_clock::time_point began_wall, bool parsed, unsigned version) const {
  RequestLine line;
  line.time = began_wall;
  line.duration = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - began);
  line.client_ip = ip_text_;
  line.tls = client_.is_tls();
  if (parsed) {
    const auto method = header.method_string();
    const auto target = header.target();
    line.method = {method.data(), method.size()};
    line.target = {target.data(), target.size()};
    line.version = version;
    line.host = field(header, http::field::host);
    line.referer = field(header, http::field::referer);
    line.user_agent = field(header, http::field::user_agent);
  } else {
    line.method = "-";
    line.target = "-";
  }
  log.log(line, record_);
}

asio::awaitable<void> HttpSession::close_gracefully() {
  // Half-close, then drain briefly what the client still sends, so that our
  // last response is not destroyed by a reset when unread bytes remain (the
  // "lingering close" of RFC 9112 §9.6).
  if (client_.is_tls()) {
    // RFC 8446 §6.1: close_notify tells the client the data ended here and
    // was not cut off (a close-delimited body depends on it; OpenSSL 3
    // clients report a bare TCP close as an error). Asio then waits for the
    // client's close_notify: bounded, and any outcome is fine.
    client_.expires_after(std::chrono::seconds(1));
    co_await client_.tls().async_shutdown(tok);
  }
  beast::error_code ec;
  client_.socket().shutdown(tcp::socket::shutdown_send, ec);
  if (ec) co_return;
  std::array<char, 4096> sink;
  for (int i = 0; i < 16; ++i) {
    deadline_.arm(std::chrono::seconds(1));
    auto [rec, n] = co_await client_.async_read_some(asio::buffer(sink), tok);
    if (rec) break;
  }
  deadline_.disarm();
  client_.socket().close(ec);
}

}  // namespace gslb::lb
