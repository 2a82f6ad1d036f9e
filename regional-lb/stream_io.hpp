// Socket I/O of the proxy path without Beast's composed operations: one
// deadline timer per connection instead of one timer wait per operation,
// HTTP parsing straight from the connection's buffer (Beast's parser, fed by
// put()), and writes that try the socket first and only wait in the reactor
// when it is full. On loopback or a fast network almost every write completes
// at once, so a proxied request costs two reactor waits (client request,
// backend response) instead of one per read and write.
//
// Everything here runs on the owning worker's thread; a Deadline and its
// socket belong to one connection. Stream is a tcp::socket (backends) or a
// ClientStream (clients, plain or TLS; the direct socket writes apply to
// plain ones only).
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/basic_parser.hpp>
#include <boost/beast/http/message.hpp>
#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include "regional-lb/client_stream.hpp"

namespace gslb::lb {

namespace http = boost::beast::http;

// A connection's deadline. arm() only records the time; the one timer moves
// only when a deadline comes earlier than the one it waits for, and re-waits
// lazily when it fires early. When a deadline passes the socket is closed, so
// the pending operation ends, and expired() says why.
class Deadline {
 public:
  // socket must outlive this object (or the next bind()).
  explicit Deadline(boost::asio::ip::tcp::socket& socket);
  // The socket to close moved (a ClientStream switched to TLS).
  void bind(boost::asio::ip::tcp::socket& socket);
  ~Deadline();
  Deadline(const Deadline&) = delete;
  Deadline& operator=(const Deadline&) = delete;

  void arm(std::chrono::milliseconds timeout);
  void disarm();  // no deadline (an idle pooled connection)
  bool expired() const;

 private:
  struct State;
  static void wait(const std::shared_ptr<State>& state);
  std::shared_ptr<State> state_;
};

// Reads more bytes into buffer (at most max_read at a time). EOF is
// boost::asio::error::eof; any error after the deadline passed is
// boost::beast::error::timeout.
template <class Stream>
boost::asio::awaitable<boost::beast::error_code> read_more(Stream& stream, boost::beast::flat_buffer& buffer,
                                                           Deadline& deadline, std::size_t max_read = 16 * 1024);

// Parses a message header from buffer, reading more when needed; the deadline
// is armed with timeout only if the buffer does not already hold the whole
// header. Errors as Beast's async_read_header: end_of_stream when the peer
// closed before a byte of the message, partial_message after some, the
// parser's errors (header_limit, bad_*), timeout.
template <class Stream, bool isRequest>
boost::asio::awaitable<boost::beast::error_code> read_header(Stream& stream, boost::beast::flat_buffer& buffer,
                                                             http::basic_parser<isRequest>& parser, Deadline& deadline,
                                                             std::chrono::milliseconds timeout);

// read_header's first step as a plain function: parses what buffer holds.
// True when that settles it (header done, or an error in ec); false when
// more bytes are needed.
template <bool isRequest>
bool parse_header_now(boost::beast::flat_buffer& buffer, http::basic_parser<isRequest>& parser,
                      boost::beast::error_code& ec);

// Feeds buffered bytes to a parser whose header is done (its body); returns
// the parser's error, with need_more/need_buffer mapped to success.
template <bool isRequest>
boost::beast::error_code parse_buffered(boost::beast::flat_buffer& buffer, http::basic_parser<isRequest>& parser);

// Tells the parser the peer closed: success if the body ends at EOF,
// partial_message otherwise.
template <bool isRequest>
boost::beast::error_code parse_eof(http::basic_parser<isRequest>& parser);

// write_all's first step as a plain function (no coroutine frame): writes
// what the socket takes now and removes it from data. would_block is not an
// error; data is left non-empty then.
boost::beast::error_code write_now(boost::asio::ip::tcp::socket& socket, std::string_view& data);
// The same on a client: nothing for TLS (the bytes must go through the TLS layer).
boost::beast::error_code write_now(ClientStream& stream, std::string_view& data);

// Writes all of data: directly while the socket takes it, waiting in the
// reactor (under the deadline, armed with timeout) only when it is full.
template <class Stream>
boost::asio::awaitable<boost::beast::error_code> write_all(Stream& stream, std::string_view data, Deadline& deadline,
                                                           std::chrono::milliseconds timeout);

// Appends the start line and the fields of a header; the caller may add
// fields with append_field and ends the header with end_header.
void serialize_header(const http::request_header<>& header, std::string& out);
void serialize_header(const http::response_header<>& header, std::string& out);
void append_field(std::string& out, std::string_view name, std::string_view value);
inline void end_header(std::string& out) {
  out.append("\r\n", 2);
}

// Appends one piece of a body: as is, or as a chunk (RFC 9112 §7.1) when
// chunked; an empty piece appends nothing.
void append_body_piece(std::string& out, const void* data, std::size_t size, bool chunked);
// The last-chunk and the empty trailer section that end a chunked body.
void append_last_chunk(std::string& out);

}  // namespace gslb::lb
