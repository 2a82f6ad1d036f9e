// Per-worker cache of idle keep-alive connections to backends, keyed by
// (pool, member). Owned by one worker and used only on its thread, so it
// needs no lock. Limits: at most max_idle connections per backend (older ones
// are closed first), and a connection idle longer than max_age is not reused
// (backends close idle connections on their own schedule; reusing one they
// are closing turns a good request into a 502).
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <chrono>
#include <deque>
#include <memory>
#include <vector>

#include "regional-lb/stream_io.hpp"

namespace gslb::lb {

struct UpstreamConnection {
  explicit UpstreamConnection(boost::asio::io_context& io) : socket(io), deadline(socket) {}
  boost::asio::ip::tcp::socket socket;  // non-blocking mode once connected (write_all)
  Deadline deadline;
  boost::beast::flat_buffer buffer;  // bytes read from the backend not yet parsed
  std::chrono::steady_clock::time_point idle_since;
  bool reused = false;  // came from the cache (may have been closed by the backend meanwhile)
};

class UpstreamConnections {
 public:
  explicit UpstreamConnections(std::vector<std::size_t> members_per_pool);

  // An idle connection that still looks alive, or nullptr. One idle for a
  // second or more is checked (no EOF, no stray bytes: one system call);
  // a more recent one is trusted, and may turn out closed on first use.
  std::unique_ptr<UpstreamConnection> take(std::size_t pool, std::size_t member, std::chrono::milliseconds max_age);

  // Keeps conn for reuse unless the backend's cache is full (then the oldest goes).
  // Precondition: the last response on conn was read completely and allowed keep-alive.
  void give_back(std::size_t pool, std::size_t member, std::unique_ptr<UpstreamConnection> conn, std::size_t max_idle);

  std::size_t idle_count(std::size_t pool, std::size_t member) const;
  // Closes the idle connections to one backend (it is being drained).
  void close_idle(std::size_t pool, std::size_t member);
  // Closes everything (shutdown).
  void clear();

 private:
  std::vector<std::vector<std::deque<std::unique_ptr<UpstreamConnection>>>> idle_;
};

}  // namespace gslb::lb
