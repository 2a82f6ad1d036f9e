// UdpListener: one worker's UDP socket on one listen address, served by a
// thread of its own.
//
// The thread blocks in recvmmsg(MSG_WAITFORONE) for a batch of up to 32
// datagrams, answers them, and sends the answers with one sendmmsg: two system
// calls per batch and no poller (an epoll wake-up plus re-arm per batch cost
// more kernel time than the queries themselves). Replies leave from the
// address the query arrived on: a socket bound to a specific address does that
// itself; on a wildcard socket the arrival address comes from IP_PKTINFO /
// IPV6_PKTINFO and is passed back in the reply's control message.
//
// The thread has its own QueryProcessor, zone-snapshot reader (refreshed once
// per batch, so a reload is seen by the next batch and no query is dropped)
// and query log; nothing on its path is shared with other threads.
#pragma once

#include <sys/socket.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <thread>
#include <vector>

#include "dns/worker.hpp"

namespace gslb::dns {

class UdpListener {
 public:
  static constexpr unsigned batch_size = 32;
  static constexpr std::size_t max_query_size = 4096;  // larger datagrams are not queries we answer
  static constexpr std::size_t max_response_size = 65535;
  // How long a blocked receive waits before it looks at the stop flag; bounds
  // the time from request_stop() to the final drain.
  static constexpr int stop_poll_ms = 100;
  // A batch at least this large means queries arrived faster than they were
  // answered: the listener is under load, and coalescing pays (see run()).
  static constexpr unsigned coalesce_min_batch = 4;

  // Control thread. Takes ownership of `socket.fd` (bound; made blocking here).
  // `shared` outlives the listener.
  UdpListener(unsigned worker_index, WorkerShared& shared, ListenSocket socket);
  ~UdpListener();  // joins the thread
  UdpListener(const UdpListener&) = delete;
  UdpListener& operator=(const UdpListener&) = delete;

  // Control thread. start() launches the thread. request_stop() makes it
  // answer whatever is already queued and close the socket (packets the kernel
  // holds for this socket would otherwise be lost with it: SO_REUSEPORT
  // spreads queries per socket), within about stop_poll_ms; join() waits.
  void start();
  void request_stop();
  void join();

 private:
  void run();
  // Receives, answers and sends one batch; `wait` blocks for the first
  // datagram. Returns the number of datagrams received (0: none or error).
  unsigned serve_batch(bool wait);
  // Restores the fields recvmmsg overwrote in the first `count` receive headers.
  void reset_receive_headers(unsigned count);
  void report_rate_limit(std::uint64_t now_ms);

  unsigned worker_index_;
  base::SocketAddress address_;
  bool wildcard_;
  int fd_;
  std::atomic<bool> stop_{false};
  std::thread thread_;

  const std::chrono::microseconds coalesce_;
  // Thread-owned.
  QueryProcessor processor_;
  QueryContext context_;                          // UDP; the client's source is overwritten per query
  std::unique_ptr<ResponseRateLimiter> limiter_;  // when rate limiting is on
  std::uint64_t rate_reported_ms_ = 0;
  std::uint64_t rate_reported_dropped_ = 0;
  std::uint64_t rate_reported_slipped_ = 0;
  base::Snapshot<ZoneSet>::Reader reader_;
  std::unique_ptr<QueryLog> query_log_;
  struct Slot;
  std::vector<Slot> slots_;
  std::vector<mmsghdr> in_;              // receive headers, each pointing into its slot
  std::vector<mmsghdr> out_;             // send headers, filled per batch
  std::vector<std::uint8_t> responses_;  // batch_size × max_response_size
  std::uint64_t send_failures_ = 0;      // answers dropped: send buffer full or a hard send error
};

}  // namespace gslb::dns
