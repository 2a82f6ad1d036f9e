#include "regional-lb/stream_io.hpp"

#include <boost/beast/http/error.hpp>

#include "regional-lb/coroutine_prelude.hpp"

namespace gslb::lb {

namespace {

// Reads and writes on a plain client go to its socket directly, past
// beast::tcp_stream's per-operation timer logic (the Deadline replaces it).
auto read_some(tcp::socket& s, asio::mutable_buffer b) {
  return s.async_read_some(b, tok);
}
auto read_some(ClientStream& s, asio::mutable_buffer b) {
  return s.is_tls() ? s.async_read_some(b, tok) : s.socket().async_read_some(b, tok);
}
auto write_some(tcp::socket& s, asio::const_buffer b) {
  return s.async_write_some(b, tok);
}
auto write_some(ClientStream& s, asio::const_buffer b) {
  return s.is_tls() ? s.async_write_some(b, tok) : s.socket().async_write_some(b, tok);
}

}  // namespace

struct Deadline::State {
  explicit State(tcp::socket& s) : timer(s.get_executor()), socket(&s) {}
  asio::steady_timer timer;
  Clock::time_point deadline = Clock::time_point::max();   // max: disarmed
  Clock::time_point scheduled = Clock::time_point::max();  // what the timer waits for
  bool waiting = false;
  bool expired = false;
  tcp::socket* socket;  // null once the owner is gone
};

Deadline::Deadline(tcp::socket& socket) : state_(std::make_shared<State>(socket)) {}

Deadline::~Deadline() {
  state_->socket = nullptr;
  state_->timer.cancel();
}

void Deadline::arm(std::chrono::milliseconds timeout) {
  State& s = *state_;
  s.deadline = Clock::now() + timeout;
  // A later deadline than the timer's is picked up when the timer fires; only
  // an earlier one needs the timer moved (which cancels its wait).
  if (s.waiting && s.deadline >= s.scheduled) return;
  s.scheduled = s.deadline;
  s.timer.expires_at(s.deadline);
  wait(state_);
}

void Deadline::bind(tcp::socket& socket) {
  state_->socket = &socket;
}

void Deadline::disarm() {
  state_->deadline = Clock::time_point::max();
}

bool Deadline::expired() const {
  return state_->expired;
}

void Deadline::wait(const std::shared_ptr<State>& state) {
  state->waiting = true;
  // The handler holds the state, not the Deadline: it may run after the
  // connection is gone (a timer that fired is not cancelled by destruction).
  state->timer.async_wait([state](const boost::system::error_code& ec) {
    // Aborted: moved by arm() (a new wait is pending) or destroyed.
    if (ec == asio::error::operation_aborted) return;
    State& s = *state;
    s.waiting = false;
    if (!s.socket || s.deadline == Clock::time_point::max()) return;
    if (Clock::now() >= s.deadline) {
      s.expired = true;
      boost::system::error_code ignored;
      s.socket->close(ignored);  // ends whatever operation waits on it
      return;
    }
    s.scheduled = s.deadline;
    s.timer.expires_at(s.deadline);
    wait(state);
  });
}

template <class Stream>
asio::awaitable<beast::error_code> read_more(Stream& stream, beast::flat_buffer& buffer, Deadline& deadline,
                                             std::size_t max_read) {
  auto [ec, n] = co_await read_some(stream, buffer.prepare(max_read));
  if (!ec) {
    buffer.commit(n);
    co_return beast::error_code{};
  }
  if (deadline.expired()) co_return beast::error::timeout;
  co_return ec;
}

template asio::awaitable<beast::error_code> read_more(tcp::socket&, beast::flat_buffer&, Deadline&, std::size_t);
template asio::awaitable<beast::error_code> read_more(ClientStream&, beast::flat_buffer&, Deadline&, std::size_t);

template <bool isRequest>
bool parse_header_now(beast::flat_buffer& buffer, http::basic_parser<isRequest>& parser, beast::error_code& ec) {
  ec = {};
  while (buffer.size() > 0) {
    const std::size_t used = parser.put(buffer.data(), ec);
    buffer.consume(used);
    if (!ec && parser.is_header_done()) return true;
    if (ec == http::error::need_more) {
      ec = {};
      return false;
    }
    if (ec) return true;
    if (used == 0) return false;
  }
  return false;
}

template bool parse_header_now<true>(beast::flat_buffer&, http::basic_parser<true>&, beast::error_code&);
template bool parse_header_now<false>(beast::flat_buffer&, http::basic_parser<false>&, beast::error_code&);

template <class Stream, bool isRequest>
asio::awaitable<beast::error_code> read_header(Stream& stream, beast::flat_buffer& buffer,
                                               http::basic_parser<isRequest>& parser, Deadline& deadline,
                                               std::chrono::milliseconds timeout) {
  beast::error_code ec;
  if (parse_header_now(buffer, parser, ec)) co_return ec;
  // The header deadline runs from the first read the header needs, once.
  deadline.arm(timeout);
  while (true) {
    auto [rec, n] = co_await read_some(stream, buffer.prepare(16 * 1024));
    if (rec) {
      if (deadline.expired()) {
        ec = beast::error::timeout;
      } else if (rec == asio::error::eof) {
        ec = parser.got_some() ? http::error::partial_message : http::error::end_of_stream;
      } else {
        ec = rec;
      }
      break;
    }
    buffer.commit(n);
    if (parse_header_now(buffer, parser, ec)) break;
  }
  deadline.disarm();
  co_return ec;
}

template asio::awaitable<beast::error_code> read_header(tcp::socket&, beast::flat_buffer&, http::basic_parser<false>&,
                                                        Deadline&, std::chrono::milliseconds);
template asio::awaitable<beast::error_code> read_header(ClientStream&, beast::flat_buffer&, http::basic_parser<true>&,
                                                        Deadline&, std::chrono::milliseconds);

template <bool isRequest>
beast::error_code parse_buffered(beast::flat_buffer& buffer, http::basic_parser<isRequest>& parser) {
  beast::error_code ec;
  if (buffer.size() == 0) return ec;
  const std::size_t used = parser.put(buffer.data(), ec);
  buffer.consume(used);
  if (ec == http::error::need_more || ec == http::error::need_buffer) ec = {};
  return ec;
}

template beast::error_code parse_buffered<true>(beast::flat_buffer&, http::basic_parser<true>&);
template beast::error_code parse_buffered<false>(beast::flat_buffer&, http::basic_parser<false>&);

template <bool isRequest>
beast::error_code parse_eof(http::basic_parser<isRequest>& parser) {
  beast::error_code ec;
  parser.put_eof(ec);
  return ec;
}

template beast::error_code parse_eof<true>(http::basic_parser<true>&);
template beast::error_code parse_eof<false>(http::basic_parser<false>&);

beast::error_code write_now(tcp::socket& socket, std::string_view& data) {
  while (!data.empty()) {
    beast::error_code ec;
    const std::size_t n = socket.write_some(asio::buffer(data.data(), data.size()), ec);
    if (ec == asio::error::would_block || ec == asio::error::try_again) return {};
    if (ec) return ec;
    data.remove_prefix(n);
  }
  return {};
}

beast::error_code write_now(ClientStream& stream, std::string_view& data) {
  if (stream.is_tls()) return {};
  return write_now(stream.socket(), data);
}

template <class Stream>
asio::awaitable<beast::error_code> write_all(Stream& stream, std::string_view data, Deadline& deadline,
                                             std::chrono::milliseconds timeout) {
  // Precondition: a plain socket is in non-blocking mode (non_blocking(true)).
  beast::error_code ec = write_now(stream, data);
  while (!ec && !data.empty()) {
    deadline.arm(timeout);
    auto [wec, n] = co_await write_some(stream, asio::buffer(data.data(), data.size()));
    deadline.disarm();
    if (wec) {
      ec = deadline.expired() ? beast::error_code(beast::error::timeout) : wec;
    } else {
      data.remove_prefix(n);
    }
  }
  co_return ec;
}

template asio::awaitable<beast::error_code> write_all(tcp::socket&, std::string_view, Deadline&,
                                                      std::chrono::milliseconds);
template asio::awaitable<beast::error_code> write_all(ClientStream&, std::string_view, Deadline&,
                                                      std::chrono::milliseconds);

namespace {

template <bool isRequest>
void append_fields(const http::header<isRequest>& header, std::string& out) {
  for (const auto& f : header) {
    const auto name = f.name_string();
    const auto value = f.value();
    out.append(name.data(), name.size());
    out.append(": ", 2);
    out.append(value.data(), value.size());
    out.append("\r\n", 2);
  }
}

}  // namespace

void serialize_header(const http::request_header<>& header, std::string& out) {
  // RFC 9112 §3: request-line = method SP request-target SP HTTP-version
  const auto method = header.method_string();
  const auto target = header.target();
  out.append(method.data(), method.size());
  out.push_back(' ');
  out.append(target.data(), target.size());
  out.append(header.version() >= 11 ? " HTTP/1.1\r\n" : " HTTP/1.0\r\n");
  append_fields(header, out);
}

void serialize_header(const http::response_header<>& header, std::string& out) {
  // RFC 9112 §4: status-line = HTTP-version SP status-code SP [ reason-phrase ]
  out.append(header.version() >= 11 ? "HTTP/1.1 " : "HTTP/1.0 ");
  const unsigned status = header.result_int();
  const char digits[3] = {static_cast<char>('0' + status / 100 % 10), static_cast<char>('0' + status / 10 % 10),
                          static_cast<char>('0' + status % 10)};
  out.append(digits, 3);
  out.push_back(' ');
  const auto reason = header.reason();
  out.append(reason.data(), reason.size());
  out.append("\r\n", 2);
  append_fields(header, out);
}

void append_field(std::string& out, std::string_view name, std::string_view value) {
  out.append(name);
  out.append(": ", 2);
  out.append(value);
  out.append("\r\n", 2);
}

void append_body_piece(std::string& out, const void* data, std::size_t size, bool chunked) {
  if (size == 0) return;
  if (chunked) {
    // RFC 9112 §7.1: chunk = chunk-size CRLF chunk-data CRLF, size in hex.
    char hex[2 * sizeof(std::size_t) + 2];
    char* end = hex + sizeof(hex);
    char* p = end;
    *--p = '\n';
    *--p = '\r';
    std::size_t v = size;
    do {
      *--p = "0123456789abcdef"[v & 0xf];
      v >>= 4;
    } while (v != 0);
    out.append(p, static_cast<std::size_t>(end - p));
  }
  out.append(static_cast<const char*>(data), size);
  if (chunked) out.append("\r\n", 2);
}

void append_last_chunk(std::string& out) {
  out.append("0\r\n\r\n", 5);
}

}  // namespace gslb::lb
