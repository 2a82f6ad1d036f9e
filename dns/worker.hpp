// Worker: one UDP socket and one TCP acceptor per listen address
// (SO_REUSEPORT: the kernel spreads packets and connections over the workers).
// Each UDP socket is served by a thread of its own in a blocking
// recvmmsg/sendmmsg loop (see udp_server.hpp); TCP runs on the worker's
// io_context thread with its own QueryProcessor, buffers and zone-snapshot
// reader. With --workers N and A listen addresses there are N×A UDP threads and
// N TCP threads. Nothing on a query path is shared with other threads except
// the TCP connection counter (touched per connection, not per query).
#pragma once

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <memory>
#include <thread>
#include <vector>

#include "base/net_util.hpp"
#include "base/snapshot.hpp"
#include "dns/query_log.hpp"
#include "dns/query_processor.hpp"
#include "dns/zone_set.hpp"

namespace gslb::dns {

class UdpListener;
class TcpListener;
class TcpConnection;

// Settings every worker reads; immutable while workers run.
struct WorkerSettings {
  ProcessorOptions processor;
  const DynamicAnswerSource* dynamic = nullptr;
  std::chrono::milliseconds tcp_idle_timeout{10'000};
  std::chrono::milliseconds tcp_io_timeout{5'000};  // to finish reading a started message / writing a reply
  unsigned tcp_max_connections = 1000;
  bool query_log = false;
  // UDP receive coalescing: after a batch that shows load, wait this long
  // before the next receive (UdpListener::run). 0 = off.
  std::chrono::microseconds udp_coalesce{30};
  RateLimitOptions rate_limit;    // UDP response rate limiting; off by default
  unsigned rate_limit_share = 1;  // UDP listener threads per address, set by Server
};

// State shared by all workers; outlives them.
struct WorkerShared {
  const WorkerSettings& settings;
  const base::Snapshot<ZoneSet>& zones;
  std::atomic<unsigned> tcp_connections{0};
};

// One bound, non-blocking socket handed to a worker.
struct ListenSocket {
  int fd = -1;
  base::SocketAddress address;  // as bound (port resolved)
};

class Worker {
 public:
  // Takes ownership of the descriptors.
  Worker(unsigned index, WorkerShared& shared, std::vector<ListenSocket> udp, std::vector<ListenSocket> tcp);
  ~Worker();
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  // Control thread. start() launches the threads; request_stop() asks them to
  // stop accepting, drain the UDP queues, let TCP exchanges in progress finish
  // within `grace`, and return; join() waits for that.
  void start();
  void request_stop(std::chrono::milliseconds grace);
  void join();

  // TCP thread only (listeners and connections).
  unsigned index() const { return index_; }
  boost::asio::io_context& io() { return *io_; }
  const WorkerSettings& settings() const { return shared_.settings; }
  std::atomic<unsigned>& tcp_connections() { return shared_.tcp_connections; }
  QueryProcessor& processor() { return processor_; }
  // The newest zone set; cheap (a generation check). Valid until the next call.
  const ZoneSet& zones() { return *reader_.get(); }
  // The same, held: for work that outlives one call (a zone transfer).
  ZoneSet::ConstPtr zones_held() { return reader_.shared(); }
  QueryLog* query_log() { return query_log_.get(); }
  bool stopping() const { return stopping_; }
  // 65535-byte response scratch for TCP (one exchange is processed at a time).
  std::span<std::uint8_t> tcp_scratch() { return tcp_scratch_; }

  void add_connection(TcpConnection* c);
  void remove_connection(TcpConnection* c);

 private:
  void run();
  void stop_now(std::chrono::milliseconds grace);

  unsigned index_;
  WorkerShared& shared_;
  // Destroyed first (in ~Worker) so that handlers it still holds can unregister.
  std::unique_ptr<boost::asio::io_context> io_;
  QueryProcessor processor_;
  base::Snapshot<ZoneSet>::Reader reader_;
  std::unique_ptr<QueryLog> query_log_;
  std::vector<std::uint8_t> tcp_scratch_;
  std::vector<std::unique_ptr<UdpListener>> udp_;
  std::vector<std::shared_ptr<TcpListener>> tcp_;
  std::vector<TcpConnection*> connections_;
  bool stopping_ = false;
  std::unique_ptr<boost::asio::steady_timer> hard_stop_;
  std::thread thread_;
};

}  // namespace gslb::dns
