#include "regional-lb/admin_api.hpp"

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <cstdio>
#include <sstream>

namespace gslb::lb {

namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;
constexpr auto tok = asio::as_tuple(asio::use_awaitable);

namespace {

std::string_view state_name(MemberState s) {
  switch (s) {
    case MemberState::up:
      return "up";
    case MemberState::down:
      return "down";
    case MemberState::draining:
      return "draining";
  }
  return "unknown";
}

// Names and addresses come from the validated config, but quote defensively.
std::string json_string(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      out += ' ';
    } else {
      out += c;
    }
  }
  return out + "\"";
}

// Prometheus label values escape backslash, quote and newline.
std::string label(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

http::response<http::string_body> reply(http::status status, std::string body, std::string_view type) {
  http::response<http::string_body> res{status, 11};
  res.set(http::field::content_type, type);
  res.set(http::field::cache_control, "no-store");
  res.body() = std::move(body);
  res.prepare_payload();
  return res;
}

http::response<http::string_body> health(const Region& region) {
  // Healthy while every pool keeps at least min_healthy backends available;
  // capacity is the available share of the configured weight.
  bool all_serving = true;
  std::ostringstream pools;
  for (std::size_t p = 0; p < region.pools.size(); ++p) {
    const auto view = region.pools[p]->view();
    const PoolConfig& config = region.config.pools[p];
    std::int64_t in_flight = 0;
    for (const auto& m : view->members()) in_flight += m.load->in_flight.load(std::memory_order_relaxed);
    int configured_weight = 0;
    for (const auto& b : config.backends) configured_weight += b.weight;
    const std::size_t available = view->available().size();
    const bool serving = available >= static_cast<std::size_t>(config.min_healthy);
    if (!serving) all_serving = false;
    const double capacity =
        configured_weight > 0 ? std::min(1.0, static_cast<double>(view->total_weight()) / configured_weight) : 0.0;
    char capacity_text[16];
    std::snprintf(capacity_text, sizeof capacity_text, "%.3f", capacity);
    pools << (p ? "," : "") << json_string(view->name()) << ":{\"status\":" << (serving ? "\"up\"" : "\"down\"")
          << ",\"available\":" << available << ",\"total\":" << view->members().size()
          << ",\"min_healthy\":" << config.min_healthy << ",\"available_weight\":" << view->total_weight()
          << ",\"capacity\":" << capacity_text << ",\"in_flight\":" << in_flight << "}";
  }
  const std::string body =
      std::string("{\"status\":") + (all_serving ? "\"up\"" : "\"down\"") + ",\"pools\":{" + pools.str() + "}}\n";
  return reply(all_serving ? http::status::ok : http::status::service_unavailable, body, "application/json");
}

http::response<http::string_body> status(const Region& region) {
  std::ostringstream out;
  out << "{\"pools\":{";
  for (std::size_t p = 0; p < region.pools.size(); ++p) {
    const auto view = region.pools[p]->view();
    out << (p ? "," : "") << json_string(view->name())
        << ":{\"balancer\":" << json_string(region.config.pools[p].balancer) << ",\"backends\":[";
    for (std::size_t i = 0; i < view->members().size(); ++i) {
      const auto& m = view->members()[i];
      out << (i ? "," : "") << "{\"address\":" << json_string(m.address.text) << ",\"state\":\"" << state_name(m.state)
          << "\",\"weight\":" << m.effective_weight
          << ",\"in_flight\":" << m.load->in_flight.load(std::memory_order_relaxed)
          << ",\"latency_ewma_us\":" << m.load->latency_ewma_us.load(std::memory_order_relaxed)
          << ",\"responses\":" << m.load->responses.load(std::memory_order_relaxed)
          << ",\"failures\":" << m.load->failures.load(std::memory_order_relaxed);
      if (region.config.pools[p].check) {
        const Pool::CheckInfo check = region.pools[p]->check_info(i);
        out << ",\"check\":{\"state\":" << json_string(check.state) << ",\"rtt_us\":";
        if (check.rtt) {
          out << check.rtt->count();
        } else {
          out << "null";
        }
        out << ",\"detail\":" << json_string(check.detail) << "}";
      }
      out << "}";
    }
    out << "]}";
  }
  out << "}}\n";
  return reply(http::status::ok, out.str(), "application/json");
}

http::response<http::string_body> metrics(const Region& region, const ProcessStats& stats) {
  std::ostringstream out;
  out << "# HELP gslb_lb_client_connections Open client connections.\n"
         "# TYPE gslb_lb_client_connections gauge\n"
      << "gslb_lb_client_connections " << stats.client_connections << "\n"
      << "# HELP gslb_lb_responses_total Responses sent to clients, by status class (proxy errors included).\n"
         "# TYPE gslb_lb_responses_total counter\n";
  for (std::size_t c = 0; c < stats.responses_by_class.size(); ++c) {
    out << "gslb_lb_responses_total{class=\"" << c + 1 << "xx\"} " << stats.responses_by_class[c] << '\n';
  }
  struct Family {
    const char* name;
    const char* type;
    const char* help;
  };
  const Family families[] = {
      {"gslb_lb_backend_up", "gauge", "1 when the backend takes new requests."},
      {"gslb_lb_backend_draining", "gauge", "1 while an operator drains the backend."},
      {"gslb_lb_backend_in_flight", "gauge", "Requests being forwarded to the backend."},
      {"gslb_lb_backend_latency_seconds", "gauge", "EWMA of time to response header."},
      {"gslb_lb_backend_responses_total", "counter", "Attempts that got a response header."},
      {"gslb_lb_backend_failures_total", "counter", "Connect errors, timeouts, broken responses and 5xx."},
      {"gslb_lb_backend_retries_total", "counter", "Attempts sent to the backend after another attempt failed."},
      {"gslb_lb_backend_ejections_total", "counter", "Passive-check ejections of the backend."},
  };
  for (std::size_t f = 0; f < std::size(families); ++f) {
    out << "# HELP " << families[f].name << ' ' << families[f].help << "\n# TYPE " << families[f].name << ' '
        << families[f].type << '\n';
    for (const auto& pool : region.pools) {
      const auto view = pool->view();
      for (const auto& m : view->members()) {
        out << families[f].name << "{pool=\"" << label(view->name()) << "\",backend=\"" << label(m.address.text)
            << "\"} ";
        switch (f) {
          case 0:
            out << (m.state == MemberState::up ? 1 : 0);
            break;
          case 1:
            out << (m.state == MemberState::draining ? 1 : 0);
            break;
          case 2:
            out << m.load->in_flight.load(std::memory_order_relaxed);
            break;
          case 3:
            out << m.load->latency_ewma_us.load(std::memory_order_relaxed) / 1e6;
            break;
          case 4:
            out << m.load->responses.load(std::memory_order_relaxed);
            break;
          case 5:
            out << m.load->failures.load(std::memory_order_relaxed);
            break;
          case 6:
            out << m.load->retries.load(std::memory_order_relaxed);
            break;
          default:
            out << m.load->ejections.load(std::memory_order_relaxed);
            break;
        }
        out << '\n';
      }
    }
  }
  // Time to response header per backend, as a Prometheus histogram
  // (cumulative buckets, sum, count).
  out << "# HELP gslb_lb_backend_response_seconds Time from request sent to response header received.\n"
         "# TYPE gslb_lb_backend_response_seconds histogram\n";
  for (const auto& pool : region.pools) {
    const auto view = pool->view();
    for (const auto& m : view->members()) {
      const std::string labels = "pool=\"" + label(view->name()) + "\",backend=\"" + label(m.address.text) + "\"";
      std::uint64_t cumulative = 0;
      for (std::size_t b = 0; b < m.load->latency_buckets.size(); ++b) {
        cumulative += m.load->latency_buckets[b].load(std::memory_order_relaxed);
        out << "gslb_lb_backend_response_seconds_bucket{" << labels << ",le=\"";
        if (b < BackendLoad::latency_bounds_us.size()) {
          out << BackendLoad::latency_bounds_us[b] / 1e6;
        } else {
          out << "+Inf";
        }
        out << "\"} " << cumulative << '\n';
      }
      out << "gslb_lb_backend_response_seconds_sum{" << labels << "} "
          << m.load->latency_sum_us.load(std::memory_order_relaxed) / 1e6 << '\n'
          << "gslb_lb_backend_response_seconds_count{" << labels << "} " << cumulative << '\n';
    }
  }
  return reply(http::status::ok, out.str(), "text/plain; version=0.0.4");
}

// The value of query parameter `name` in target ("" when absent).
std::string_view query_value(std::string_view target, std::string_view name) {
  const auto q = target.find('?');
  if (q == std::string_view::npos) return {};
  std::string_view query = target.substr(q + 1);
  while (!query.empty()) {
    const auto amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    const auto eq = pair.find('=');
    if (pair.substr(0, eq) == name) return eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1);
    query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
  }
  return {};
}

