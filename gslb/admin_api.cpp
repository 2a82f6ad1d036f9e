#include "gslb/admin_api.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <cstdio>
#include <ctime>
#include <iomanip>
#include <sstream>

#include "base/log.hpp"

namespace gslb::policy {

namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;

namespace {

constexpr auto tok = asio::as_tuple(asio::use_awaitable);
constexpr std::size_t kReasonLimit = 200;

http::response<http::string_body> reply(http::status status, std::string body,
                                        std::string_view type = "text/plain; charset=utf-8") {
  http::response<http::string_body> res{status, 11};
  res.set(http::field::content_type, type);
  res.set(http::field::cache_control, "no-store");
  res.body() = std::move(body);
  res.prepare_payload();
  return res;
}

// JSON string literal (RFC 8259 §7): quote, backslash and control characters escaped.
std::string json(std::string_view s) {
  std::string out = "\"";
  for (const char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(static_cast<unsigned char>(c)));
      out += buf;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

// Prometheus label value: backslash, quote and newline escaped.
std::string label(std::string_view s) {
  std::string out;
  for (const char c : s) {
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    if (c == '\\' || c == '"') out += '\\';
    out += c;
  }
  return out;
}

std::string iso_time(std::chrono::system_clock::time_point t) {
  if (t.time_since_epoch().count() == 0) return "";
  const std::time_t seconds = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

// What a member is for traffic: drain (up but taking no new clients), up or down.
std::string_view state_of(const GslbService::MemberStatus& m) {
  if (!m.health.up) return "down";
  return m.health.forced == health::Forced::drain ? "drain" : "up";
}

std::string_view probed_of(const GslbService::MemberStatus& m) {
  if (!m.info.checked) return "-";
  return health::to_string(m.health.probed);
}

std::string rtt_text(const std::optional<std::chrono::microseconds>& rtt) {
  if (!rtt) return "-";
  std::ostringstream out;
  out << std::fixed << std::setprecision(2) << static_cast<double>(rtt->count()) / 1000.0 << "ms";
  return out.str();
}

http::response<http::string_body> status_json(GslbService& service) {
  std::ostringstream out;
  out << "{\"members\":[";
  bool first = true;
  for (const auto& m : service.member_status()) {
    out << (first ? "" : ",") << "\n  {\"id\":" << json(m.info.id) << ",\"zone\":" << json(m.info.zone)
        << ",\"pool\":" << json(m.info.pool) << ",\"region\":" << json(m.info.region)
        << ",\"address\":" << json(m.info.address) << ",\"checked\":" << (m.info.checked ? "true" : "false")
        << ",\"state\":" << json(state_of(m)) << ",\"serving\":" << (m.health.serving() ? "true" : "false")
        << ",\"probed\":" << json(health::to_string(m.health.probed))
        << ",\"forced\":" << json(health::to_string(m.health.forced)) << ",\"reason\":" << json(m.reason)
        << ",\"since\":" << json(iso_time(m.health.since)) << ",\"rtt_ms\":";
    if (m.health.rtt) {
      out << static_cast<double>(m.health.rtt->count()) / 1000.0;
    } else {
      out << "null";
    }
    out << ",\"detail\":" << json(m.health.detail) << "}";
    first = false;
  }
  out << "\n],\"policies\":" << service.policy_count()
      << ",\"fail_open_answers\":" << service.engine().fail_open_count() << "}\n";
  return reply(http::status::ok, out.str(), "application/json");
}

http::response<http::string_body> metrics(GslbService& service) {
  std::ostringstream out;
  out << "# HELP gslb_answers_total Queries for A/AAAA at a GSLB record answered by the steering engine.\n"
         "# TYPE gslb_answers_total counter\n";
  for (const auto& [record, n] : service.engine().answered_counts())
    out << "gslb_answers_total{record=\"" << label(record) << "\"} " << n << '\n';
  out << "# HELP gslb_fail_open_answers_total Answers given while failing open (all members down, or panic).\n"
         "# TYPE gslb_fail_open_answers_total counter\n"
      << "gslb_fail_open_answers_total " << service.engine().fail_open_count() << '\n';
  const auto members = service.member_status();
  std::size_t up = 0, down = 0, drain = 0;
  for (const auto& m : members) {
    const auto s = state_of(m);
    (s == "up" ? up : s == "down" ? down : drain) += 1;
  }
  out << "# HELP gslb_members Members of the loaded pools by state (up, down, drain).\n"
         "# TYPE gslb_members gauge\n"
      << "gslb_members{state=\"up\"} " << up << "\ngslb_members{state=\"down\"} " << down
      << "\ngslb_members{state=\"drain\"} " << drain << '\n'
      << "# HELP gslb_member_up 1 when the member may receive new traffic (up and not drained).\n"
         "# TYPE gslb_member_up gauge\n";
  for (const auto& m : members)
    out << "gslb_member_up{member=\"" << label(m.info.id) << "\",pool=\"" << label(m.info.pool) << "\",zone=\""
        << label(m.info.zone) << "\"} " << (m.health.serving() ? 1 : 0) << '\n';
  out << "# HELP gslb_member_rtt_seconds Smoothed connect time of the member's health probes.\n"
         "# TYPE gslb_member_rtt_seconds gauge\n";
  for (const auto& m : members) {
    if (!m.health.rtt) continue;
    out << "gslb_member_rtt_seconds{member=\"" << label(m.info.id) << "\"} "
        << static_cast<double>(m.health.rtt->count()) / 1e6 << '\n';
  }
  return reply(http::status::ok, out.str(), "text/plain; version=0.0.4");
}

// POST /members/POOL/ADDRESS/ACTION: the member id is everything between
// "/members/" and the last '/'.
http::response<http::string_body> override_member(GslbService& service, std::string_view path, std::string_view body) {
  constexpr std::string_view prefix = "/members/";
  const std::string_view rest = path.substr(prefix.size());
  const auto slash = rest.rfind('/');
  if (slash == std::string_view::npos || slash == 0)
    return reply(http::status::not_found, "expected /members/POOL/ADDRESS/(up|down|drain|clear)\n");
  const std::string id(rest.substr(0, slash));
  const std::string_view action = rest.substr(slash + 1);
  std::optional<health::Forced> forced =
      action == "clear" ? std::optional(health::Forced::none) : health::parse_forced(action);
  if (!forced || action == "none")
    return reply(http::status::not_found, "unknown action '" + std::string(action) + "' (up, down, drain, clear)\n");
  std::string reason(body.substr(0, kReasonLimit));
  while (!reason.empty() && (reason.back() == '\n' || reason.back() == '\r' || reason.back() == ' ')) reason.pop_back();
  for (char& c : reason)
    if (static_cast<unsigned char>(c) < 0x20) c = ' ';
  if (std::string error = service.set_override(id, *forced, reason); !error.empty())
    return reply(error.starts_with("no member") ? http::status::not_found : http::status::conflict, error + "\n");
  base::log_info("admin", id, *forced == health::Forced::none ? " override cleared" : " forced ",
                 *forced == health::Forced::none ? "" : health::to_string(*forced),
                 reason.empty() ? "" : " (" + reason + ")");
  return reply(http::status::ok,
               id + (*forced == health::Forced::none ? std::string(": override cleared\n")
                                                     : std::string(": forced ") + health::to_string(*forced) + "\n"));
}

bool token_matches(std::string_view given, const std::string& token) {
  // Constant time in the token's content, so the comparison leaks nothing
  // but the length.
  if (given.size() != token.size()) return false;
  unsigned char diff = 0;
  for (std::size_t i = 0; i < token.size(); ++i) diff |= static_cast<unsigned char>(given[i] ^ token[i]);
  return diff == 0;
}

bool is_loopback(const asio::ip::address& a) {
  if (a.is_loopback()) return true;
  return a.is_v6() && a.to_v6().is_v4_mapped() && a.to_v6().to_v4().is_loopback();
}

}  // namespace

std::string status_table(const std::vector<GslbService::MemberStatus>& members) {
  std::vector<std::array<std::string, 7>> rows;
  rows.push_back({"MEMBER", "STATE", "PROBED", "FORCED", "SINCE", "RTT", "DETAIL"});
  for (const auto& m : members) {
    std::string forced = health::to_string(m.health.forced);
    if (forced == "none") forced = "-";
    std::string detail = m.info.checked ? m.health.detail : "no check";
    if (!m.reason.empty()) detail += (detail.empty() ? "" : "; ") + std::string("override: ") + m.reason;
    const std::string since = iso_time(m.health.since);
    rows.push_back({m.info.id, std::string(state_of(m)), std::string(probed_of(m)), forced, since.empty() ? "-" : since,
                    rtt_text(m.health.rtt), detail});
  }
  std::array<std::size_t, 7> width{};
  for (const auto& row : rows)
    for (std::size_t i = 0; i < row.size(); ++i) width[i] = std::max(width[i], row[i].size());
  std::string out;
  for (const auto& row : rows) {
    std::string line;
    for (std::size_t i = 0; i < row.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size()) line += std::string(width[i] - row[i].size() + 2, ' ');
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line + '\n';
  }
  return out;
}

http::response<http::string_body> handle_admin_request(GslbService& service,
                                                       const http::request<http::string_body>& request,
                                                       const std::string& token) {
  if (!token.empty()) {
    const auto it = request.find(http::field::authorization);
    const std::string_view given = it == request.end() ? std::string_view{} : std::string_view(it->value());
    if (!given.starts_with("Bearer ") || !token_matches(given.substr(7), token)) {
      auto res = reply(http::status::unauthorized, "missing or wrong bearer token\n");
      res.set(http::field::www_authenticate, "Bearer");
      return res;
    }
  }
  const std::string_view target(request.target().data(), request.target().size());
  const std::string_view path = target.substr(0, target.find('?'));
  const std::string_view query = path.size() < target.size() ? target.substr(path.size() + 1) : std::string_view{};
  const bool get = request.method() == http::verb::get || request.method() == http::verb::head;
  if (path == "/status" || path == "/metrics") {
    if (!get) return reply(http::status::method_not_allowed, "use GET\n");
    if (path == "/metrics") return metrics(service);
    if (query == "format=text") return reply(http::status::ok, status_table(service.member_status()));
    return status_json(service);
  }
  if (path.starts_with("/members/")) {
    if (request.method() != http::verb::post) return reply(http::status::method_not_allowed, "use POST\n");
    return override_member(service, path, request.body());
  }
  return reply(http::status::not_found, "unknown admin path (GET /status, GET /metrics, POST /members/...)\n");
}

AdminServer::AdminServer(GslbService& service, std::string token)
    : service_(service), token_(std::move(token)), io_(1), acceptor_(io_) {}

AdminServer::~AdminServer() {
  stop();
}

std::string AdminServer::start(const base::SocketAddress& address) {
  boost::system::error_code ec;
  const auto ip = asio::ip::make_address(address.address_string(), ec);
  if (ec) return "admin address " + address.to_string() + ": " + ec.message();
  if (token_.empty() && !is_loopback(ip))
    return "admin address " + address.to_string() +
           " is not a loopback address: set admin_token in the config to serve it beyond this host";
  const tcp::endpoint endpoint(ip, address.port());
  acceptor_.open(endpoint.protocol(), ec);
  if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor_.bind(endpoint, ec);
  if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return "cannot listen on " + address.to_string() + " (admin): " + ec.message();
  asio::co_spawn(io_, accept_loop(), asio::detached);
  thread_ = std::thread([this] { io_.run(); });
  base::log_info("admin", "admin API on ", local_address());
  return {};
}

void AdminServer::stop() {
  if (!thread_.joinable()) return;
  asio::post(io_, [this] {
    boost::system::error_code ignored;
    acceptor_.close(ignored);
    io_.stop();
  });
  thread_.join();
}

std::string AdminServer::local_address() const {
  boost::system::error_code ec;
  const auto endpoint = acceptor_.local_endpoint(ec);
  if (ec) return "?";
  const std::string host = endpoint.address().to_string();
  return (endpoint.address().is_v6() ? "[" + host + "]" : host) + ":" + std::to_string(endpoint.port());
}

asio::awaitable<void> AdminServer::accept_loop() {
  while (acceptor_.is_open()) {
    auto [ec, socket] = co_await acceptor_.async_accept(tok);
    if (ec == asio::error::operation_aborted) co_return;
    if (ec) continue;
    boost::system::error_code peer_ec;
    const auto peer = socket.remote_endpoint(peer_ec);
    if (peer_ec || (token_.empty() && !is_loopback(peer.address()))) continue;  // dropped: closes the socket
    asio::co_spawn(io_, serve(std::move(socket)), asio::detached);
  }
}

asio::awaitable<void> AdminServer::serve(tcp::socket socket) {
  beast::tcp_stream stream(std::move(socket));
  beast::flat_buffer buffer;
  // Bounded: a deadline per exchange, small header and body limits, and a
  // cap on requests per connection.
  for (int i = 0; i < 100; ++i) {
    http::request_parser<http::string_body> parser;
    parser.header_limit(8 * 1024);
    parser.body_limit(4 * 1024);
    stream.expires_after(std::chrono::seconds(10));
    auto [ec, n] = co_await http::async_read(stream, buffer, parser, tok);
    if (ec) {
      if (ec != http::error::end_of_stream && ec != asio::error::operation_aborted && ec != beast::error::timeout) {
        auto res = reply(http::status::bad_request, "bad request: " + ec.message() + "\n");
        res.keep_alive(false);
        co_await http::async_write(stream, res, tok);
      }
      break;
    }
    http::response<http::string_body> res;
    try {
      res = handle_admin_request(service_, parser.get(), token_);
    } catch (const std::exception& e) {
      // Session boundary (STYLE habit 13): report, keep serving.
      base::log_error("admin", "request failed: ", e.what());
      res = reply(http::status::internal_server_error, "internal error\n");
    }
    if (parser.get().method() == http::verb::head) res.body().clear();
    res.keep_alive(parser.get().keep_alive());
    auto [wec, wn] = co_await http::async_write(stream, res, tok);
    if (wec || !res.keep_alive()) break;
  }
  beast::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
}

}  // namespace gslb::policy
