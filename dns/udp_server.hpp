// UdpListener: one worker's UDP socket on one listen address.
//
// Waits for readability with Asio, then drains the socket in batches with
// recvmmsg/sendmmsg (one system call per batch of up to 32 datagrams, not one
// per packet). Replies leave from the address the query arrived on: a socket
// bound to a specific address does that itself; on a wildcard socket the
// arrival address comes from IP_PKTINFO / IPV6_PKTINFO and is passed back in
// the reply's control message.
#pragma once

#include <boost/asio/ip/udp.hpp>
#include <cstdint>
#include <vector>

#include "dns/worker.hpp"

namespace gslb::dns {

class UdpListener {
 public:
  static constexpr unsigned batch_size = 32;
  static constexpr std::size_t max_query_size = 4096;  // larger datagrams are not queries we answer
  static constexpr std::size_t max_response_size = 65535;

  // Worker thread. Takes ownership of `socket.fd` (bound, non-blocking).
  UdpListener(Worker& worker, ListenSocket socket);
  ~UdpListener();

  void start();
  // Answers whatever is already queued, then closes: packets the kernel holds
  // for this socket would otherwise be lost with it (SO_REUSEPORT spreads
  // queries per socket).
  void drain_and_close();

 private:
  void wait();
  void serve();
  // Receives, answers and sends up to `max_batches` batches; returns early
  // when the socket has nothing more to read. True if it may hold more.
  bool drain(unsigned max_batches);
  unsigned serve_batch();

  Worker& worker_;
  base::SocketAddress address_;
  bool wildcard_;
  boost::asio::ip::udp::socket socket_;

  struct Slot;
  std::vector<Slot> slots_;
  std::vector<std::uint8_t> responses_;  // batch_size × max_response_size
};

}  // namespace gslb::dns
