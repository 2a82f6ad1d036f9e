#include "dns/udp_server.hpp"

#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>

#include "base/log.hpp"
#include "dns/response_builder.hpp"

namespace gslb::dns {

namespace {

std::uint64_t coarse_now_ms() {
  // Millisecond resolution is plenty for a per-second rate, and the coarse
  // clock is a plain memory read in the vDSO.
  timespec ts{};
  ::clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
  return static_cast<std::uint64_t>(ts.tv_sec) * 1000 + static_cast<std::uint64_t>(ts.tv_nsec) / 1'000'000;
}

// Room for one in_pktinfo or in6_pktinfo control message.
constexpr std::size_t control_size = CMSG_SPACE(sizeof(in6_pktinfo));

}  // namespace

struct UdpListener::Slot {
  std::uint8_t query[max_query_size];
  sockaddr_storage from;
  alignas(cmsghdr) std::uint8_t control_in[control_size];
  alignas(cmsghdr) std::uint8_t control_out[control_size];
  iovec in_iov;
  iovec out_iov;
};

UdpListener::UdpListener(unsigned worker_index, WorkerShared& shared, ListenSocket socket)
    : worker_index_(worker_index),
      address_(socket.address),
      wildcard_(socket.address.is_wildcard()),
      fd_(socket.fd),
      coalesce_(shared.settings.udp_coalesce),
      processor_(shared.settings.processor, shared.settings.dynamic),
      reader_(shared.zones),
      slots_(batch_size),
      in_(batch_size),
      out_(batch_size),
      responses_(batch_size * max_response_size) {
  for (unsigned i = 0; i < batch_size; ++i) {
    Slot& s = slots_[i];
    s.in_iov = {s.query, sizeof s.query};
    auto& h = in_[i].msg_hdr;
    h = {};
    h.msg_name = &s.from;
    h.msg_iov = &s.in_iov;
    h.msg_iovlen = 1;
    if (wildcard_) h.msg_control = s.control_in;
  }
  reset_receive_headers(batch_size);
  if (shared.settings.query_log) query_log_ = std::make_unique<QueryLog>();
  if (shared.settings.rate_limit.enabled())
    limiter_ = std::make_unique<ResponseRateLimiter>(shared.settings.rate_limit, shared.settings.rate_limit_share);
  // Blocking receives with a timeout: the thread sleeps in recvmmsg while
  // idle and still notices a stop request within stop_poll_ms.
  const int flags = ::fcntl(fd_, F_GETFL);
  if (flags >= 0) (void)::fcntl(fd_, F_SETFL, flags & ~O_NONBLOCK);
  timeval timeout{};
  timeout.tv_usec = stop_poll_ms * 1000;
  (void)::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
}

UdpListener::~UdpListener() {
  request_stop();
  join();
  if (fd_ >= 0) ::close(fd_);  // never started
}

void UdpListener::start() {
  thread_ = std::thread([this] { run(); });
}

void UdpListener::request_stop() {
  stop_.store(true, std::memory_order_relaxed);
}

void UdpListener::join() {
  if (thread_.joinable()) thread_.join();
}

void UdpListener::run() {
  try {
    // Receive coalescing, as a NIC moderates interrupts: after a batch that
    // shows load, pause briefly so that the next receive takes a larger
    // batch, instead of sleeping on the socket and being woken for every few
    // queries. A wake-up costs both the sender (who must wake this thread)
    // and this thread (schedule, idle exit; dear in a VM); this trades them
    // for at most `udp_coalesce` of added latency under load. A full batch
    // means more is queued: no pause. Light load (small batches): no pause.
    // The sleep may overrun by the thread's timer slack (50 µs by default).
    const auto pause = coalesce_;
    const timespec pause_ts{0, static_cast<long>(std::chrono::nanoseconds(pause).count())};
    while (!stop_.load(std::memory_order_relaxed)) {
      const unsigned n = serve_batch(true);
      if (pause.count() > 0 && n >= coalesce_min_batch && n < batch_size) ::nanosleep(&pause_ts, nullptr);
    }
    // Answer what is already queued. Bounded: a flood during shutdown must
    // not keep us here for ever.
    for (unsigned i = 0; i < 256 && serve_batch(false) != 0; ++i) {
    }
  } catch (const std::exception& e) {
    // Nothing on the query path throws on input; reaching here is a bug, and
    // the other threads keep serving.
    base::log_error("worker", "worker ", worker_index_, " udp ", address_.to_string(), " stopped: ", e.what());
  }
  ::close(fd_);
  fd_ = -1;
  if (send_failures_ != 0) {
    base::log_warning("udp", address_.to_string(), ": ", send_failures_, " answers dropped at send");
  }
}

void UdpListener::reset_receive_headers(unsigned count) {
  for (unsigned i = 0; i < count; ++i) {
    // Only what recvmmsg writes back; msg_name, msg_iov and msg_control keep
    // pointing at the slot.
    auto& h = in_[i].msg_hdr;
    in_[i].msg_len = 0;
    h.msg_namelen = sizeof slots_[i].from;
    h.msg_controllen = wildcard_ ? sizeof slots_[i].control_in : 0;
    h.msg_flags = 0;
  }
}

unsigned UdpListener::serve_batch(bool wait) {
  mmsghdr* in = in_.data();
  // MSG_WAITFORONE: block (up to SO_RCVTIMEO) for the first datagram, then
  // take whatever else is queued without waiting.
  const int received = ::recvmmsg(fd_, in, batch_size, wait ? MSG_WAITFORONE : MSG_DONTWAIT, nullptr);
  if (received <= 0) {
    // Timeout, EINTR, nothing queued or a transient error.
    reset_receive_headers(1);
    return 0;
  }

  // Once per batch: a reload published meanwhile applies from this batch on.
  const ZoneSet& zones = *reader_.get();
  QueryLog* log = query_log_.get();
  const std::uint64_t now_ms = limiter_ != nullptr ? coarse_now_ms() : 0;
  mmsghdr* out = out_.data();
  unsigned replies = 0;
  for (int i = 0; i < received; ++i) {
    Slot& s = slots_[i];
    const auto& h = in[i].msg_hdr;
    if ((h.msg_flags & MSG_TRUNC) != 0) continue;  // larger than any query we answer
    const std::span<const std::uint8_t> query(s.query, in[i].msg_len);
    const std::span<std::uint8_t> response(responses_.data() + static_cast<std::size_t>(i) * max_response_size,
                                           max_response_size);
    // Reused: only the source's bytes change (readers go by its family). A
    // fixed size is a few moves; IPv4 and IPv6 sources fit in it.
    static_assert(sizeof(sockaddr_in6) >= sizeof(sockaddr_in));
    std::memcpy(&context_.client.source, &s.from, sizeof(sockaddr_in6));
    const Processed result = processor_.process(query, response, context_, zones);
    std::size_t size = result.size;
    if (result.result == ProcessResult::respond && limiter_ != nullptr) {
      switch (limiter_->check(s.from, processor_.rate_key(response.first(size)), now_ms)) {
        case ResponseRateLimiter::Verdict::send:
          break;
        case ResponseRateLimiter::Verdict::drop:
          size = 0;
          break;
        case ResponseRateLimiter::Verdict::slip:  // TC, no records: a real client retries over TCP
          size = truncate_to_question(response.data(), size);
          break;
      }
    }
    if (result.result != ProcessResult::respond || size == 0 || size > max_response_size) {
      if (log != nullptr) log->add(s.from, Transport::udp, query, {});
      continue;
    }
    if (log != nullptr) log->add(s.from, Transport::udp, query, response.first(size));

    s.out_iov = {response.data(), size};
    auto& o = out[replies].msg_hdr;
    o = {};
    o.msg_name = &s.from;
    o.msg_namelen = h.msg_namelen;
    o.msg_iov = &s.out_iov;
    o.msg_iovlen = 1;
    if (wildcard_) {
      // Reply from the address the query was sent to (RFC 1035 §4.2.1 clients
      // match replies by address); copy the arrival pktinfo into the reply.
      std::size_t used = 0;
      for (cmsghdr* c = CMSG_FIRSTHDR(&h); c != nullptr; c = CMSG_NXTHDR(const_cast<msghdr*>(&h), c)) {
        auto* oc = reinterpret_cast<cmsghdr*>(s.control_out);
        if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
          in_pktinfo info;
          std::memcpy(&info, CMSG_DATA(c), sizeof info);
          info.ipi_spec_dst = info.ipi_addr;  // source address for the reply
          info.ipi_ifindex = 0;               // let routing pick the interface
          oc->cmsg_level = IPPROTO_IP;
          oc->cmsg_type = IP_PKTINFO;
          oc->cmsg_len = CMSG_LEN(sizeof info);
          std::memcpy(CMSG_DATA(oc), &info, sizeof info);
          used = CMSG_SPACE(sizeof info);
          break;
        }
        if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO) {
          in6_pktinfo info;
          std::memcpy(&info, CMSG_DATA(c), sizeof info);  // address and interface (link-local needs it)
          oc->cmsg_level = IPPROTO_IPV6;
          oc->cmsg_type = IPV6_PKTINFO;
          oc->cmsg_len = CMSG_LEN(sizeof info);
          std::memcpy(CMSG_DATA(oc), &info, sizeof info);
          used = CMSG_SPACE(sizeof info);
          break;
        }
      }
      if (used != 0) {
        o.msg_control = s.control_out;
        o.msg_controllen = used;
      }
    }
    ++replies;
  }

  unsigned sent = 0;
  while (sent < replies) {
    const int n = ::sendmmsg(fd_, out + sent, replies - sent, MSG_DONTWAIT);
    if (n > 0) {
      sent += static_cast<unsigned>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EMSGSIZE) {
      // Larger than the interface MTU and DF is set (RFC 9715): send header and
      // question with TC instead, so the client comes back over TCP.
      iovec& iov = *out[sent].msg_hdr.msg_iov;
      const std::size_t cut = truncate_to_question(static_cast<std::uint8_t*>(iov.iov_base), iov.iov_len);
      if (cut != 0 && cut < iov.iov_len) {
        iov.iov_len = cut;
        continue;
      }
    }
    if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
      // One bad destination (e.g. EINVAL for an odd source address) must not
      // cost the rest of the batch their answers: skip it.
      ++send_failures_;
      ++sent;
      continue;
    }
    // The send buffer is full: UDP may drop, and waiting here would stall
    // every other client of this socket.
    send_failures_ += replies - sent;
    base::log_debug("udp", address_.to_string(), ": send buffer full, dropped ", replies - sent, " replies");
    break;
  }
  if (log != nullptr) log->flush();
  if (limiter_ != nullptr) report_rate_limit(now_ms);
  // Only the headers this batch used need re-arming for the next receive.
  reset_receive_headers(static_cast<unsigned>(received));
  return static_cast<unsigned>(received);
}

void UdpListener::report_rate_limit(std::uint64_t now_ms) {
  // At most once a minute, and only when something was limited.
  if (now_ms - rate_reported_ms_ < 60'000) return;
  const std::uint64_t dropped = limiter_->dropped() - rate_reported_dropped_;
  const std::uint64_t slipped = limiter_->slipped() - rate_reported_slipped_;
  if (dropped + slipped != 0) {
    base::log_warning("rrl", address_.to_string(), " worker ", worker_index_, ": ", dropped, " answers dropped, ",
                      slipped, " sent truncated over the rate limit since the last report");
  }
  rate_reported_ms_ = now_ms;
  rate_reported_dropped_ = limiter_->dropped();
  rate_reported_slipped_ = limiter_->slipped();
}

}  // namespace gslb::dns
