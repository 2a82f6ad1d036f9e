// The balancing interface: one algorithm per file under balancers/, each a
// Balancer (STYLE.md habit 4). Rules that apply to every algorithm — only
// available members are candidates, counting in-flight requests and latency,
// retrying elsewhere after a failure — live here and in PoolView, not in each
// algorithm.
//
// Thread context: a Balancer instance belongs to one worker thread (Envoy's
// per-worker load balancers), so per-pick state such as a round-robin cursor
// needs no lock (STYLE.md pitfall 15). Algorithms whose picks must agree across
// workers (ip_hash, consistent_hash) derive them from the view alone.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string_view>

#include "regional-lb/pool.hpp"

namespace gslb::lb {

struct RequestInfo {
  // The client address as 16 bytes (IPv4 as v4-mapped IPv6), so that a client
  // hashes the same whichever listener family it came in on.
  std::string_view client_ip;
  // The configured hash key's value (a header or cookie); empty → client_ip.
  std::string_view hash_key;

  std::string_view key() const { return hash_key.empty() ? client_ip : hash_key; }
};

class Balancer {
 public:
  virtual ~Balancer() = default;

  // The index (into view.members()) of an available member, or nullopt when
  // none is available. Must not allocate or lock.
  virtual std::optional<std::uint32_t> pick(const PoolView& view, const RequestInfo& request) = 0;

  // Like pick() but never returns a member in tried (a retry after a failed
  // attempt): asks the algorithm first, then falls back to the first untried
  // available member, so deterministic (hashing) algorithms also move on.
  std::optional<std::uint32_t> pick_excluding(const PoolView& view, const RequestInfo& request,
                                              std::span<const std::uint32_t> tried);

  // Around every forwarded request: count in-flight and measure latency for
  // the load-aware algorithms. Any thread.
  static void on_request_start(const PoolView& view, std::uint32_t member);
  static void on_request_end(const PoolView& view, std::uint32_t member, std::chrono::microseconds latency);
};

}  // namespace gslb::lb
