// TestHttpServer: a small real HTTP(S) server on 127.0.0.1:<ephemeral> with a
// thread of its own, for the health unit tests only (not part of the library:
// headers are not globbed into gslb_health). Its behaviour can be switched
// while it runs: a status code, a delay, a body, garbage, or silence (accept
// and never answer). It counts accepted connections and remembers the last
// request head and TLS SNI name.
#pragma once

#include <openssl/ssl.h>

#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <future>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

namespace gslb::health::testing {

namespace asio = boost::asio;

enum class ServerMode { respond, raw, garbage, silent, close_at_once };

class TestHttpServer {
 public:
  // tls: serve HTTPS with the given server context (must outlive the server).
  explicit TestHttpServer(asio::ssl::context* tls = nullptr)
      : tls_(tls), acceptor_(io_, asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)) {
    port_ = acceptor_.local_endpoint().port();
    asio::co_spawn(io_, accept_loop(), asio::detached);
    thread_ = std::thread([this] { io_.run(); });
  }
  ~TestHttpServer() {
    io_.stop();
    thread_.join();
  }
  TestHttpServer(const TestHttpServer&) = delete;
  TestHttpServer& operator=(const TestHttpServer&) = delete;

  std::uint16_t port() const { return port_; }
  std::size_t accepted() const { return accepted_.load(); }
  std::size_t requests() const { return requests_.load(); }

  void set_mode(ServerMode mode) { mode_.store(mode); }
  void set_status(int status) { status_.store(status); }
  void set_delay(std::chrono::milliseconds delay) { delay_ms_.store(delay.count()); }
  // Sent verbatim in ServerMode::raw.
  void set_raw_reply(std::string reply) {
    std::lock_guard lock(mutex_);
    raw_reply_ = std::move(reply);
  }
  void set_body(std::string body) {
    std::lock_guard lock(mutex_);
    body_ = std::move(body);
  }
  std::string last_request() const {
    std::lock_guard lock(mutex_);
    return last_request_;
  }
  std::string last_sni() const {
    std::lock_guard lock(mutex_);
    return last_sni_;
  }

  // Closes the listening socket: later connects are refused. Blocks until done.
  void stop_listening() {
    std::promise<void> done;
    asio::post(io_, [&] {
      boost::system::error_code ignored;
      acceptor_.close(ignored);
      done.set_value();
    });
    done.get_future().wait();
  }

 private:
  asio::awaitable<void> accept_loop() {
    for (;;) {
      auto [ec, socket] = co_await acceptor_.async_accept(asio::as_tuple(asio::use_awaitable));
      if (ec) co_return;
      ++accepted_;
      if (tls_) {
        auto stream = std::make_shared<asio::ssl::stream<asio::ip::tcp::socket>>(std::move(socket), *tls_);
        asio::co_spawn(io_, serve_tls(stream), asio::detached);
      } else {
        auto plain = std::make_shared<asio::ip::tcp::socket>(std::move(socket));
        asio::co_spawn(io_, serve(plain, *plain), asio::detached);
      }
    }
  }

  asio::awaitable<void> serve_tls(std::shared_ptr<asio::ssl::stream<asio::ip::tcp::socket>> stream) {
    auto [ec] = co_await stream->async_handshake(asio::ssl::stream_base::server, asio::as_tuple(asio::use_awaitable));
    if (ec) co_return;
    if (const char* name = SSL_get_servername(stream->native_handle(), TLSEXT_NAMETYPE_host_name)) {
      std::lock_guard lock(mutex_);
      last_sni_ = name;
    }
    co_await serve(stream, *stream);
  }

