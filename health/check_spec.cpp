#include "health/check_spec.hpp"

#include <charconv>
#include <functional>
#include <sstream>

namespace gslb::health {

std::string_view to_string(CheckType type) {
  switch (type) {
    case CheckType::tcp:
      return "tcp";
    case CheckType::http:
      return "http";
    case CheckType::https:
      return "https";
  }
  return "?";
}

std::optional<CheckType> parse_check_type(std::string_view text) {
  if (text == "tcp") return CheckType::tcp;
  if (text == "http") return CheckType::http;
  if (text == "https") return CheckType::https;
  return std::nullopt;
}

namespace {

std::optional<int> parse_status(std::string_view text) {
  int value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size() || text.size() != 3) return std::nullopt;
  if (value < 100 || value > 599) return std::nullopt;
  return value;
}

}  // namespace

std::optional<StatusExpectation> StatusExpectation::parse(std::string_view text) {
  if (text.size() == 3 && (text[1] == 'x' || text[1] == 'X') && (text[2] == 'x' || text[2] == 'X')) {
    if (text[0] < '1' || text[0] > '5') return std::nullopt;
    int hundred = (text[0] - '0') * 100;
    return StatusExpectation{hundred, hundred + 99};
  }
  if (auto dash = text.find('-'); dash != std::string_view::npos) {
    auto low = parse_status(text.substr(0, dash));
    auto high = parse_status(text.substr(dash + 1));
    if (!low || !high || *low > *high) return std::nullopt;
    return StatusExpectation{*low, *high};
  }
  auto single = parse_status(text);
  if (!single) return std::nullopt;
  return StatusExpectation{*single, *single};
}

std::string StatusExpectation::to_string() const {
  if (low == high) return std::to_string(low);
  if (low % 100 == 0 && high == low + 99) return std::to_string(low / 100) + "xx";
  return std::to_string(low) + "-" + std::to_string(high);
}

CheckSpec CheckSpec::normalized() const {
  CheckSpec out = *this;
  const CheckSpec defaults;
  if (type != CheckType::https) {
    out.tls_verify = defaults.tls_verify;
    out.sni = defaults.sni;
  }
  if (type == CheckType::tcp) {
    out.path = defaults.path;
    out.host_header = defaults.host_header;
    out.expect = defaults.expect;
    out.body_contains = defaults.body_contains;
    out.body_limit = defaults.body_limit;
  }
  return out;
}

std::string CheckSpec::canonical() const {
  // Strings are length-prefixed so that no path or header value can make two
  // different specs print the same line.
  auto quoted = [](const std::string& s) { return std::to_string(s.size()) + ":" + s; };
  std::ostringstream out;
  out << health::to_string(type) << " port=" << port << " path=" << quoted(path) << " host=" << quoted(host_header)
      << " expect=" << expect.to_string() << " body=" << quoted(body_contains) << " body_limit=" << body_limit
      << " interval_ms=" << interval.count() << " timeout_ms=" << timeout.count() << " rise=" << rise
      << " fall=" << fall << " jitter=" << jitter << " tls_verify=" << tls_verify << " sni=" << quoted(sni);
  return out.str();
}

std::size_t CheckSpecHash::operator()(const CheckSpec& spec) const {
  // Hashing the canonical text keeps the hash in step with operator== without
  // listing the fields twice; this runs at registration time only.
  return std::hash<std::string>{}(spec.canonical());
}

std::string validate(const CheckSpec& spec) {
  if (spec.port == 0) return "port must be between 1 and 65535";
  if (spec.type != CheckType::tcp) {
    if (spec.path.empty() || spec.path.front() != '/') return "path must start with '/'";
    for (char c : spec.path)
      if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f)
        return "path must not contain spaces or control characters";
    for (char c : spec.host_header)
      if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f)
        return "host header must not contain spaces or control characters";
    if (spec.expect.low < 100 || spec.expect.high > 599 || spec.expect.low > spec.expect.high)
      return "expect must be a status, a class like 2xx, or a range like 200-399";
  }
  if (spec.interval < std::chrono::milliseconds(10)) return "interval must be at least 10ms";
  if (spec.timeout < std::chrono::milliseconds(1)) return "timeout must be at least 1ms";
  if (spec.timeout > spec.interval) return "timeout must not exceed interval";
  if (spec.rise < 1 || spec.rise > 100) return "rise must be between 1 and 100";
  if (spec.fall < 1 || spec.fall > 100) return "fall must be between 1 and 100";
  if (!(spec.jitter >= 0.0 && spec.jitter <= 0.5)) return "jitter must be between 0 and 0.5";
  if (spec.body_limit == 0 || spec.body_limit > 1024 * 1024) return "body_limit must be between 1 byte and 1MiB";
  return {};
}

}  // namespace gslb::health
