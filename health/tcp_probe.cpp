#include "health/tcp_probe.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <memory>

namespace gslb::health {

namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

// Shared between the connect coroutine and the deadline timer's handler, so
// that whichever finishes last releases it (the timer handler may still be
// queued after the coroutine returned).
struct TcpAttempt {
  explicit TcpAttempt(const asio::any_io_executor& ex) : socket(ex), deadline(ex) {}
  tcp::socket socket;
  asio::steady_timer deadline;
  bool timed_out = false;
};

asio::awaitable<ProbeResult> connect_once(std::shared_ptr<TcpAttempt> attempt, tcp::endpoint endpoint,
                                          std::chrono::milliseconds timeout) {
  const auto start = std::chrono::steady_clock::now();
  auto [ec] = co_await attempt->socket.async_connect(endpoint, asio::as_tuple(asio::use_awaitable));
  ProbeResult result;
  if (attempt->timed_out) {
    result.detail = "timeout after " + std::to_string(timeout.count()) + "ms (connecting)";
  } else if (ec) {
    result.detail = "connect: " + ec.message();
  } else {
    result.ok = true;
    result.rtt = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - start);
    result.detail = "TCP connected";
  }
  boost::system::error_code ignored;
  attempt->socket.close(ignored);
  co_return result;
}

}  // namespace

void TcpProbe::async_run(const asio::ip::address& address, const CheckSpec& spec, Handler done) {
  auto attempt = std::make_shared<TcpAttempt>(executor_);
  attempt->deadline.expires_after(spec.timeout);
  attempt->deadline.async_wait([attempt](boost::system::error_code ec) {
    if (ec) return;  // cancelled: the attempt finished first
    attempt->timed_out = true;
    boost::system::error_code ignored;
    attempt->socket.close(ignored);  // completes the pending connect with operation_aborted
  });
  asio::co_spawn(executor_, connect_once(attempt, tcp::endpoint(address, spec.port), spec.timeout),
                 [attempt, done = std::move(done)](std::exception_ptr error, ProbeResult result) {
                   attempt->deadline.cancel();
                   if (error) result = ProbeResult{false, {}, "internal error in tcp probe"};
                   done(std::move(result));
                 });
}

}  // namespace gslb::health
