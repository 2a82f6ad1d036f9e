#include "regional-lb/proxy.hpp"

#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <chrono>

#include "base/log.hpp"
#include "regional-lb/balancer.hpp"
#include "regional-lb/coroutine_prelude.hpp"
#include "regional-lb/proxy_headers.hpp"
#include "regional-lb/sticky.hpp"
#include "regional-lb/worker.hpp"

namespace gslb::lb {

namespace {

// The body piece a buffer_body message currently carries.
struct Piece {
  void* data = nullptr;
  std::size_t size = 0;
  bool more = false;
};

// Reads the next piece of a message body into buf (any amount > 0 bytes, or
// the end): first what is already buffered, then from the socket. Precondition:
// header done. Relays must not wait for the buffer to fill, or a trickling
// stream (server-sent events) would stall.
template <class Stream, bool isRequest>
asio::awaitable<beast::error_code> read_piece(Stream& in, Deadline& deadline, beast::flat_buffer& in_buffer,
                                              http::parser<isRequest, http::buffer_body>& p, std::vector<char>& buf,
                                              std::chrono::milliseconds timeout) {
  auto& body = p.get().body();
  body.data = buf.data();
  body.size = buf.size();
  beast::error_code ec;
  while (!p.is_done()) {
    if (in_buffer.size() > 0) {
      const std::size_t before = in_buffer.size();
      ec = parse_buffered(in_buffer, p);
      if (ec || body.size < buf.size() || p.is_done()) break;
      // Only framing (a chunk header) was parsed: parse on, or read on.
      if (in_buffer.size() > 0 && in_buffer.size() < before) continue;
    }
    deadline.arm(timeout);
    ec = co_await read_more(in, in_buffer, deadline);
    deadline.disarm();
    if (ec == asio::error::eof) {
      // The peer closed: the end of a body delimited by closing, else truncated.
      ec = parse_eof(p);
      break;
    }
    if (ec) break;
  }
  const std::size_t got = buf.size() - body.size;
  body.data = got > 0 ? buf.data() : nullptr;
  body.size = got;
  body.more = !p.is_done();
  co_return ec;
}

// read_piece's fast path without a coroutine frame: the next piece when the
// buffer already holds it (or the body is done). False when it must wait.
template <bool isRequest>
bool buffered_piece(beast::flat_buffer& in_buffer, http::parser<isRequest, http::buffer_body>& p,
                    std::vector<char>& buf, beast::error_code& ec) {
  auto& body = p.get().body();
  body.data = buf.data();
  body.size = buf.size();
  ec = {};
  if (!p.is_done()) {
    ec = parse_buffered(in_buffer, p);
    if (!ec && body.size == buf.size() && !p.is_done()) return false;
  }
  const std::size_t got = buf.size() - body.size;
  body.data = got > 0 ? buf.data() : nullptr;
  body.size = got;
  body.more = !p.is_done();
  return true;
}

tcp::socket& lowest_socket(tcp::socket& s) {
  return s;
}
tcp::socket& lowest_socket(ClientStream& s) {
  return s.socket();
}

bool is_idempotent(http::verb v) {
  // RFC 9110 §9.2.2.
  switch (v) {
    case http::verb::get:
    case http::verb::head:
    case http::verb::options:
    case http::verb::trace:
    case http::verb::put:
    case http::verb::delete_:
      return true;
    default:
      return false;
  }
}

// Status for a request body that could not be read.
http::status body_error_status(const beast::error_code& ec) {
  return ec == http::error::body_limit ? http::status::payload_too_large : http::status::bad_request;
}

bool is_client_parse_error(const beast::error_code& ec) {
  return ec.category() == http::make_error_code(http::error::bad_chunk).category() &&
         ec != http::error::end_of_stream && ec != http::error::partial_message;
}

// Copies bytes one way until EOF or error, then half-closes the other side.
// Traffic either way keeps both connections' deadlines away.
template <class From, class To>
asio::awaitable<void> pump(From& from, To& to, std::vector<char>& buf, Deadline& a, Deadline& b,
                           std::chrono::milliseconds idle) {
  while (true) {
    a.arm(idle);
    b.arm(idle);
    auto [ec, n] = co_await from.async_read_some(asio::buffer(buf), tok);
    if (ec) break;
    auto [wec, wn] = co_await asio::async_write(to, asio::buffer(buf.data(), n), tok);
    if (wec) break;
  }
  beast::error_code ignored;
  lowest_socket(to).shutdown(tcp::socket::shutdown_send, ignored);
}

// After 101 Switching Protocols both sides speak the new protocol: relay raw
// bytes both ways, first whatever was already read past the HTTP messages.
asio::awaitable<void> tunnel(const ClientConnection& client, UpstreamConnection& upstream,
                             std::chrono::milliseconds idle) {
  if (client.buffer.size() > 0) {
    const auto data = client.buffer.data();
    const std::string_view bytes(static_cast<const char*>(data.data()), data.size());
    if (co_await write_all(upstream.socket, bytes, upstream.deadline, idle)) co_return;
    client.buffer.consume(client.buffer.size());
  }
  if (upstream.buffer.size() > 0) {
    const auto data = upstream.buffer.data();
    const std::string_view bytes(static_cast<const char*>(data.data()), data.size());
    if (co_await write_all(client.stream, bytes, client.deadline, idle)) co_return;
    upstream.buffer.consume(upstream.buffer.size());
  }
  std::vector<char> back(client.body_buffer.size());
  using namespace asio::experimental::awaitable_operators;
  co_await (pump(client.stream, upstream.socket, client.body_buffer, client.deadline, upstream.deadline, idle) &&
            pump(upstream.socket, client.stream, back, client.deadline, upstream.deadline, idle));
}

// Counts the request against the member while it is in flight; the latency
// sample (time to response header) is recorded only on success.
class InFlight {
 public:
  InFlight(const PoolView& view, std::uint32_t member) : view_(view), member_(member) {
    Balancer::on_request_start(view, member);
  }
  ~InFlight() {
    if (!ended_) view_.members()[member_].load->in_flight.fetch_sub(1, std::memory_order_relaxed);
  }
  void succeeded(std::chrono::microseconds latency) {
    if (ended_) return;
    ended_ = true;
    Balancer::on_request_end(view_, member_, latency);
  }

