// Routing rules compiled from region.yaml: top to bottom, the first rule whose
// conditions all hold decides (forward to a pool, a fixed response, or a
// redirect). Immutable after construction; any thread may call match().
#pragma once

#include <boost/beast/http/message.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "regional-lb/config.hpp"

namespace gslb::lb {

struct Route {
  std::string name;         // for logs: the config's name or "routes[i]"
  std::string host;         // lower-case, empty = any
  std::string path_prefix;  // empty = any
  std::string path;         // empty = any
  std::string method;       // empty = any
  int scheme = 0;           // 0 = any, 1 = http only, 2 = https only
  std::string header_name;  // empty = no header condition
  std::string header_value;
  RouteConfig::Action action = RouteConfig::Action::forward;
  std::size_t pool = 0;  // index into RegionConfig::pools (forward)
  int status = 0;
  std::string body;
  std::string location;
  std::string redirect_scheme;  // see RouteConfig
  std::string redirect_host;
  int redirect_port = 0;
};

// The Location of a redirect route for this request: route.location if set,
// else a URL built from the request with the route's scheme, host and port
// in place of the request's and its path and query kept (the HTTP→HTTPS
// redirect). tls: the request came over TLS (its scheme is https).
std::string redirect_location(const Route& route, const boost::beast::http::request_header<>& request, bool tls);

class Router {
 public:
  // Precondition: config validated (every route's pool exists).
  explicit Router(const RegionConfig& config);

  // The first matching route, or nullptr (the caller answers 404). tls: the
  // request arrived on a TLS listener.
  const Route* match(const boost::beast::http::request_header<>& request, bool tls = false) const;

  const std::vector<Route>& routes() const { return routes_; }

 private:
  std::vector<Route> routes_;
};

}  // namespace gslb::lb
