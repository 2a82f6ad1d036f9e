#include "regional-lb/access_log.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <ctime>

namespace gslb::lb {
namespace {

constexpr std::size_t kWakeBytes = 64 * 1024;          // a slot this full wakes the writer early
constexpr std::size_t kMaxPending = 16 * 1024 * 1024;  // beyond this, lines are dropped
constexpr auto kFlushEvery = std::chrono::milliseconds(200);

std::atomic<std::uint64_t> next_instance{1};

void append_number(std::string& out, std::uint64_t v) {
  char buf[24];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, r.ptr);
}

// Microseconds as seconds: with microsecond precision ("0.000231") for JSON,
// millisecond ("0.002", like nginx's $request_time) for combined.
void append_seconds(std::string& out, std::int64_t us, bool micro) {
  const std::uint64_t v = static_cast<std::uint64_t>(us < 0 ? 0 : micro ? us : (us + 500) / 1000);
  const std::uint64_t scale = micro ? 1'000'000 : 1'000;
  append_number(out, v / scale);
  out += '.';
  std::uint64_t frac = v % scale;
  char digits[6];
  const int n = micro ? 6 : 3;
  for (int i = n - 1; i >= 0; --i) {
    digits[i] = static_cast<char>('0' + frac % 10);
    frac /= 10;
  }
  out.append(digits, static_cast<std::size_t>(n));
}

// RFC 8259 §7 string body. Bytes ≥ 0x80 are escaped as \u00XX so that a
// request carrying invalid UTF-8 still yields a valid JSON line.
void append_json_string(std::string& out, std::string_view s) {
  static constexpr char hex[] = "0123456789abcdef";
  out += '"';
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += ch;
    } else if (c < 0x20 || c >= 0x7f) {
      out += "\\u00";
      out += hex[c >> 4];
      out += hex[c & 15];
    } else {
      out += ch;
    }
  }
  out += '"';
}

// For the quoted fields of the combined format: '"' and '\' escaped, control
// and non-ASCII bytes as \xHH (what nginx does), so one request is one line.
void append_escaped(std::string& out, std::string_view s) {
  static constexpr char hex[] = "0123456789ABCDEF";
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == '"' || c == '\\' || c < 0x20 || c >= 0x7f) {
      out += "\\x";
      out += hex[c >> 4];
      out += hex[c & 15];
    } else {
      out += ch;
    }
  }
}

void append_quoted(std::string& out, std::string_view s) {
  out += '"';
  if (s.empty()) out += '-';
  append_escaped(out, s);
  out += '"';
}

// The timestamp text, recomputed once per second per thread.
struct TimeCache {
  std::time_t second = -1;
  char iso[24] = {};     // 2026-11-23T23:10:00   (milliseconds and Z added per line)
  char common[32] = {};  // 23/Nov/2026:23:10:00 +0000
};

const TimeCache& time_text(std::time_t second) {
  thread_local TimeCache cache;
  if (cache.second != second) {
    std::tm tm{};
    gmtime_r(&second, &tm);
    std::strftime(cache.iso, sizeof cache.iso, "%Y-%m-%dT%H:%M:%S", &tm);
    // The C locale's %b is the English month abbreviation the format needs.
    std::strftime(cache.common, sizeof cache.common, "%d/%b/%Y:%H:%M:%S +0000", &tm);
    cache.second = second;
  }
  return cache;
}

std::string_view protocol(unsigned version) {
  return version == 10 ? "HTTP/1.0" : version == 11 ? "HTTP/1.1" : "HTTP/?";
}

}  // namespace

void format_access_line(AccessLogConfig::Format format, const RequestLine& req, const RequestRecord& rec,
                        std::string& out) {
  const auto since_epoch = std::chrono::duration_cast<std::chrono::milliseconds>(req.time.time_since_epoch()).count();
  const auto& t = time_text(static_cast<std::time_t>(since_epoch / 1000));
  const std::string_view pool = rec.pool ? std::string_view(*rec.pool) : std::string_view();
  if (format == AccessLogConfig::Format::json) {
    out += "{\"time\":\"";
    out += t.iso;
    out += '.';
    const unsigned ms = static_cast<unsigned>(since_epoch % 1000);
    out += static_cast<char>('0' + ms / 100);
    out += static_cast<char>('0' + ms / 10 % 10);
    out += static_cast<char>('0' + ms % 10);
    out += "Z\",\"client\":";
    append_json_string(out, req.client_ip);
    out += ",\"method\":";
    append_json_string(out, req.method);
    out += ",\"target\":";
    append_json_string(out, req.target);
    out += ",\"protocol\":\"";
    out += protocol(req.version);
    out += "\",\"tls\":";
    out += req.tls ? "true" : "false";
    out += ",\"host\":";
    append_json_string(out, req.host);
    out += ",\"status\":";
    append_number(out, rec.status);
    out += ",\"bytes\":";
    append_number(out, rec.body_bytes);
    out += ",\"duration\":";
    append_seconds(out, req.duration.count(), true);
    out += ",\"pool\":";
    if (pool.empty()) {
      out += "null";
    } else {
      append_json_string(out, pool);
    }
    out += ",\"backend\":";
    if (rec.backend.empty()) {
      out += "null";
    } else {
      append_json_string(out, rec.backend);
    }
    out += ",\"upstream_time\":";
    if (rec.upstream_us < 0) {
      out += "null";
    } else {
      append_seconds(out, rec.upstream_us, true);
    }
    out += ",\"referer\":";
    append_json_string(out, req.referer);
    out += ",\"user_agent\":";
    append_json_string(out, req.user_agent);
    out += "}\n";
    return;
  }
  // combined: %h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-Agent}i", then
  // the proxy's own fields as key=value (as nginx users commonly append).
  out += req.client_ip;
  out += " - - [";
  out += t.common;
  out += "] \"";
  append_escaped(out, req.method);
  out += ' ';
  append_escaped(out, req.target);
  out += ' ';
  out += protocol(req.version);
  out += "\" ";
  append_number(out, rec.status);
  out += ' ';
  append_number(out, rec.body_bytes);
  out += ' ';
  append_quoted(out, req.referer);
  out += ' ';
  append_quoted(out, req.user_agent);
  out += " rt=";
  append_seconds(out, req.duration.count(), false);
  out += " urt=";
  if (rec.upstream_us < 0) {
    out += '-';
  } else {
    append_seconds(out, rec.upstream_us, false);
  }
  out += " pool=";
  out += pool.empty() ? std::string_view("-") : pool;
  out += " backend=";
  out += rec.backend.empty() ? std::string_view("-") : std::string_view(rec.backend);
  out += '\n';
}

