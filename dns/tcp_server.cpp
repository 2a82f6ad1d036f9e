#include "dns/tcp_server.hpp"

// GCC 12 reports a false -Wmismatched-new-delete for Asio's coroutine frame
// allocator (awaitable_frame_base::operator new/delete are a matching pair).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <cstring>

#include "base/log.hpp"
#include "dns/axfr.hpp"

namespace gslb::dns {

namespace asio = boost::asio;
using asio::ip::tcp;

namespace {
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);
}  // namespace

TcpListener::TcpListener(Worker& worker, ListenSocket socket)
    : worker_(worker),
      address_(socket.address),
      acceptor_(worker.io(), socket.address.family() == AF_INET6 ? tcp::v6() : tcp::v4(), socket.fd) {}

void TcpListener::start() {
  accept();
}

void TcpListener::close() {
  boost::system::error_code ignored;
  acceptor_.close(ignored);
}

void TcpListener::accept() {
  acceptor_.async_accept([self = shared_from_this()](const boost::system::error_code& error, tcp::socket socket) {
    if (error == asio::error::operation_aborted || !self->acceptor_.is_open()) return;
    if (!error) {
      auto& count = self->worker_.tcp_connections();
      const unsigned limit = self->worker_.settings().tcp_max_connections;
      if (count.fetch_add(1, std::memory_order_relaxed) >= limit) {
        // Over the cap: close at once, so the client retries elsewhere
        // instead of waiting in our backlog (RFC 7766 §6.2.2 lets servers
        // close connections to manage resources).
        count.fetch_sub(1, std::memory_order_relaxed);
        base::log_debug("tcp", "connection cap ", limit, " reached; closing a new connection");
        boost::system::error_code ignored;
        socket.close(ignored);
      } else {
        std::make_shared<TcpConnection>(self->worker_, std::move(socket))->start();
      }
    } else {
      // EMFILE and friends: keep accepting; the error repeats until a
      // descriptor frees up, so log at debug level only.
      base::log_debug("tcp", self->address_.to_string(), ": accept: ", error.message());
    }
    self->accept();
  });
}

TcpConnection::TcpConnection(Worker& worker, tcp::socket socket)
    : worker_(worker), socket_(std::move(socket)), deadline_(worker.io()) {
  socklen_t length = sizeof peer_;
  ::getpeername(socket_.native_handle(), reinterpret_cast<sockaddr*>(&peer_), &length);
  boost::system::error_code ignored;
  socket_.set_option(tcp::no_delay(true), ignored);
  worker_.add_connection(this);
}

TcpConnection::~TcpConnection() {
  worker_.remove_connection(this);
  worker_.tcp_connections().fetch_sub(1, std::memory_order_relaxed);
}

void TcpConnection::arm(std::chrono::milliseconds timeout) {
  deadline_.expires_after(timeout);
  deadline_.async_wait([self = shared_from_this()](const boost::system::error_code& error) {
    // Re-arming cancels the previous wait; only a real expiry closes.
    if (!error) self->close();
  });
}

void TcpConnection::close() {
  boost::system::error_code ignored;
  socket_.shutdown(tcp::socket::shutdown_both, ignored);
  socket_.close(ignored);
  deadline_.cancel();
}

void TcpConnection::shutdown() {
  if (idle_) close();
}

// The per-connection loop, as a coroutine: read a length, read the query,
// answer, repeat. Errors end the loop; nothing here throws on bad input.
class TcpConnection::Session {
 public:
  static asio::awaitable<void> run(std::shared_ptr<TcpConnection> c) {
    std::uint8_t length_bytes[2];
    std::vector<std::uint8_t> query;
    std::vector<std::uint8_t> reply;
    auto& worker = c->worker_;
    const auto& settings = worker.settings();
    while (!worker.stopping()) {
      c->idle_ = true;
      c->arm(settings.tcp_idle_timeout);
      auto [e1, n1] = co_await asio::async_read(c->socket_, asio::buffer(length_bytes), use_tuple);
      if (e1) break;
      c->idle_ = false;
      c->arm(settings.tcp_io_timeout);
      const std::size_t length = (std::size_t{length_bytes[0]} << 8) | length_bytes[1];
      if (length < 12) break;  // not even a DNS header: the framing is lost
      query.resize(length);
      auto [e2, n2] = co_await asio::async_read(c->socket_, asio::buffer(query), use_tuple);
      if (e2) break;

      // TCP is not the hot path: hold the snapshot (one refcount per query)
      // so that a zone transfer keeps the data it started with.
      const ZoneSet::ConstPtr zones = worker.zones_held();
      const auto scratch = worker.tcp_scratch();
      QueryContext ctx;
      ctx.transport = Transport::tcp;
      ctx.client.source = c->peer_;
      const Processed result = worker.processor().process(query, scratch.subspan(0, 65535), ctx, *zones);

      // The processor has checked the transfer allow-list.
      if (result.result == ProcessResult::axfr && result.zone != nullptr) {
        if (auto* log = worker.query_log()) {
          log->add(c->peer_, Transport::tcp, query, {});
          log->flush();
        }
        if (!co_await send_transfer(*c, query, *result.zone, reply)) break;
        continue;
      }

      std::size_t size = 0;
      if (result.result == ProcessResult::respond && result.size <= 65535) size = result.size;
      if (auto* log = worker.query_log()) {
        log->add(c->peer_, Transport::tcp, query, scratch.first(size));
        log->flush();
      }
      if (size == 0) continue;  // drop: nothing to say to this one
      reply.resize(size + 2);
      reply[0] = static_cast<std::uint8_t>(size >> 8);
      reply[1] = static_cast<std::uint8_t>(size);
      std::memcpy(reply.data() + 2, scratch.data(), size);
      auto [e3, n3] = co_await asio::async_write(c->socket_, asio::buffer(reply), use_tuple);
      if (e3) break;
    }
    c->close();
  }

 private:
  static asio::awaitable<bool> send_transfer(TcpConnection& c, const std::vector<std::uint8_t>& query, const Zone& zone,
                                             std::vector<std::uint8_t>& message) {
    AxfrWriter writer(query, zone);
    if (!writer.valid()) co_return false;
    std::size_t messages = 0;
    while (writer.next(message)) {
      c.arm(c.worker_.settings().tcp_io_timeout);
      auto [error, n] = co_await asio::async_write(c.socket_, asio::buffer(message), use_tuple);
      if (error) {
        base::log_warning("axfr", "transfer of ", zone.origin().to_string(), " to ",
                          base::SocketAddress(reinterpret_cast<const sockaddr*>(&c.peer_), sizeof c.peer_).to_string(),
                          " aborted after ", messages, " messages: ", error.message());
        co_return false;
      }
      ++messages;
    }
    base::log_info("axfr", "sent ", zone.origin().to_string(), " serial ", zone.serial(), " (", zone.record_count(),
                   " records, ", messages, " messages) to ",
                   base::SocketAddress(reinterpret_cast<const sockaddr*>(&c.peer_), sizeof c.peer_).to_string());
    co_return true;
  }
};

void TcpConnection::start() {
  asio::co_spawn(worker_.io(), Session::run(shared_from_this()), asio::detached);
}

}  // namespace gslb::dns
