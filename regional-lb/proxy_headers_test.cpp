// Request framing: what Beast's parser refuses by itself, and what
// check_request adds on top, fed with the raw bytes an attacker would send.
#include "regional-lb/proxy_headers.hpp"

#include <doctest/doctest.h>

#include <boost/asio/buffer.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

using namespace gslb::lb;

namespace {

struct Parsed {
  boost::system::error_code parse_error;  // from Beast
  std::optional<Refusal> refusal;         // from check_request, when Beast accepted the header
  std::string body;
};

Parsed parse(std::string_view raw, HeaderLimits limits = {}) {
  http::request_parser<http::string_body> p;
  p.eager(true);
  Parsed out;
  std::size_t used = 0;
  while (used < raw.size() && !p.is_done()) {
    const auto n = p.put(boost::asio::buffer(raw.data() + used, raw.size() - used), out.parse_error);
    if (out.parse_error == http::error::need_more) {
      out.parse_error = {};
      break;
    }
    if (out.parse_error) return out;
    if (n == 0) break;
    used += n;
  }
  if (!p.is_header_done()) return out;
  out.refusal = check_request(p.get().base(), p.chunked(), limits);
  out.body = p.get().body();
  return out;
}

}  // namespace

TEST_CASE("Beast itself refuses CL+TE, differing Content-Lengths and bad chunk sizes") {
  CHECK(parse("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n").parse_error ==
        http::error::bad_transfer_encoding);
  CHECK(parse("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n").parse_error ==
        http::error::bad_content_length);
  CHECK(parse("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello").parse_error ==
        http::error::multiple_content_length);
  CHECK(parse("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5, 6\r\n\r\nhello").parse_error ==
        http::error::multiple_content_length);
  CHECK(parse("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: -5\r\n\r\n").parse_error ==
        http::error::bad_content_length);
  CHECK(parse("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n").parse_error ==
        http::error::bad_chunk);
  // "0x5" reads as size 0 followed by a malformed chunk extension.
  CHECK(
      parse("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0x5\r\nhello\r\n0\r\n\r\n").parse_error ==
      http::error::bad_chunk_extension);
  CHECK(parse("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding : chunked\r\n\r\n").parse_error);
  CHECK(parse("GET / HTTP/1.1\nHost: a\n\n").parse_error);
  // Identical duplicates are legal (RFC 9110 §8.6) and read as one length.
  const auto same = parse("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\nhello");
  CHECK_FALSE(same.parse_error);
  CHECK_FALSE(same.refusal);
  CHECK(same.body == "hello");
}

TEST_CASE("check_request refuses the obfuscated Transfer-Encodings Beast lets through") {
  for (const char* te :
       {"chunked, identity", "xchunked", "identity", "chunked\r\nTransfer-Encoding: chunked", "gzip, chunked"}) {
    CAPTURE(te);
    const auto r = parse(std::string("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: ") + te + "\r\n\r\n");
    // Beast may refuse the repeated field itself; otherwise check_request must.
    if (r.parse_error) continue;
    REQUIRE(r.refusal);
    CHECK(r.refusal->status == http::status::bad_request);
  }
  // "gzip, chunked" is valid HTTP but we only speak chunked: refused, not mis-framed.
  const auto http10 = parse("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n");
  REQUIRE(http10.refusal);
  CHECK(http10.refusal->reason == "Transfer-Encoding in an HTTP/1.0 request");
  const auto ok = parse("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: Chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n");
  CHECK_FALSE(ok.parse_error);
  CHECK_FALSE(ok.refusal);
  CHECK(ok.body == "hello");
}

TEST_CASE("Host is required once in HTTP/1.1; limits give 414 and 431") {
  CHECK(parse("GET / HTTP/1.1\r\n\r\n").refusal->reason == "missing or repeated Host");
  CHECK(parse("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n").refusal->status == http::status::bad_request);
  CHECK_FALSE(parse("GET / HTTP/1.0\r\n\r\n").refusal);
  HeaderLimits small{20, 3};
  CHECK(parse("GET /" + std::string(20, 'a') + " HTTP/1.1\r\nHost: a\r\n\r\n", small).refusal->status ==
        http::status::uri_too_long);
  CHECK_FALSE(parse("GET /" + std::string(19, 'a') + " HTTP/1.1\r\nHost: a\r\n\r\n", small).refusal);
  CHECK(parse("GET / HTTP/1.1\r\nHost: a\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n", small).refusal->status ==
        http::status::request_header_fields_too_large);
}

TEST_CASE("hop-by-hop fields go, including those Connection lists; framing and Host stay") {
  http::request_header<> h;
  h.set(http::field::host, "example.com");
  h.set(http::field::connection, "keep-alive, X-Secret, Host, Content-Length");
  h.insert(http::field::connection, "upgrade");
  h.set(http::field::keep_alive, "timeout=5");
  h.set(http::field::te, "trailers");
  h.set(http::field::trailer, "X-Checksum");
  h.set(http::field::upgrade, "websocket");
  h.set(http::field::content_length, "5");
  h.set("X-Secret", "s");
  h.set("Proxy-Authorization", "Basic abc");
  h.set("Proxy-Connection", "keep-alive");
  h.set("X-Kept", "yes");
  http::request_header<> upgrading = h;
  strip_hop_by_hop(h, false);
  for (const char* gone : {"Connection", "Keep-Alive", "TE", "Trailer", "Upgrade", "X-Secret", "Proxy-Authorization",
                           "Proxy-Connection"}) {
    CAPTURE(gone);
    CHECK(h.count(gone) == 0);
  }
  CHECK(h[http::field::host] == "example.com");
  CHECK(h[http::field::content_length] == "5");
  CHECK(h["X-Kept"] == "yes");
  strip_hop_by_hop(upgrading, true);
  CHECK(upgrading[http::field::upgrade] == "websocket");
  CHECK(upgrading[http::field::connection] == "upgrade");
  CHECK(upgrading.count("X-Secret") == 0);
}

TEST_CASE("X-Forwarded-For appends to every earlier hop; the others are set") {
  http::request_header<> h;
  h.set(http::field::host, "shop.example:8080");
  h.insert("X-Forwarded-For", "203.0.113.7");
  h.insert("X-Forwarded-For", "198.51.100.1, 10.1.1.1");
  h.set("X-Real-IP", "1.1.1.1");
  h.set("X-Forwarded-Proto", "https");
  add_forwarded(h, "127.0.0.1", "http");
  CHECK(h.count("X-Forwarded-For") == 1);
  CHECK(h["X-Forwarded-For"] == "203.0.113.7, 198.51.100.1, 10.1.1.1, 127.0.0.1");
  CHECK(h["X-Real-IP"] == "127.0.0.1");
  CHECK(h["X-Forwarded-Proto"] == "http");
  CHECK(h["X-Forwarded-Host"] == "shop.example:8080");
  http::request_header<> fresh;
  add_forwarded(fresh, "::1", "http");
  CHECK(fresh["X-Forwarded-For"] == "::1");
  CHECK(fresh.count("X-Forwarded-Host") == 0);
}

TEST_CASE("cookies are found by exact name") {
  http::request_header<> h;
  h.insert(http::field::cookie, "a=1; session=xyz; sessionid=nope");
  h.insert(http::field::cookie, "b=2");
  CHECK(find_cookie(h, "session") == "xyz");
  CHECK(find_cookie(h, "b") == "2");
  CHECK(find_cookie(h, "sess").empty());
  CHECK(iequals("Chunked", "cHUNKED"));
  CHECK_FALSE(iequals("chunked", "chunkes"));
}
