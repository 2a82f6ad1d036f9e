// Header rules of the proxy, as pure functions over Beast header objects so
// they are unit-tested without sockets. Thread-safe (no state).
//
//  - check_request_framing: the request-smuggling defences Beast's parser does
//    not already apply (it rejects Content-Length with Transfer-Encoding and
//    differing Content-Lengths itself; see proxy_headers_test.cpp).
//  - strip_hop_by_hop: RFC 9110 §7.6.1 — Connection and every field it names,
//    Keep-Alive, TE, Trailer, Transfer-Encoding, Upgrade (unless upgrading),
//    Proxy-*. Framing is set again afterwards from what the parser decided, so
//    a client cannot make the proxy drop Content-Length by listing it in Connection.
//  - add_forwarded: X-Forwarded-For (appended), -Proto, -Host, X-Real-IP.
#pragma once

#include <boost/beast/http/fields.hpp>
#include <boost/beast/http/message.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace gslb::lb {

namespace http = boost::beast::http;

// Why a request header is refused; nullopt when it may be forwarded.
struct Refusal {
  http::status status;
  std::string reason;  // for the log and the response body
};

struct HeaderLimits {
  std::uint32_t request_line = 8192;
  std::uint32_t header_count = 100;
};

// Checks a request header Beast accepted. chunked is the parser's verdict
// (parser.chunked()). Refuses with 400 (framing), 414 (target too long) or
// 431 (too many fields).
std::optional<Refusal> check_request(const http::request_header<>& header, bool chunked, const HeaderLimits& limits);

// Whether the request asks to switch protocols (Connection: upgrade + Upgrade).
bool wants_upgrade(const http::request_header<>& header);

// Removes hop-by-hop fields in place. keep_upgrade keeps Upgrade and leaves
// "Connection: upgrade" for a protocol switch.
template <bool isRequest>
void strip_hop_by_hop(http::header<isRequest>& header, bool keep_upgrade);

// Adds the X-Forwarded-* family for a request from client_ip arriving over proto.
void add_forwarded(http::request_header<>& header, std::string_view client_ip, std::string_view proto);

// add_forwarded without growing the header (the proxy path): removes the
// client's X-Forwarded-For/-Proto/-Host and X-Real-IP from header and appends
// this hop's to out as "Name: value\r\n" lines, for the serialised request.
void take_forwarded(http::request_header<>& header, std::string_view client_ip, std::string_view proto,
                    std::string& out);

// The value of cookie `name` in the Cookie header(s), or empty.
std::string_view find_cookie(const http::request_header<>& header, std::string_view name);

// Case-insensitive ASCII comparison.
bool iequals(std::string_view a, std::string_view b);

}  // namespace gslb::lb