std::optional<int> parse_weight(std::string_view text) {
  if (text.empty() || text.size() > 3) return std::nullopt;
  int value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + (c - '0');
  }
  if (value < 1 || value > 256) return std::nullopt;
  return value;
}

http::response<http::string_body> backend_action(const Region& region, std::string_view target,
                                                 const AdminActions& actions) {
  // /pools/NAME/backends/ADDRESS/(drain|undrain|enable|weight)
  std::string_view path = target.substr(0, target.find('?'));
  std::vector<std::string_view> parts;
  while (!path.empty()) {
    path.remove_prefix(1);
    const auto slash = path.find('/');
    parts.push_back(path.substr(0, slash));
    path = slash == std::string_view::npos ? std::string_view{} : path.substr(slash);
  }
  if (parts.size() != 5 || parts[0] != "pools" || parts[2] != "backends" ||
      (parts[4] != "drain" && parts[4] != "undrain" && parts[4] != "enable" && parts[4] != "weight")) {
    return reply(http::status::not_found, "unknown admin path\n", "text/plain");
  }
  const std::string_view action = parts[4];
  std::optional<int> weight;
  if (action == "weight") {
    const std::string_view value = query_value(target, "value");
    weight = parse_weight(value);
    if (!weight && value != "config") {
      return reply(http::status::bad_request,
                   "weight: give ?value=N with N in 1..256, or ?value=config for the configured weight\n",
                   "text/plain");
    }
  }
  if (!actions.operators) return reply(http::status::service_unavailable, "no operator state\n", "text/plain");
  for (std::size_t p = 0; p < region.config.pools.size(); ++p) {
    if (region.config.pools[p].name != parts[1]) continue;
    const auto& backends = region.config.pools[p].backends;
    for (std::size_t i = 0; i < backends.size(); ++i) {
      if (backends[i].address.text != parts[3]) continue;
      std::string error;
      std::string done;
      if (action == "weight") {
        error = actions.operators->set_weight(region, p, i, weight);
        done = " weight " +
               (weight ? std::to_string(*weight) : "from config (" + std::to_string(backends[i].weight) + ")");
      } else {
        const bool drain = action == "drain";
        error = actions.operators->set_drained(region, p, i, drain);
        if (drain && actions.drained) actions.drained(region, p, i);
        done = drain ? " draining" : " enabled";
      }
      if (!error.empty()) {
        // In effect now, but it would not survive a restart: say so.
        return reply(http::status::internal_server_error,
                     std::string(parts[3]) + done + ", but the state file was not written: " + error + "\n",
                     "text/plain");
      }
      return reply(http::status::ok, std::string(parts[3]) + done + "\n", "text/plain");
    }
    return reply(http::status::not_found,
                 "no backend " + std::string(parts[3]) + " in pool " + std::string(parts[1]) + "\n", "text/plain");
  }
  return reply(http::status::not_found, "no pool " + std::string(parts[1]) + "\n", "text/plain");
}