 private:
  const PoolView& view_;
  std::uint32_t member_;
  bool ended_ = false;
};

}  // namespace

asio::awaitable<bool> send_simple_response(const ClientConnection& client, const ServerConfig& server,
                                           http::status status, std::string_view body, bool keep_alive,
                                           unsigned version, std::string_view location) {
  http::response<http::string_body> res{status, 11};
  if (!server.server_header.empty()) res.set(http::field::server, server.server_header);
  res.set(http::field::content_type, "text/plain; charset=utf-8");
  if (!location.empty()) res.set(http::field::location, location);
  res.body() = std::string(body);
  if (!res.body().empty() && res.body().back() != '\n') res.body() += '\n';
  res.prepare_payload();
  if (!keep_alive) {
    res.set(http::field::connection, "close");
  } else if (version < 11) {
    res.set(http::field::connection, "keep-alive");
  }
  client.counters.count(static_cast<unsigned>(status));
  client.record.status = static_cast<unsigned>(status);
  client.record.body_bytes = res.body().size();
  client.out.clear();
  serialize_header(res.base(), client.out);
  end_header(client.out);
  client.out += res.body();
  const auto ec = co_await write_all(client.stream, client.out, client.deadline, server.timeouts.client_idle);
  co_return !ec && keep_alive;
}

asio::awaitable<bool> forward_request(Worker& worker, WorkerRegion& state, std::size_t pool_index,
                                      const ClientConnection& client, RequestParser& parser) {
  const ServerConfig& server = state.region->config.server;
  const PoolConfig& pool_config = state.region->config.pools[pool_index];
  const Timeouts& t = server.timeouts;
  PoolState& pool = state.pools[pool_index];
  // Hold the view for the whole request: member indices stay meaningful even
  // if a health change publishes a new one meanwhile.
  const std::shared_ptr<const PoolView> view_holder = pool.current();
  const PoolView& view = *view_holder;
  auto& req = parser.get();
  const unsigned client_version = req.version();
  const bool client_keep_alive = req.keep_alive();
  const bool upgrade = wants_upgrade(req);
  const bool head = req.method() == http::verb::head;
  const bool has_body = parser.chunked() || parser.content_length().value_or(0) > 0;

  auto fail = [&](http::status status, std::string_view text) -> asio::awaitable<bool> {
    // Unread request body bytes would be taken for the next request: close then.
    const bool keep = client_keep_alive && parser.is_done() && !worker.draining();
    co_return co_await send_simple_response(client, server, status, text, keep, client_version);
  };

  // The key hashing balancers use; copied because the header is rewritten below.
  std::string hash_key;
  if (pool_config.hash_key.source == HashKey::Source::header) {
    const auto v = req[pool_config.hash_key.name];
    hash_key.assign(v.data(), v.size());
  } else if (pool_config.hash_key.source == HashKey::Source::cookie) {
    hash_key = std::string(find_cookie(req, pool_config.hash_key.name));
  }
  const RequestInfo info{client.ip_bytes, hash_key};
  std::string sticky_value;
  if (pool_config.sticky) sticky_value = std::string(find_cookie(req, pool_config.sticky->cookie));

  // RFC 9110 §10.1.1: answer "100 Continue" ourselves so the client sends the
  // body we need before choosing a backend; the backend never sees Expect.
  if (req.count(http::field::expect) > 0) {
    const auto expect = req[http::field::expect];
    if (!iequals(std::string_view(expect.data(), expect.size()), "100-continue")) {
      co_return co_await send_simple_response(client, server, http::status::expectation_failed,
                                              "unsupported expectation", false, client_version);
    }
    req.erase(http::field::expect);
    if (has_body && client_version >= 11) {
      static constexpr std::string_view continue_line = "HTTP/1.1 100 Continue\r\n\r\n";
      if (co_await write_all(client.stream, continue_line, client.deadline, t.client_idle)) co_return false;
    }
  }

  // The upstream request: same method, target and end-to-end fields.
  strip_hop_by_hop(req, upgrade);
  // Appended when serialising: inserting four fields into the parsed header
  // would cost more than forwarding the rest of it.
  std::string forwarded;
  forwarded.reserve(128);
  take_forwarded(req, client.ip_text, client.stream.is_tls() ? "https" : "http", forwarded);
  client.record.pool = &pool_config.name;
  req.version(11);
  if (parser.chunked()) {
    req.chunked(true);
  } else if (const auto length = parser.content_length()) {
    req.content_length(*length);
  }

  // Read the first piece of the body before any backend sees the request: a
  // malformed chunk or an oversized body is refused with nothing forwarded.
  auto& body = req.body();
  body.data = nullptr;
  body.size = 0;
  body.more = false;
  if (has_body) {
    const auto ec =
        co_await read_piece(client.stream, client.deadline, client.buffer, parser, client.body_buffer, t.client_idle);
    if (ec) {
      if (!is_client_parse_error(ec) && ec != http::error::body_limit) co_return false;  // gone or timed out
      co_return co_await send_simple_response(client, server, body_error_status(ec), "malformed request body", false,
                                              client_version);
    }
  }
  const Piece first{body.data, body.size, body.more};

  std::vector<std::uint32_t> tried;
  bool read_past_first_piece = false;  // then the request can no longer be replayed
  bool idempotent_retry_used = false;
  int stale_retries = 0;
  int attempts = 0;  // every pick after the first is a retry (metrics)
  const std::size_t max_members = std::min<std::size_t>(3, std::max<std::size_t>(1, view.available().size()));

  while (true) {
    // Affinity first (on the first attempt only), then the balancer.
    std::optional<std::uint32_t> member;
    if (pool_config.sticky && tried.empty()) member = sticky_member(view, sticky_value);
    if (!member) member = pool.balancer->pick_excluding(view, info, tried);
    if (!member) {
      co_return co_await fail(tried.empty() ? http::status::service_unavailable : http::status::bad_gateway,
                              tried.empty() ? "no backend available" : "bad gateway");
    }
    const auto& m = view.members()[*member];
    if (attempts++ > 0) m.load->retries.fetch_add(1, std::memory_order_relaxed);
    client.record.backend.assign(m.address.text);  // the last one tried is logged
    // Counted from the pick, connect included: a drain waiting for in-flight
    // to reach 0 must also wait for requests still connecting to the member.
    InFlight in_flight(view, *member);
    auto conn = state.upstream.take(pool_index, *member, t.backend_idle);
    if (!conn) {
      conn = std::make_unique<UpstreamConnection>(worker.io());
      conn->deadline.arm(t.backend_connect);
      auto [ec] = co_await conn->socket.async_connect(tcp::endpoint(m.address.ip, m.address.port), tok);
      conn->deadline.disarm();
      if (ec) {
        base::log_debug("lb", "connect to ", m.address.text, " failed: ", ec.message());
        state.record_outcome(pool_index, view, *member, false, false);
        tried.push_back(*member);
        if (tried.size() >= max_members) co_return co_await fail(http::status::bad_gateway, "bad gateway");
        continue;
      }
      // Nagle would hold a small request back until the previous segment is
      // acknowledged; every write here is a whole message or piece.
      beast::error_code ignored;
      conn->socket.set_option(tcp::no_delay(true), ignored);
      conn->socket.non_blocking(true, ignored);
    }
    const auto started = Clock::now();

    // Request: header and the first piece in one write, then the rest as the
    // client sends it.
    const bool chunked_out = req.chunked();
    client.out.clear();
    serialize_header(req.base(), client.out);
    client.out += forwarded;
    end_header(client.out);
    append_body_piece(client.out, first.data, first.size, chunked_out);
    if (!first.more && chunked_out) append_last_chunk(client.out);
    std::string_view pending = client.out;
    beast::error_code send_error = write_now(conn->socket, pending);
    if (!send_error && !pending.empty()) {
      send_error = co_await write_all(conn->socket, pending, conn->deadline, t.backend_response);
    }
    bool request_sent = !first.more;
    while (!send_error && !request_sent) {
      read_past_first_piece = true;
      const auto rec =
          co_await read_piece(client.stream, client.deadline, client.buffer, parser, client.body_buffer, t.client_idle);
      if (rec) {
        // The client's fault (bad chunk, too big, gone): the backend has seen a
        // partial request, so its connection is closed, never reused.
        if (!is_client_parse_error(rec) && rec != http::error::body_limit) co_return false;
        co_return co_await send_simple_response(client, server, body_error_status(rec), "malformed request body", false,
                                                client_version);
      }
      client.out.clear();
      append_body_piece(client.out, body.data, body.size, chunked_out);
      if (!body.more && chunked_out) append_last_chunk(client.out);
      send_error = co_await write_all(conn->socket, client.out, conn->deadline, t.backend_response);
      request_sent = !body.more;
    }
    if (send_error) {
      if (read_past_first_piece) co_return co_await fail(http::status::bad_gateway, "bad gateway");
      if (conn->reused && stale_retries++ < 2) {
        // The backend had closed it: same member, fresh socket. Its other
        // idle connections are likely closed too (a restart): not reused.
        state.upstream.close_idle(pool_index, *member);
        continue;
      }
      state.record_outcome(pool_index, view, *member, false, false);
      tried.push_back(*member);
      if (tried.size() >= max_members) co_return co_await fail(http::status::bad_gateway, "bad gateway");
      continue;
    }

    // Response header; interim 1xx responses (other than 101) are dropped.
    std::optional<http::response_parser<http::buffer_body>> rp;
    beast::error_code rec;
    bool response_started = false;
    while (true) {
      rp.emplace();
      rp->header_limit(64 * 1024);
      rp->body_limit(boost::none);  // streamed, so no size limit applies
      if (head) rp->skip(true);
      rec = co_await read_header(conn->socket, conn->buffer, *rp, conn->deadline, t.backend_response);
      if (rp->got_some()) response_started = true;
      if (rec) break;
      const auto status = rp->get().result_int();
      if (status < 100 || status > 199 || status == 101) break;
    }
    if (rec) {
      const bool stale = conn->reused && !response_started && conn->buffer.size() == 0;
      if (!stale) state.record_outcome(pool_index, view, *member, false, false);
      if (rec == beast::error::timeout) {
        base::log_debug("lb", m.address.text, " did not answer within ", base::format_duration(t.backend_response));
        co_return co_await fail(http::status::gateway_timeout, "gateway timeout");
      }
      base::log_debug("lb", m.address.text, ": no response header: ", rec.message(), conn->reused ? " (reused)" : "");
      const bool nothing_received = !response_started && conn->buffer.size() == 0;
      const bool replayable = !read_past_first_piece && nothing_received;
      if (replayable && conn->reused && stale_retries++ < 2) {
        state.upstream.close_idle(pool_index, *member);  // as for a failed send above
        continue;
      }
      if (replayable && is_idempotent(req.method()) && !idempotent_retry_used) {
        idempotent_retry_used = true;
        tried.push_back(*member);
        continue;
      }
      // A reset (not an orderly close) with nothing answered: the backend's
      // socket was closed with our bytes still unread in it (a TCP stack
      // resets instead of closing when data is left unread, RFC 2525 §2.17),
      // i.e. it died or gave up before reading the whole request, so it
      // cannot have acted on it: as safe to send elsewhere as a refused
      // connect, whatever the method (RFC 9110 §9.2.2: the request was never
      // applied). Typical of a backend killed with connections in its accept queue.
      if (replayable && rec == asio::error::connection_reset) {
        tried.push_back(*member);
        if (tried.size() < max_members) continue;
      }
      co_return co_await fail(http::status::bad_gateway, "bad gateway");
    }
    const auto upstream_time = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - started);
    in_flight.succeeded(upstream_time);
    client.record.upstream_us = upstream_time.count();
    state.record_outcome(pool_index, view, *member, true, rp->get().result_int() < 500);

    auto& res = rp->get();
    const bool switching = upgrade && res.result() == http::status::switching_protocols;
    const bool backend_keep_alive = res.keep_alive();
    strip_hop_by_hop(res, switching);
    if (!server.server_header.empty()) res.erase(http::field::server);  // ours is added when serialising
    if (pool_config.sticky && sticky_value != m.sticky_id) {
      res.insert(http::field::set_cookie, sticky_set_cookie(*pool_config.sticky, m.sticky_id));
    }
    bool keep = client_keep_alive && !worker.draining() && parser.is_done();
    const unsigned status = res.result_int();
    const bool bodiless = head || status == 204 || status == 304 || (status >= 100 && status < 200);
    if (rp->chunked()) {
      if (client_version >= 11) {
        res.chunked(true);
      } else {
        keep = false;  // HTTP/1.0 cannot take chunked: end the body by closing
      }
    } else if (const auto length = rp->content_length()) {
      // The parser checked the backend's field; rewrite it only if repeated.
      if (res.count(http::field::content_length) != 1) res.content_length(*length);
    } else if (!bodiless) {
      // The backend delimits the body by closing; re-frame it for the client.
      if (client_version >= 11) {
        res.chunked(true);
      } else {
        keep = false;
      }
    }
    res.version(11);
    if (switching) {
      res.set(http::field::connection, "upgrade");
    } else if (!keep) {
      res.set(http::field::connection, "close");
    } else if (client_version < 11) {
      res.set(http::field::connection, "keep-alive");
    }

    // Header and what the backend already sent of the body in one write: a
    // small response leaves in one segment.
    const bool response_chunked = res.chunked();
    client.out.clear();
    serialize_header(res.base(), client.out);
    if (!server.server_header.empty()) append_field(client.out, "Server", server.server_header);
    end_header(client.out);
    bool body_sent = bodiless;
    auto& rbody = res.body();
    if (!bodiless && !switching && (rp->is_done() || conn->buffer.size() > 0)) {
      beast::error_code ec;
      if (!buffered_piece(conn->buffer, *rp, client.body_buffer, ec)) {
        ec = co_await read_piece(conn->socket, conn->deadline, conn->buffer, *rp, client.body_buffer,
                                 t.backend_response);
      }
      if (ec) {
        base::log_debug("lb", "response body from ", m.address.text, " broke: ", ec.message());
        co_return co_await fail(http::status::bad_gateway, "bad gateway");
      }
      client.record.body_bytes += rbody.size;
      append_body_piece(client.out, rbody.data, rbody.size, response_chunked);
      if (!rbody.more) {
        if (response_chunked) append_last_chunk(client.out);
        body_sent = true;
      }
    }
    // Counted before the write, as send_simple_response does: a client that
    // has the response and then reads /metrics must find it counted.
    client.counters.count(status);
    std::string_view unsent = client.out;
    beast::error_code write_error = write_now(client.stream, unsent);
    if (!write_error && !unsent.empty()) {
      write_error = co_await write_all(client.stream, unsent, client.deadline, t.client_idle);
    }
    if (write_error) co_return false;
    client.record.status = status;
    if (switching) {
      co_await tunnel(client, *conn, t.client_idle);
      co_return false;
    }
    while (!body_sent) {
      const auto ec =
          co_await read_piece(conn->socket, conn->deadline, conn->buffer, *rp, client.body_buffer, t.backend_response);
      if (ec) {
        // The response has started: all we can do is cut the client off so it
        // sees a truncated message rather than a wrong one.
        base::log_debug("lb", "response body from ", m.address.text, " broke: ", ec.message());
        co_return false;
      }
      client.record.body_bytes += rbody.size;
      client.out.clear();
      append_body_piece(client.out, rbody.data, rbody.size, response_chunked);
      if (!rbody.more) {
        if (response_chunked) append_last_chunk(client.out);
        body_sent = true;
      }
      if (co_await write_all(client.stream, client.out, client.deadline, t.client_idle)) co_return false;
    }
    // Not kept for a member that stopped taking requests meanwhile (drained,
    // down): its connections are closed as its requests end.
    if (backend_keep_alive && rp->is_done() && parser.is_done() && conn->buffer.size() == 0 &&
        pool.current()->members()[*member].state == MemberState::up) {
      state.upstream.give_back(pool_index, *member, std::move(conn),
                               static_cast<std::size_t>(pool_config.max_idle_per_backend));
    }
    co_return keep;
  }
}

}  // namespace gslb::lb
