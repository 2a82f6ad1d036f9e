#include "dns/udp_server.hpp"

#include <netinet/in.h>
#include <sys/socket.h>

#include <boost/asio/post.hpp>
#include <cerrno>
#include <cstring>

#include "base/log.hpp"

namespace gslb::dns {

namespace {

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

UdpListener::UdpListener(Worker& worker, ListenSocket socket)
    : worker_(worker),
      address_(socket.address),
      wildcard_(socket.address.is_wildcard()),
      socket_(worker.io(),
              socket.address.family() == AF_INET6 ? boost::asio::ip::udp::v6() : boost::asio::ip::udp::v4(), socket.fd),
      slots_(batch_size),
      responses_(batch_size * max_response_size) {}

UdpListener::~UdpListener() = default;

void UdpListener::start() {
  wait();
}

void UdpListener::wait() {
  socket_.async_wait(boost::asio::socket_base::wait_read, [this](const boost::system::error_code& error) {
    if (error) return;  // cancelled: the listener is closing
    serve();
  });
}

void UdpListener::serve() {
  // Bounded so that one busy socket cannot starve the worker's other sockets
  // and TCP connections. If the socket still holds packets, continue via
  // post(): Asio's epoll registration is edge-triggered, so waiting for
  // readability again would stall until the next packet arrived.
  if (drain(8)) {
    boost::asio::post(worker_.io(), [this] {
      if (socket_.is_open()) serve();
    });
  } else {
    wait();
  }
}

void UdpListener::drain_and_close() {
  boost::system::error_code ignored;
  socket_.cancel(ignored);
  // Bounded: a flood during shutdown must not keep us here for ever.
  drain(64);
  socket_.close(ignored);
}

bool UdpListener::drain(unsigned max_batches) {
  bool more = true;
  for (unsigned i = 0; i < max_batches && more; ++i) more = serve_batch() == batch_size;
  if (auto* log = worker_.query_log()) log->flush();
  return more;
}

unsigned UdpListener::serve_batch() {
  mmsghdr in[batch_size];
  for (unsigned i = 0; i < batch_size; ++i) {
    Slot& s = slots_[i];
    s.in_iov = {s.query, sizeof s.query};
    in[i].msg_len = 0;
    auto& h = in[i].msg_hdr;
    h = {};
    h.msg_name = &s.from;
    h.msg_namelen = sizeof s.from;
    h.msg_iov = &s.in_iov;
    h.msg_iovlen = 1;
    if (wildcard_) {
      h.msg_control = s.control_in;
      h.msg_controllen = sizeof s.control_in;
    }
  }
  const int received = ::recvmmsg(socket_.native_handle(), in, batch_size, MSG_DONTWAIT, nullptr);
  if (received <= 0) return 0;  // EAGAIN (nothing queued) or a transient error: wait again

  const ZoneSet& zones = worker_.zones();
  QueryLog* log = worker_.query_log();
  mmsghdr out[batch_size];
  unsigned replies = 0;
  for (int i = 0; i < received; ++i) {
    Slot& s = slots_[i];
    const auto& h = in[i].msg_hdr;
    if ((h.msg_flags & MSG_TRUNC) != 0) continue;  // larger than any query we answer
    const std::span<const std::uint8_t> query(s.query, in[i].msg_len);
    const std::span<std::uint8_t> response(responses_.data() + static_cast<std::size_t>(i) * max_response_size,
                                           max_response_size);
    QueryContext ctx;
    ctx.transport = Transport::udp;
    std::memcpy(&ctx.client.source, &s.from, std::min<std::size_t>(h.msg_namelen, sizeof s.from));
    const Processed result = worker_.processor().process(query, response, ctx, zones);
    if (result.result != ProcessResult::respond || result.size == 0 || result.size > max_response_size) {
      if (log != nullptr) log->add(s.from, Transport::udp, query, {});
      continue;
    }
    if (log != nullptr) log->add(s.from, Transport::udp, query, response.first(result.size));

    s.out_iov = {response.data(), result.size};
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
    const int n = ::sendmmsg(socket_.native_handle(), out + sent, replies - sent, MSG_DONTWAIT);
    if (n > 0) {
      sent += static_cast<unsigned>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
      // One bad destination (e.g. EINVAL for an odd source address) must not
      // cost the rest of the batch their answers: skip it.
      ++sent;
      continue;
    }
    // The send buffer is full: UDP may drop, and waiting here would stall
    // every other client of this worker.
    base::log_debug("udp", address_.to_string(), ": send buffer full, dropped ", replies - sent, " replies");
    break;
  }
  return static_cast<unsigned>(received);
}

}  // namespace gslb::dns
