#include "dns/notify.hpp"

#include "dns/rr_types.hpp"

// GCC 12 reports a false -Wmismatched-new-delete for Asio's coroutine frame
// allocator (awaitable_frame_base::operator new/delete are a matching pair).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cstring>
#include <random>

#include "base/log.hpp"

namespace gslb::dns {

namespace asio = boost::asio;

namespace {

void append16(std::vector<std::uint8_t>& out, std::uint32_t value) {
  out.push_back(static_cast<std::uint8_t>(value >> 8));
  out.push_back(static_cast<std::uint8_t>(value));
}

std::uint16_t random_id() {
  // Message IDs only need to be unpredictable enough to match our own
  // responses; NOTIFY carries no data a spoofer could poison.
  thread_local std::mt19937 rng{std::random_device{}()};
  return static_cast<std::uint16_t>(rng());
}

}  // namespace

std::vector<std::uint8_t> build_notify(std::uint16_t id, const Zone& zone) {
  std::vector<std::uint8_t> out;
  const Record soa_rr = zone.soa_record();
  const Record* soa = soa_rr.type == rr_type::soa ? &soa_rr : nullptr;
  append16(out, id);
  out.push_back(static_cast<std::uint8_t>(opcode::notify << 3 | 0x04));  // opcode NOTIFY, AA (RFC 1996 §3.7)
  out.push_back(0);
  append16(out, 1);                       // QDCOUNT
  append16(out, soa != nullptr ? 1 : 0);  // ANCOUNT
  append16(out, 0);
  append16(out, 0);
  const auto& origin = zone.origin().wire();
  out.insert(out.end(), origin.begin(), origin.end());
  append16(out, rr_type::soa);
  append16(out, 1);  // IN
  if (soa != nullptr) {
    out.insert(out.end(), origin.begin(), origin.end());
    append16(out, rr_type::soa);
    append16(out, soa->rclass);
    append16(out, soa->ttl >> 16);
    append16(out, soa->ttl & 0xFFFF);
    append16(out, static_cast<std::uint32_t>(soa->rdata.size()));
    out.insert(out.end(), soa->rdata.begin(), soa->rdata.end());
  }
  return out;
}

bool is_notify_response(std::span<const std::uint8_t> message, std::uint16_t id, unsigned& rcode) {
  if (message.size() < 12) return false;
  if (((message[0] << 8) | message[1]) != id) return false;
  if ((message[2] & 0x80) == 0 || ((message[2] >> 3) & 0x0F) != opcode::notify) return false;
  rcode = message[3] & 0x0F;
  return true;
}

Notifier::Notifier(asio::io_context& io, NotifyOptions options) : io_(io), options_(std::move(options)) {}

struct Notifier::Task {
  static asio::awaitable<void> run(Notifier& owner, Zone::ConstPtr zone, base::SocketAddress target,
                                   std::uint64_t generation) {
    using asio::ip::udp;
    const auto key = zone->origin().canonical_key();
    const std::string what =
        zone->origin().to_string() + " serial " + std::to_string(zone->serial()) + " to " + target.to_string();
    const udp::endpoint peer = [&] {
      udp::endpoint e;
      std::memcpy(e.data(), target.data(), target.size());
      return e;
    }();
    udp::socket socket(owner.io_);
    boost::system::error_code error;
    socket.open(peer.protocol(), error);
    // connect(): the kernel then delivers only datagrams from the target.
    if (!error) socket.connect(peer, error);
    if (error) {
      base::log_warning("notify", what, ": ", error.message());
      co_return;
    }
    asio::steady_timer timer(owner.io_);
    std::array<std::uint8_t, 512> reply{};
    auto timeout = owner.options_.first_timeout;
    for (unsigned attempt = 1; attempt <= owner.options_.attempts; ++attempt, timeout *= 2) {
      if (owner.generation_[key] != generation) co_return;  // a newer serial is being announced
      const std::uint16_t id = random_id();
      const auto request = build_notify(id, *zone);
      auto [send_error, sent] = co_await socket.async_send(asio::buffer(request), asio::as_tuple(asio::use_awaitable));
      const auto until = std::chrono::steady_clock::now() + timeout;
      timer.expires_at(until);
      timer.async_wait([&socket](const boost::system::error_code& e) {
        if (!e) socket.cancel();
      });
      while (!send_error) {
        auto [e, n] = co_await socket.async_receive(asio::buffer(reply), asio::as_tuple(asio::use_awaitable));
        if (e == asio::error::operation_aborted) break;  // timed out
        if (e) {
          // ICMP unreachable (connection_refused) and the like: nobody is
          // listening yet; wait out the attempt's timeout before retrying.
          asio::steady_timer pause(owner.io_, until);
          co_await pause.async_wait(asio::as_tuple(asio::use_awaitable));
          break;
        }
        unsigned rcode = 0;
        if (!is_notify_response({reply.data(), n}, id, rcode)) continue;  // stray or stale: keep waiting
        timer.cancel();
        if (rcode == 0) {
          base::log_info("notify", what, ": acknowledged");
        } else {
          base::log_warning("notify", what, ": answered with rcode ", rcode);
        }
        co_return;
      }
      timer.cancel();
    }
    base::log_warning("notify", what, ": no response after ", owner.options_.attempts, " attempts");
  }
};

void Notifier::notify(Zone::ConstPtr zone) {
  if (!enabled() || !zone) return;
  const auto generation = ++generation_[zone->origin().canonical_key()];
  for (const auto& target : options_.targets) {
    asio::co_spawn(io_, Task::run(*this, zone, target, generation), asio::detached);
  }
}

}  // namespace gslb::dns
