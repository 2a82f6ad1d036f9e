#include "regional-lb/balancer.hpp"

#include <algorithm>

namespace gslb::lb {

std::optional<std::uint32_t> Balancer::pick_excluding(const PoolView& view, const RequestInfo& request,
                                                      std::span<const std::uint32_t> tried) {
  auto untried = [&](std::uint32_t m) { return std::find(tried.begin(), tried.end(), m) == tried.end(); };
  // A few asks let rotating and random algorithms choose as they normally would.
  for (int attempt = 0; attempt < 3; ++attempt) {
    const auto choice = pick(view, request);
    if (!choice) return std::nullopt;
    if (untried(*choice)) return choice;
  }
  for (std::uint32_t m : view.available()) {
    if (untried(m)) return m;
  }
  return std::nullopt;
}

void Balancer::on_request_start(const PoolView& view, std::uint32_t member) {
  view.members()[member].load->in_flight.fetch_add(1, std::memory_order_relaxed);
}

void Balancer::on_request_end(const PoolView& view, std::uint32_t member, std::chrono::microseconds latency) {
  BackendLoad& load = *view.members()[member].load;
  load.in_flight.fetch_sub(1, std::memory_order_relaxed);
  // EWMA with α = 1/8 (the TCP SRTT gain, RFC 6298 §2): new = old + (sample − old)/8,
  // computed in signed arithmetic so that a falling latency pulls the average down.
  const auto sample = static_cast<std::int64_t>(std::min<std::int64_t>(latency.count(), UINT32_MAX));
  const auto old = static_cast<std::int64_t>(load.latency_ewma_us.load(std::memory_order_relaxed));
  const std::int64_t next = old == 0 ? std::max<std::int64_t>(sample, 1) : old + (sample - old) / 8;
  load.latency_ewma_us.store(static_cast<std::uint32_t>(std::max<std::int64_t>(next, 1)), std::memory_order_relaxed);
  std::size_t bucket = 0;
  while (bucket < BackendLoad::latency_bounds_us.size() &&
         sample > static_cast<std::int64_t>(BackendLoad::latency_bounds_us[bucket]))
    ++bucket;
  load.latency_buckets[bucket].fetch_add(1, std::memory_order_relaxed);
  load.latency_sum_us.fetch_add(static_cast<std::uint64_t>(std::max<std::int64_t>(sample, 0)),
                                std::memory_order_relaxed);
}

}  // namespace gslb::lb
