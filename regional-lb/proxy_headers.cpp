#include "regional-lb/proxy_headers.hpp"

#include <boost/beast/http/rfc7230.hpp>
#include <vector>

namespace gslb::lb {

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

namespace {

// basic_fields::equal_range returns an iterator pair; this makes it a range.
template <typename It>
struct Range {
  It first, last;
  It begin() const { return first; }
  It end() const { return last; }
};
template <typename Pair>
auto range(Pair p) {
  return Range<decltype(p.first)>{p.first, p.second};
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

std::optional<Refusal> check_request(const http::request_header<>& header, bool chunked, const HeaderLimits& limits) {
  if (header.target().size() > limits.request_line) {
    return Refusal{http::status::uri_too_long, "request target longer than " + std::to_string(limits.request_line)};
  }
  std::size_t fields = 0, transfer_encodings = 0, hosts = 0;
  for (const auto& f : header) {
    ++fields;
    if (f.name() == http::field::transfer_encoding) ++transfer_encodings;
    if (f.name() == http::field::host) ++hosts;
  }
  if (fields > limits.header_count) {
    return Refusal{http::status::request_header_fields_too_large,
                   "more than " + std::to_string(limits.header_count) + " header fields"};
  }
  if (transfer_encodings > 0) {
    // RFC 9112 §6.1: Transfer-Encoding in an HTTP/1.0 request is faulty framing.
    if (header.version() < 11) return Refusal{http::status::bad_request, "Transfer-Encoding in an HTTP/1.0 request"};
    // Only exactly "chunked" is accepted. Anything else ("chunked, identity",
    // "xchunked", two fields) Beast would read as "no body" while a backend
    // may read a body: the desync that request smuggling needs (RFC 9112 §6.3 ¶3).
    if (transfer_encodings > 1 || !chunked || !iequals(trim(header[http::field::transfer_encoding]), "chunked")) {
      return Refusal{http::status::bad_request, "unsupported Transfer-Encoding"};
    }
  }
  // RFC 9112 §3.2: a server MUST respond 400 to an HTTP/1.1 request without
  // Host or with more than one.
  if (hosts > 1 || (hosts == 0 && header.version() >= 11)) {
    return Refusal{http::status::bad_request, "missing or repeated Host"};
  }
  return std::nullopt;
}

bool wants_upgrade(const http::request_header<>& header) {
  if (header.count(http::field::upgrade) == 0) return false;
  for (const auto& f : range(header.equal_range(http::field::connection))) {
    for (const auto& token : http::token_list{f.value()}) {
      if (iequals(token, "upgrade")) return true;
    }
  }
  return false;
}

template <bool isRequest>
void strip_hop_by_hop(http::header<isRequest>& header, bool keep_upgrade) {
  // Names listed in Connection, copied (their fields are erased below). The
  // usual tokens need no entry: close and keep-alive name no field of their
  // own beyond Keep-Alive, and Upgrade is decided by keep_upgrade.
  std::vector<std::string> listed;
  for (const auto& f : header) {
    if (f.name() != http::field::connection) continue;
    for (const auto& token : http::token_list{f.value()}) {
      const std::string_view t(token.data(), token.size());
      if (iequals(t, "close") || iequals(t, "keep-alive") || iequals(t, "upgrade")) continue;
      listed.emplace_back(t);
    }
  }
  // One pass over the fields: a request carries a dozen, and looking each
  // hop-by-hop name up separately costs more than this walk.
  for (auto it = header.begin(); it != header.end();) {
    bool drop = false;
    switch (it->name()) {
      case http::field::connection:
      case http::field::keep_alive:
      case http::field::te:
      case http::field::trailer:
      case http::field::transfer_encoding:
        drop = true;
        break;
      case http::field::upgrade:
        drop = !keep_upgrade;
        break;
      // Host and the framing fields are never the client's to remove: framing
      // is re-derived by the caller, and Host routes the request.
      case http::field::host:
      case http::field::content_length:
        break;
      default: {
        const auto n = it->name_string();
        const std::string_view name(n.data(), n.size());
        // Proxy-Authorization, Proxy-Authenticate, Proxy-Connection and any other Proxy-*.
        drop = name.size() >= 6 && iequals(name.substr(0, 6), "proxy-");
        for (std::size_t i = 0; !drop && i < listed.size(); ++i) drop = iequals(name, listed[i]);
      }
    }
    it = drop ? header.erase(it) : std::next(it);
  }
  if (keep_upgrade) header.set(http::field::connection, "upgrade");
}

template void strip_hop_by_hop<true>(http::header<true>&, bool);
template void strip_hop_by_hop<false>(http::header<false>&, bool);

void take_forwarded(http::request_header<>& header, std::string_view client_ip, std::string_view proto,
                    std::string& out) {
  // Which of these fields the client sent: only those need a lookup.
  bool xff = false, xfp = false, xri = false, xfh = false;
  for (const auto& f : header) {
    if (f.name() != http::field::unknown) continue;
    const auto n = f.name_string();
    const std::string_view name(n.data(), n.size());
    if (name.size() < 9) continue;
    if (iequals(name, "X-Forwarded-For")) xff = true;
    if (iequals(name, "X-Forwarded-Proto")) xfp = true;
    if (iequals(name, "X-Real-IP")) xri = true;
    if (iequals(name, "X-Forwarded-Host")) xfh = true;
  }
  out += "X-Forwarded-For: ";
  if (xff) {
    // Every earlier X-Forwarded-For field, in order, then this hop's client.
    for (const auto& f : range(header.equal_range("X-Forwarded-For"))) {
      const auto v = trim(std::string_view(f.value().data(), f.value().size()));
      if (v.empty()) continue;
      out += v;
      out += ", ";
    }
    header.erase("X-Forwarded-For");
  }
  out += client_ip;
  out += "\r\nX-Forwarded-Proto: ";
  out += proto;
  out += "\r\nX-Real-IP: ";
  out += client_ip;
  out += "\r\n";
  if (xfp) header.erase("X-Forwarded-Proto");
  if (xri) header.erase("X-Real-IP");
  if (xfh) header.erase("X-Forwarded-Host");
  const auto host = header[http::field::host];
  if (!host.empty()) {
    out += "X-Forwarded-Host: ";
    out.append(host.data(), host.size());
    out += "\r\n";
  }
}

void add_forwarded(http::request_header<>& header, std::string_view client_ip, std::string_view proto) {
  std::string lines;
  take_forwarded(header, client_ip, proto, lines);
  std::string_view rest = lines;
  while (!rest.empty()) {
    const auto eol = rest.find("\r\n");
    const auto line = rest.substr(0, eol);
    const auto colon = line.find(": ");
    header.insert(line.substr(0, colon), line.substr(colon + 2));
    rest.remove_prefix(eol + 2);
  }
}

std::string_view find_cookie(const http::request_header<>& header, std::string_view name) {
  // RFC 6265 §4.2.1: cookie-string = cookie-pair *( ";" SP cookie-pair ).
  for (const auto& f : range(header.equal_range(http::field::cookie))) {
    std::string_view rest(f.value().data(), f.value().size());
    while (!rest.empty()) {
      const auto semi = rest.find(';');
      const auto pair = trim(rest.substr(0, semi));
      rest = semi == std::string_view::npos ? std::string_view{} : rest.substr(semi + 1);
      const auto eq = pair.find('=');
      if (eq != std::string_view::npos && pair.substr(0, eq) == name) return pair.substr(eq + 1);
    }
  }
  return {};
}

}  // namespace gslb::lb