  // `keep` holds the connection alive for as long as this coroutine runs.
  template <typename Stream>
  asio::awaitable<void> serve(std::shared_ptr<void> keep, Stream& stream) {
    const ServerMode mode = mode_.load();
    if (mode == ServerMode::close_at_once) co_return;
    asio::streambuf head(16 * 1024);
    auto [ec, n] = co_await asio::async_read_until(stream, head, "\r\n\r\n", asio::as_tuple(asio::use_awaitable));
    if (ec) co_return;
    ++requests_;
    {
      std::lock_guard lock(mutex_);
      last_request_.assign(asio::buffers_begin(head.data()), asio::buffers_begin(head.data()) + n);
    }
    if (mode == ServerMode::silent) {
      // Hold the connection open and say nothing until the server is destroyed.
      asio::steady_timer forever(io_, std::chrono::hours(1));
      co_await forever.async_wait(asio::as_tuple(asio::use_awaitable));
      co_return;
    }
    if (auto delay = std::chrono::milliseconds(delay_ms_.load()); delay.count() > 0) {
      asio::steady_timer wait(io_, delay);
      co_await wait.async_wait(asio::as_tuple(asio::use_awaitable));
    }
    std::string reply;
    if (mode == ServerMode::garbage) {
      reply = "this is not HTTP at all\r\n\r\n";
    } else if (mode == ServerMode::raw) {
      std::lock_guard lock(mutex_);
      reply = raw_reply_;
    } else {
      std::string body;
      {
        std::lock_guard lock(mutex_);
        body = body_;
      }
      reply = "HTTP/1.1 " + std::to_string(status_.load()) +
              " Whatever\r\nContent-Length: " + std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
    }
    co_await asio::async_write(stream, asio::buffer(reply), asio::as_tuple(asio::use_awaitable));
  }

  asio::ssl::context* tls_;
  asio::io_context io_;
  asio::ip::tcp::acceptor acceptor_;
  std::uint16_t port_ = 0;
  std::thread thread_;
  std::atomic<std::size_t> accepted_{0};
  std::atomic<std::size_t> requests_{0};
  std::atomic<ServerMode> mode_{ServerMode::respond};
  std::atomic<int> status_{200};
  std::atomic<long> delay_ms_{0};
  mutable std::mutex mutex_;
  std::string body_ = "OK";
  std::string raw_reply_;
  std::string last_request_;
  std::string last_sni_;
};

// A self-signed certificate for CN=localhost with subjectAltName
// DNS:localhost and IP:127.0.0.1, made by the openssl CLI in a fresh temporary
// directory. cert_file doubles as the CA file for tls_verify tests.
struct SelfSignedCert {
  std::filesystem::path dir;
  std::filesystem::path cert_file;
  std::filesystem::path key_file;

  SelfSignedCert() {
    char pattern[] = "/tmp/gslb-health-tls-XXXXXX";
    dir = ::mkdtemp(pattern);
    cert_file = dir / "cert.pem";
    key_file = dir / "key.pem";
    const std::string command =
        "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 "
        "-subj /CN=localhost -addext subjectAltName=DNS:localhost,IP:127.0.0.1 -keyout " +
        key_file.string() + " -out " + cert_file.string() + " 2>/dev/null";
    ok = std::system(command.c_str()) == 0 && std::filesystem::exists(cert_file);
  }
  ~SelfSignedCert() {
    std::error_code ignored;
    std::filesystem::remove_all(dir, ignored);
  }

  asio::ssl::context server_context() const {
    asio::ssl::context ctx(asio::ssl::context::tls_server);
    ctx.use_certificate_chain_file(cert_file.string());
    ctx.use_private_key_file(key_file.string(), asio::ssl::context::pem);
    return ctx;
  }

  bool ok = false;
};

// Runs `io` on a thread until the returned guard is destroyed.
class IoThread {
 public:
  explicit IoThread(asio::io_context& io) : io_(io), work_(asio::make_work_guard(io)) {
    thread_ = std::thread([this] { io_.run(); });
  }
  ~IoThread() {
    work_.reset();
    io_.stop();
    thread_.join();
  }

 private:
  asio::io_context& io_;
  asio::executor_work_guard<asio::io_context::executor_type> work_;
  std::thread thread_;
};

}  // namespace gslb::health::testing
