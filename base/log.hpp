// Leveled logging to stderr, one line per event, safe from any thread.
// Lines are "<time> <level> <component>: <message>". The query path must not
// log unless per-query logging was asked for (it is off by default).
#pragma once

#include <atomic>
#include <sstream>
#include <string>
#include <string_view>

namespace gslb::base {

enum class LogLevel { debug = 0, info = 1, warning = 2, error = 3 };

class Log {
 public:
  static void set_level(LogLevel level) { level_.store(level, std::memory_order_relaxed); }
  static bool enabled(LogLevel level) { return level >= level_.load(std::memory_order_relaxed); }
  // Writes one whole line with a single write(2) so lines from threads never interleave.
  static void write(LogLevel level, std::string_view component, std::string_view message);

 private:
  static inline std::atomic<LogLevel> level_{LogLevel::info};
};

// log_info("dns", "loaded ", n, " zones");
template <typename... Args>
void log_at(LogLevel level, std::string_view component, const Args&... args) {
  if (!Log::enabled(level)) return;
  std::ostringstream s;
  (s << ... << args);
  Log::write(level, component, s.str());
}
template <typename... Args>
void log_debug(std::string_view c, const Args&... a) {
  log_at(LogLevel::debug, c, a...);
}
template <typename... Args>
void log_info(std::string_view c, const Args&... a) {
  log_at(LogLevel::info, c, a...);
}
template <typename... Args>
void log_warning(std::string_view c, const Args&... a) {
  log_at(LogLevel::warning, c, a...);
}
template <typename... Args>
void log_error(std::string_view c, const Args&... a) {
  log_at(LogLevel::error, c, a...);
}

}  // namespace gslb::base