// True when the request carries "Authorization: Bearer TOKEN"; compared in
// constant time so the answer time does not reveal a matching prefix.
bool bearer_matches(const http::request<http::string_body>& request, const std::string& token) {
  const auto field = request[http::field::authorization];
  const std::string_view value(field.data(), field.size());
  constexpr std::string_view scheme = "Bearer ";
  if (value.size() != scheme.size() + token.size() || value.substr(0, scheme.size()) != scheme) return false;
  unsigned char diff = 0;
  for (std::size_t i = 0; i < token.size(); ++i)
    diff |= static_cast<unsigned char>(value[scheme.size() + i] ^ token[i]);
  return diff == 0;
}

}  // namespace

http::response<http::string_body> handle_admin_request(const Region& region,
                                                       const http::request<http::string_body>& request,
                                                       const ProcessStats& stats, const AdminActions& actions) {
  const std::string_view target(request.target().data(), request.target().size());
  const std::string_view path = target.substr(0, target.find('?'));
  const bool get = request.method() == http::verb::get || request.method() == http::verb::head;
  // GET /health stays open: health checkers (gslb serve's) carry no credentials.
  if (!region.config.admin.token.empty() && !(get && path == "/health") &&
      !bearer_matches(request, region.config.admin.token)) {
    auto res = reply(http::status::unauthorized, "missing or wrong bearer token\n", "text/plain");
    res.set(http::field::www_authenticate, "Bearer");
    return res;
  }
  if (path == "/health" || path == "/status" || path == "/metrics") {
    if (!get) return reply(http::status::method_not_allowed, "use GET\n", "text/plain");
    if (path == "/health") return health(region);
    if (path == "/status") return status(region);
    return metrics(region, stats);
  }
  if (path.starts_with("/pools/")) {
    if (request.method() != http::verb::post)
      return reply(http::status::method_not_allowed, "use POST\n", "text/plain");
    return backend_action(region, target, actions);
  }
  return reply(http::status::not_found, "unknown admin path\n", "text/plain");
}

