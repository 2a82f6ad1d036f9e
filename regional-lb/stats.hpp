// Process-wide counters for /metrics. Each worker owns a ResponseCounters and
// is its only writer (relaxed atomics, no contention); the admin thread sums
// them into a ProcessStats when scraped.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>

namespace gslb::lb {

struct ResponseCounters {
  std::array<std::atomic<std::uint64_t>, 5> by_class{};  // 1xx, 2xx, 3xx, 4xx, 5xx sent to clients

  void count(unsigned status) {
    if (status >= 100 && status < 600) by_class[status / 100 - 1].fetch_add(1, std::memory_order_relaxed);
  }
};

struct ProcessStats {
  int client_connections = 0;
  std::array<std::uint64_t, 5> responses_by_class{};
};

}  // namespace gslb::lb
