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
  std::vector<std::string> listed;
  for (const auto& f : range(header.equal_range(http::field::connection))) {
    for (const auto& token : http::token_list{f.value()}) listed.emplace_back(token);
  }
  for (const auto& name : listed) {
    // Host and the framing fields are never the client's to remove: framing is
    // re-derived by the caller, and Host routes the request.
    if (iequals(name, "host") || iequals(name, "content-length")) continue;
    if (keep_upgrade && iequals(name, "upgrade")) continue;
    header.erase(name);
  }
  header.erase(http::field::connection);
  header.erase(http::field::keep_alive);
  header.erase(http::field::te);
  header.erase(http::field::trailer);
  header.erase(http::field::transfer_encoding);
  if (!keep_upgrade) header.erase(http::field::upgrade);
  // Proxy-Authorization, Proxy-Authenticate, Proxy-Connection and any other Proxy-*.
  for (auto it = header.begin(); it != header.end();) {
    const auto name = it->name_string();
    if (name.size() >= 6 && iequals(std::string_view(name.data(), 6), "proxy-")) {
      it = header.erase(it);
    } else {
      ++it;
    }
  }
  if (keep_upgrade) header.set(http::field::connection, "upgrade");
}

template void strip_hop_by_hop<true>(http::header<true>&, bool);
template void strip_hop_by_hop<false>(http::header<false>&, bool);

void add_forwarded(http::request_header<>& header, std::string_view client_ip, std::string_view proto) {
  // Every earlier X-Forwarded-For field, in order, then this hop's client.
  std::string chain;
  for (const auto& f : range(header.equal_range("X-Forwarded-For"))) {
    const auto v = trim(std::string_view(f.value().data(), f.value().size()));
    if (v.empty()) continue;
    if (!chain.empty()) chain += ", ";
    chain += v;
  }
  if (!chain.empty()) chain += ", ";
  chain += client_ip;
  header.set("X-Forwarded-For", chain);
  header.set("X-Forwarded-Proto", proto);
  header.set("X-Real-IP", client_ip);
  const auto host = header[http::field::host];
  if (!host.empty()) {
    header.set("X-Forwarded-Host", host);
  } else {
    header.erase("X-Forwarded-Host");
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
