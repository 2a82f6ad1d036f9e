// CheckSpec: what one health check does (HTTP, HTTPS or TCP), how often, and
// how many consecutive results it takes to change state. A plain value type:
// equality and hashing cover every field, so two pools that describe the same
// check of the same address share one probe stream (gdnsd registers each
// service type x address once; PowerDNS keys its IsUpOracle by CheckDesc).
//
// Defaults are those of the regional LB (HAProxy-like: interval 10 s, timeout
// 5 s, rise 2, fall 3). The policy loader owns its own defaults and ranges and
// fills every field explicitly; validate() is the common range check.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace gslb::health {

enum class CheckType { tcp, http, https };

std::string_view to_string(CheckType type);
std::optional<CheckType> parse_check_type(std::string_view text);

// Accepted HTTP status codes, an inclusive range: "200" is [200, 200], "2xx"
// is [200, 299], "200-399" is [200, 399].
struct StatusExpectation {
  int low = 200;
  int high = 299;

  bool matches(int status) const { return status >= low && status <= high; }
  // nullopt when the text is none of the three forms or outside 100..599.
  static std::optional<StatusExpectation> parse(std::string_view text);
  std::string to_string() const;

  friend bool operator==(const StatusExpectation&, const StatusExpectation&) = default;
};

struct CheckSpec {
  CheckType type = CheckType::http;
  std::uint16_t port = 80;
  std::string path = "/health";        // http/https: request target, starts with '/'
  std::string host_header;             // empty: the probed address literal
  StatusExpectation expect;            // http/https only
  std::string body_contains;           // empty: the body is not read
  std::size_t body_limit = 64 * 1024;  // bytes of body searched for body_contains
  std::chrono::milliseconds interval{10000};
  std::chrono::milliseconds timeout{5000};  // covers connect + TLS + write + read
  int rise = 2;                             // consecutive successes that bring a down target up
  int fall = 3;                             // consecutive failures that take an up target down
  double jitter = 0.1;                      // each wait is interval x (1 +- jitter), uniformly
  bool tls_verify = false;                  // https: like Route 53, certificates are not validated by default
  std::string sni;                          // https: empty means host_header when that is a name, else none

  friend bool operator==(const CheckSpec&, const CheckSpec&) = default;

  // A copy with the fields this type ignores reset to their defaults (a tcp
  // check has no path, an http check no SNI), so that specs differing only in
  // ignored fields compare equal and share a probe.
  CheckSpec normalized() const;

  // Every field, in a fixed order, as one line of text. Stable across builds
  // (unlike std::hash), so it is the spec's identity in the SQLite state store.
  std::string canonical() const;
};

struct CheckSpecHash {
  std::size_t operator()(const CheckSpec& spec) const;
};

// Empty when the spec is usable; otherwise one message naming the first bad
// field (e.g. "fall must be between 1 and 100"). Control plane only.
std::string validate(const CheckSpec& spec);

}  // namespace gslb::health
