// Response rate limiting for UDP (the RRL scheme NSD, Knot and BIND
// implement): an authoritative server is a tool for reflection attacks, where
// forged queries make it send many answers to a victim. Identical answers to
// one client network are limited to a rate; beyond it most are dropped and
// every `slip`-th goes out truncated (TC=1, no records), so a real client
// behind the forged address still gets through by retrying over TCP, which a
// forged source cannot do. TCP is never limited.
//
// One limiter per UDP listener thread, used by that thread only: no locks.
// The table is fixed-size and allocation-free after construction; a flood of
// distinct keys evicts old entries instead of growing it. Keys are hashed
// with a per-process random key, so an attacker cannot aim collisions.
#pragma once

#include <sys/socket.h>

#include <cstdint>
#include <vector>

#include "base/siphash.hpp"

namespace gslb::dns {

struct RateLimitOptions {
  unsigned responses_per_second = 0;  // per client network and answer; 0 = off
  unsigned slip = 2;                  // every slip-th limited answer is sent truncated; 0 = drop them all
  unsigned ipv4_prefix = 24;          // client networks: addresses in one /24 (IPv4) or /56 (IPv6) count as one
  unsigned ipv6_prefix = 56;

  bool enabled() const { return responses_per_second != 0; }
};

// What a response is about, for grouping (computed by QueryProcessor): the
// name (the zone for NXDOMAIN, so random names in one zone are one answer),
// QTYPE and the kind of answer.
struct RateKey {
  std::uint64_t name_hash = 0;
  std::uint16_t qtype = 0;
  std::uint8_t kind = 0;  // RateKind
};

enum class RateKind : std::uint8_t { answer, nodata, nxdomain, referral, error };

class ResponseRateLimiter {
 public:
  enum class Verdict { send, drop, slip };

  // `share` divides the rate between listener threads: SO_REUSEPORT spreads
  // one client's queries over all of them.
  ResponseRateLimiter(const RateLimitOptions& options, unsigned share);

  // Decides for one response to `client` at `now_ms` (a monotonic clock in
  // milliseconds; the caller reads it once per batch).
  Verdict check(const sockaddr_storage& client, const RateKey& key, std::uint64_t now_ms);

  std::uint64_t dropped() const { return dropped_; }
  std::uint64_t slipped() const { return slipped_; }

 private:
  struct Entry {
    std::uint64_t key = 0;  // 0: free
    std::uint64_t last_ms = 0;
    std::int64_t credit = 0;  // in 1/1000 responses
    std::uint32_t limited = 0;
  };

  std::uint64_t hash(const sockaddr_storage& client, const RateKey& key) const;

  RateLimitOptions options_;
  std::int64_t rate_milli_;  // credit gained per millisecond, in 1/1000 responses: the rate itself
  std::int64_t burst_milli_;
  base::SipKey secret_;
  std::vector<Entry> table_;
  std::uint64_t dropped_ = 0;
  std::uint64_t slipped_ = 0;
};

}  // namespace gslb::dns