AccessLog::AccessLog() : instance_(next_instance.fetch_add(1)) {
  writer_ = std::thread([this] { run_writer(); });
}

AccessLog::~AccessLog() {
  {
    std::lock_guard lock(wait_mutex_);
    stop_ = true;
  }
  wake_cv_.notify_one();
  writer_.join();
  if (fd_ > 2) ::close(fd_);
}

bool AccessLog::configure(const std::optional<AccessLogConfig>& config, std::string& error) {
  int fd = -1;
  if (config) {
    if (config->path == "-") {
      fd = STDOUT_FILENO;
    } else {
      // O_APPEND: the kernel places every write at the end even if another
      // process (or a copytruncate logrotate) touches the file.
      fd = ::open(config->path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
      if (fd < 0) {
        error = "cannot open access log " + config->path + ": " + std::strerror(errno);
        return false;
      }
    }
    format_.store(static_cast<int>(config->format), std::memory_order_relaxed);
  }
  int old = -1;
  {
    // Waits for a batch being written to the old file to finish.
    std::lock_guard lock(io_mutex_);
    old = fd_;
    fd_ = fd;
  }
  if (old > 2) ::close(old);
  {
    std::lock_guard lock(wait_mutex_);  // so the writer cannot miss the change
    enabled_.store(fd >= 0, std::memory_order_relaxed);
  }
  wake_cv_.notify_one();
  return true;
}

AccessLog::Slot& AccessLog::my_slot() {
  // One slot per thread that logs (the workers), found through a
  // thread-local so the hot path takes no shared lock.
  struct Cached {
    std::uint64_t instance = 0;
    Slot* slot = nullptr;
  };
  thread_local Cached cached;
  if (cached.instance != instance_) {
    auto slot = std::make_unique<Slot>();
    cached.slot = slot.get();
    cached.instance = instance_;
    std::lock_guard lock(slots_mutex_);
    slots_.push_back(std::move(slot));
  }
  return *cached.slot;
}

void AccessLog::log(const RequestLine& req, const RequestRecord& rec) {
  if (!enabled()) return;
  if (pending_.load(std::memory_order_relaxed) > kMaxPending) {
    dropped_.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  thread_local std::string line;
  line.clear();
  format_access_line(static_cast<AccessLogConfig::Format>(format_.load(std::memory_order_relaxed)), req, rec, line);
  Slot& slot = my_slot();
  std::size_t size = 0;
  {
    std::lock_guard lock(slot.mutex);
    slot.buffer += line;
    size = slot.buffer.size();
  }
  pending_.fetch_add(line.size(), std::memory_order_relaxed);
  // Crossing the threshold (not every line above it) wakes the writer; a
  // missed wake-up costs at most one flush period.
  if (size >= kWakeBytes && size - line.size() < kWakeBytes) wake_cv_.notify_one();
}

void AccessLog::write_all(int fd, const std::string& data) {
  std::size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      // Disk full or the like: the batch is lost, the proxy goes on.
      dropped_.fetch_add(1, std::memory_order_relaxed);
      return;
    }
    done += static_cast<std::size_t>(n);
  }
}

void AccessLog::run_writer() {
  std::vector<std::string> batches;
  bool stopping = false;
  while (!stopping) {
    {
      std::unique_lock lock(wait_mutex_);
      if (enabled()) {
        wake_cv_.wait_for(lock, kFlushEvery, [this] { return stop_; });
      } else {
        // Off: sleep until configure() turns it on (or stop); nothing to flush
        // but a last batch, which the pass below after waking writes.
        wake_cv_.wait(lock, [this] { return stop_ || enabled(); });
      }
      stopping = stop_;
    }
    {
      std::lock_guard lock(slots_mutex_);
      batches.resize(slots_.size());
      for (std::size_t i = 0; i < slots_.size(); ++i) {
        batches[i].clear();
        std::lock_guard slot_lock(slots_[i]->mutex);
        // Swap, so the worker keeps appending into the capacity the last batch had.
        std::swap(batches[i], slots_[i]->buffer);
      }
    }
    std::lock_guard io(io_mutex_);
    for (const auto& b : batches) {
      if (b.empty()) continue;
      pending_.fetch_sub(b.size(), std::memory_order_relaxed);
      if (fd_ >= 0) write_all(fd_, b);
    }
  }
}

}  // namespace gslb::lb
