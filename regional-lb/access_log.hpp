// The access log: one line per request, JSON or Apache/nginx "combined".
//
// Workers format a line on their own thread and append it to a buffer of
// their own (one per thread, its mutex uncontended but for the writer taking
// the buffer); one writer thread collects the buffers every 200 ms, or sooner
// when one passes 64 KiB, and writes each with a single write(2). So lines are
// whole and never interleaved (there is one writer), the proxy never waits for
// the disk, and there is no syscall per request. At most ~16 MiB wait for the
// disk; past that, lines are dropped and counted (a stuck disk must not grow
// memory without bound).
//
// reopen() (SIGHUP) switches to a freshly opened file: after logrotate has
// moved the old one, new lines go to the new file.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "regional-lb/config.hpp"

namespace gslb::lb {

// What the proxy learned about one request, for its log line. Reused by a
// session from request to request (reset() keeps the string's capacity).
struct RequestRecord {
  unsigned status = 0;                // sent to the client; 0: none was sent
  std::uint64_t body_bytes = 0;       // response body bytes sent
  const std::string* pool = nullptr;  // pool name in the config the request was routed with
  std::string backend;                // last backend tried; empty: none
  std::int64_t upstream_us = -1;      // request sent → response header; -1: no response

  void reset() {
    status = 0;
    body_bytes = 0;
    pool = nullptr;
    backend.clear();
    upstream_us = -1;
  }
};

// The request side of a log line; views valid for the call only.
struct RequestLine {
  std::chrono::system_clock::time_point time;  // when the request began
  std::chrono::microseconds duration{0};       // first byte → response sent
  std::string_view client_ip;
  std::string_view method;  // "-" if the request line was unreadable
  std::string_view target;
  unsigned version = 11;
  std::string_view host;
  std::string_view referer;
  std::string_view user_agent;
  bool tls = false;
};

// Appends the formatted line (with '\n') to out. Pure; exposed for tests.
void format_access_line(AccessLogConfig::Format format, const RequestLine& req, const RequestRecord& rec,
                        std::string& out);

class AccessLog {
 public:
  AccessLog();
  ~AccessLog();  // writes what is buffered, stops the writer
  AccessLog(const AccessLog&) = delete;
  AccessLog& operator=(const AccessLog&) = delete;

  // Control thread: (re)opens the log as config says (nullopt: off). On
  // failure returns false with error set and keeps the previous file.
  bool configure(const std::optional<AccessLogConfig>& config, std::string& error);

  // Any thread; cheap when off.
  bool enabled() const { return enabled_.load(std::memory_order_relaxed); }
  // Worker threads: formats and buffers one line (nothing if off).
  void log(const RequestLine& req, const RequestRecord& rec);

  std::uint64_t dropped() const { return dropped_.load(std::memory_order_relaxed); }

 private:
  struct Slot {
    std::mutex mutex;
    std::string buffer;
  };
  Slot& my_slot();
  void run_writer();
  void write_all(int fd, const std::string& data);

  const std::uint64_t instance_;  // tells this log's thread-local slots from a former one's
  std::atomic<bool> enabled_{false};
  std::atomic<int> format_{0};
  std::atomic<std::uint64_t> dropped_{0};
  std::atomic<std::size_t> pending_{0};  // bytes buffered, all slots

  std::mutex slots_mutex_;  // guards slots_ (registration, writer's walk)
  std::vector<std::unique_ptr<Slot>> slots_;

  std::mutex wait_mutex_;  // guards stop_; the writer waits on wake_cv_ with it
  std::condition_variable wake_cv_;
  bool stop_ = false;
  std::mutex io_mutex_;  // guards fd_; held by the writer while writing a batch
  int fd_ = -1;          // -1: off; 1: stdout
  std::thread writer_;
};

}  // namespace gslb::lb
