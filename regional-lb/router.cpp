#include "regional-lb/router.hpp"

#include "regional-lb/proxy_headers.hpp"

namespace gslb::lb {
namespace {

std::string lower(std::string s) {
  for (auto& c : s) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return s;
}

// Host without its port; brackets of an IPv6 literal kept ("[::1]:80" → "[::1]").
std::string_view host_only(std::string_view host) {
  const auto close = host.rfind(']');
  const auto colon = host.rfind(':');
  if (colon != std::string_view::npos && (close == std::string_view::npos || colon > close)) {
    host = host.substr(0, colon);
  }
  return host;
}

}  // namespace

Router::Router(const RegionConfig& config) {
  for (std::size_t i = 0; i < config.routes.size(); ++i) {
    const RouteConfig& rc = config.routes[i];
    Route r;
    r.name = "routes[" + std::to_string(i) + "]";
    r.host = lower(std::string(host_only(rc.host)));
    r.path_prefix = rc.path_prefix;
    r.path = rc.path;
    r.method = rc.method;
    r.scheme = rc.scheme == "http" ? 1 : rc.scheme == "https" ? 2 : 0;
    r.header_name = rc.header_name;
    r.header_value = rc.header_value;
    r.action = rc.action;
    r.status = rc.status;
    r.body = rc.body;
    r.location = rc.location;
    r.redirect_scheme = rc.redirect_scheme;
    r.redirect_host = rc.redirect_host;
    r.redirect_port = rc.redirect_port;
    for (std::size_t p = 0; p < config.pools.size(); ++p) {
      if (config.pools[p].name == rc.pool) r.pool = p;
    }
    routes_.push_back(std::move(r));
  }
  if (routes_.empty() && config.pools.size() == 1) {
    Route all;
    all.name = "default";
    routes_.push_back(std::move(all));
  }
}

const Route* Router::match(const boost::beast::http::request_header<>& request, bool tls) const {
  const auto target = request.target();
  const std::string_view full(target.data(), target.size());
  const std::string_view path = full.substr(0, full.find('?'));
  const auto host_field = request[boost::beast::http::field::host];
  const std::string_view host = host_only(std::string_view(host_field.data(), host_field.size()));
  const auto method = request.method_string();
  const int scheme = tls ? 2 : 1;
  for (const Route& r : routes_) {
    if (r.scheme != 0 && r.scheme != scheme) continue;
    if (!r.host.empty() && !iequals(host, r.host)) continue;
    if (!r.path.empty() && path != r.path) continue;
    if (!r.path_prefix.empty() && path.substr(0, r.path_prefix.size()) != r.path_prefix) continue;
    if (!r.method.empty() && std::string_view(method.data(), method.size()) != r.method) continue;
    if (!r.header_name.empty()) {
      const auto it = request.find(r.header_name);
      if (it == request.end()) continue;
      if (!r.header_value.empty() && std::string_view(it->value().data(), it->value().size()) != r.header_value) {
        continue;
      }
    }
    return &r;
  }
  return nullptr;
}

std::string redirect_location(const Route& route, const boost::beast::http::request_header<>& request, bool tls) {
  if (!route.location.empty()) return route.location;
  const std::string_view scheme =
      !route.redirect_scheme.empty() ? std::string_view(route.redirect_scheme) : (tls ? "https" : "http");
  std::string_view host = route.redirect_host;
  if (host.empty()) {
    const auto field = request[boost::beast::http::field::host];
    host = host_only(std::string_view(field.data(), field.size()));
  }
  // RFC 9112 §3.2: origin-form ("/p?q") is the norm; from an absolute-form
  // target ("http://h/p?q") keep what follows the authority.
  const auto raw = request.target();
  std::string_view target(raw.data(), raw.size());
  if (target.empty() || target[0] != '/') {
    const auto authority = target.find("://");
    const auto slash = authority == std::string_view::npos ? std::string_view::npos : target.find('/', authority + 3);
    target = slash == std::string_view::npos ? std::string_view("/") : target.substr(slash);
  }
  std::string out;
  out.reserve(scheme.size() + host.size() + target.size() + 10);
  out.append(scheme).append("://").append(host);
  const int default_port = scheme == "https" ? 443 : 80;
  if (route.redirect_port != 0 && route.redirect_port != default_port) {
    out += ':';
    out += std::to_string(route.redirect_port);
  }
  out.append(target);
  return out;
}

}  // namespace gslb::lb