AdminServer::AdminServer(std::function<std::shared_ptr<const Region>()> region, asio::io_context& io,
                         std::function<ProcessStats()> stats, AdminActions actions)
    : region_(std::move(region)), io_(io), stats_(std::move(stats)), actions_(std::move(actions)), acceptor_(io) {}

bool AdminServer::bind(const Endpoint& address, std::string& error) {
  const tcp::endpoint endpoint(address.ip, address.port);
  boost::system::error_code ec;
  acceptor_.open(endpoint.protocol(), ec);
  if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor_.bind(endpoint, ec);
  if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) error = "cannot listen on " + address.text + " (admin): " + ec.message();
  return !ec;
}

tcp::endpoint AdminServer::local_endpoint() const {
  boost::system::error_code ec;
  return acceptor_.local_endpoint(ec);
}

void AdminServer::start() {
  asio::co_spawn(io_, accept_loop(), asio::detached);
}

void AdminServer::stop() {
  boost::system::error_code ignored;
  acceptor_.close(ignored);
}

asio::awaitable<void> AdminServer::accept_loop() {
  while (acceptor_.is_open()) {
    auto [ec, socket] = co_await acceptor_.async_accept(tok);
    if (ec == asio::error::operation_aborted) co_return;
    if (ec) continue;
    asio::co_spawn(io_, serve(std::move(socket)), asio::detached);
  }
}

asio::awaitable<void> AdminServer::serve(tcp::socket socket) {
  beast::tcp_stream stream(std::move(socket));
  beast::flat_buffer buffer;
  // Bounded like the proxy: deadline per request, small header and body limits,
  // and a cap on requests per connection.
  for (int i = 0; i < 100; ++i) {
    http::request_parser<http::string_body> parser;
    parser.header_limit(8 * 1024);
    parser.body_limit(64 * 1024);
    stream.expires_after(std::chrono::seconds(10));
    auto [ec, n] = co_await http::async_read(stream, buffer, parser, tok);
    if (ec) break;
    const auto region = region_();
    auto res = handle_admin_request(*region, parser.get(), stats_(), actions_);
    res.keep_alive(parser.get().keep_alive());
    auto [wec, wn] = co_await http::async_write(stream, res, tok);
    if (wec || !res.keep_alive()) break;
  }
  beast::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
}

}  // namespace gslb::lb
