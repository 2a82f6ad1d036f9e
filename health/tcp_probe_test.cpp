#include "health/tcp_probe.hpp"

#include <doctest/doctest.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <optional>
#include <vector>

using namespace gslb::health;
namespace asio = boost::asio;
using std::chrono::milliseconds;

namespace {

const auto kLoopback = asio::ip::make_address("127.0.0.1");

struct Timed {
  ProbeResult result;
  milliseconds elapsed;
};

Timed run_probe(asio::io_context& io, Probe& probe, const CheckSpec& spec) {
  std::optional<ProbeResult> out;
  const auto start = std::chrono::steady_clock::now();
  probe.async_run(kLoopback, spec, [&](ProbeResult r) { out = std::move(r); });
  io.restart();
  io.run();
  const auto elapsed = std::chrono::duration_cast<milliseconds>(std::chrono::steady_clock::now() - start);
  REQUIRE(out.has_value());
  return {*out, elapsed};
}

CheckSpec tcp_spec(std::uint16_t port, milliseconds timeout) {
  CheckSpec spec;
  spec.type = CheckType::tcp;
  spec.port = port;
  spec.timeout = timeout;
  return spec;
}

// A listening socket whose accept queue is full: the kernel drops further
// SYNs, so a connect neither succeeds nor is refused (a blackhole on loopback).
class FullBacklog {
 public:
  FullBacklog() {
    listener_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(listener_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    REQUIRE(::listen(listener_, 0) == 0);
    socklen_t len = sizeof addr;
    ::getsockname(listener_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    // Connect until one connect does not complete within 100 ms: the queue is full.
    for (int i = 0; i < 16 && !full_; ++i) {
      int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
      fillers_.push_back(fd);
      int rc = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
      if (rc == 0) continue;
      pollfd p{fd, POLLOUT, 0};
      if (::poll(&p, 1, 100) == 0) full_ = true;
    }
  }
  ~FullBacklog() {
    for (int fd : fillers_) ::close(fd);
    ::close(listener_);
  }
  std::uint16_t port() const { return port_; }
  bool full() const { return full_; }

 private:
  int listener_ = -1;
  std::uint16_t port_ = 0;
  bool full_ = false;
  std::vector<int> fillers_;
};

}  // namespace

TEST_CASE("tcp probe: listening socket is up, with an RTT") {
  asio::io_context io;
  asio::ip::tcp::acceptor acceptor(io, asio::ip::tcp::endpoint(kLoopback, 0));
  TcpProbe probe(io.get_executor());
  auto [result, elapsed] = run_probe(io, probe, tcp_spec(acceptor.local_endpoint().port(), milliseconds(1000)));
  CHECK(result.ok);
  CHECK(result.detail == "TCP connected");
  CHECK(result.rtt.count() > 0);
  CHECK(result.rtt < std::chrono::microseconds(1'000'000));
}

TEST_CASE("tcp probe: IPv6 loopback") {
  asio::io_context io;
  boost::system::error_code ec;
  asio::ip::tcp::acceptor acceptor(io);
  const asio::ip::tcp::endpoint v6(asio::ip::make_address("::1"), 0);
  acceptor.open(v6.protocol(), ec);
  if (!ec) acceptor.bind(v6, ec);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    MESSAGE("no IPv6 loopback here, skipped: " << ec.message());
    return;
  }
  TcpProbe probe(io.get_executor());
  std::optional<ProbeResult> out;
  probe.async_run(asio::ip::make_address("::1"), tcp_spec(acceptor.local_endpoint().port(), milliseconds(1000)),
                  [&](ProbeResult r) { out = std::move(r); });
  io.run();
  REQUIRE(out.has_value());
  CHECK(out->ok);
}

TEST_CASE("tcp probe: closed port is down, refused, quickly") {
  asio::io_context io;
  std::uint16_t port;
  {
    asio::ip::tcp::acceptor probe_port(io, asio::ip::tcp::endpoint(kLoopback, 0));
    port = probe_port.local_endpoint().port();
  }
  TcpProbe probe(io.get_executor());
  auto [result, elapsed] = run_probe(io, probe, tcp_spec(port, milliseconds(2000)));
  CHECK_FALSE(result.ok);
  CHECK(result.detail.find("refused") != std::string::npos);
  CHECK(elapsed < milliseconds(1000));
}

TEST_CASE("tcp probe: blackhole times out within the deadline") {
  FullBacklog hole;
  REQUIRE(hole.full());
  asio::io_context io;
  TcpProbe probe(io.get_executor());
  auto [result, elapsed] = run_probe(io, probe, tcp_spec(hole.port(), milliseconds(300)));
  CHECK_FALSE(result.ok);
  CHECK(result.detail == "timeout after 300ms (connecting)");
  CHECK(elapsed >= milliseconds(290));
  CHECK(elapsed < milliseconds(1500));
}
