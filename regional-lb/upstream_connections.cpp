#include "regional-lb/upstream_connections.hpp"

#include <sys/socket.h>

#include <cerrno>

namespace gslb::lb {

UpstreamConnections::UpstreamConnections(std::vector<std::size_t> members_per_pool) {
  for (std::size_t n : members_per_pool) idle_.emplace_back(n);
}

namespace {

// Below this idle time a pooled connection is reused without looking at its
// socket. Backends close idle connections, or send a last "408" before doing
// so, after seconds of silence, not milliseconds; a busy proxy reuses its
// connections within milliseconds, and a system call per request to check
// them would be its largest avoidable kernel cost. A connection that was
// closed anyway (a backend restarting) fails on first use, with nothing
// answered, and the request is replayed on a fresh one (forward_request).
constexpr std::chrono::milliseconds kTrustedIdle{1000};

// A pooled connection is usable when reading would block: EOF means the
// backend closed it, and bytes mean it sent something unasked (a stray or
// late response) that would be mistaken for the next answer.
bool looks_alive(UpstreamConnection& conn, std::chrono::steady_clock::duration idle) {
  if (conn.buffer.size() != 0) return false;
  auto& socket = conn.socket;
  if (!socket.is_open()) return false;
  if (idle < kTrustedIdle) return true;
  char byte;
  const ssize_t n = ::recv(socket.native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
  return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
}

}  // namespace

std::unique_ptr<UpstreamConnection> UpstreamConnections::take(std::size_t pool, std::size_t member,
                                                              std::chrono::milliseconds max_age) {
  if (pool >= idle_.size() || member >= idle_[pool].size()) return nullptr;
  auto& list = idle_[pool][member];
  const auto now = std::chrono::steady_clock::now();
  // Newest first: the most recently used connection is the least likely to
  // have been closed by the backend's idle timer.
  while (!list.empty()) {
    auto conn = std::move(list.back());
    list.pop_back();
    if (now - conn->idle_since <= max_age && looks_alive(*conn, now - conn->idle_since)) {
      conn->reused = true;
      return conn;
    }
    boost::system::error_code ignored;
    conn->socket.close(ignored);
  }
  return nullptr;
}

void UpstreamConnections::give_back(std::size_t pool, std::size_t member, std::unique_ptr<UpstreamConnection> conn,
                                    std::size_t max_idle) {
  if (pool >= idle_.size() || member >= idle_[pool].size() || max_idle == 0) return;
  auto& list = idle_[pool][member];
  conn->idle_since = std::chrono::steady_clock::now();
  conn->deadline.disarm();
  list.push_back(std::move(conn));
  while (list.size() > max_idle) {
    boost::system::error_code ignored;
    list.front()->socket.close(ignored);
    list.pop_front();
  }
}

std::size_t UpstreamConnections::idle_count(std::size_t pool, std::size_t member) const {
  if (pool >= idle_.size() || member >= idle_[pool].size()) return 0;
  return idle_[pool][member].size();
}

void UpstreamConnections::close_idle(std::size_t pool, std::size_t member) {
  if (pool >= idle_.size() || member >= idle_[pool].size()) return;
  for (auto& conn : idle_[pool][member]) {
    boost::system::error_code ignored;
    conn->socket.close(ignored);
  }
  idle_[pool][member].clear();
}

void UpstreamConnections::clear() {
  for (auto& pool : idle_) {
    for (auto& list : pool) {
      for (auto& conn : list) {
        boost::system::error_code ignored;
        conn->socket.close(ignored);
      }
      list.clear();
    }
  }
}

}  // namespace gslb::lb
