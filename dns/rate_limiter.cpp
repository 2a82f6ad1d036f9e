#include "dns/rate_limiter.hpp"

#include <netinet/in.h>

#include <algorithm>
#include <cstring>
#include <string_view>

namespace gslb::dns {

namespace {

constexpr std::size_t table_size = std::size_t{1} << 16;  // 2 MiB per listener thread
constexpr std::size_t probes = 4;
constexpr std::int64_t one_response = 1'000'000;  // credit units

// Copies the first `bits` of `address` (`size` bytes), the rest zero.
void copy_prefix(std::uint8_t* out, const std::uint8_t* address, std::size_t size, unsigned bits) {
  for (std::size_t i = 0; i < size; ++i) {
    const unsigned have = i * 8 >= bits ? 0 : std::min(8u, bits - static_cast<unsigned>(i * 8));
    out[i] = static_cast<std::uint8_t>(address[i] & static_cast<std::uint8_t>(0xff00u >> have));
  }
}

}  // namespace

ResponseRateLimiter::ResponseRateLimiter(const RateLimitOptions& options, unsigned share)
    : options_(options), secret_(base::random_sip_key()), table_(options.enabled() ? table_size : 0) {
  const std::int64_t threads = std::max(1u, share);
  // Credit gained per millisecond and the most that can be saved up (one
  // second of answers), both per thread.
  rate_milli_ = std::max<std::int64_t>(1, std::int64_t{options.responses_per_second} * 1000 / threads);
  burst_milli_ =
      std::max<std::int64_t>(one_response, std::int64_t{options.responses_per_second} * one_response / threads);
}

std::uint64_t ResponseRateLimiter::hash(const sockaddr_storage& client, const RateKey& key) const {
  // family, the client's network, then what the answer is about
  std::uint8_t buffer[1 + 16 + 8 + 2 + 1] = {};
  std::size_t n = 1;
  if (client.ss_family == AF_INET) {
    const auto& a = reinterpret_cast<const sockaddr_in&>(client);
    buffer[0] = 4;
    copy_prefix(buffer + 1, reinterpret_cast<const std::uint8_t*>(&a.sin_addr), 4, options_.ipv4_prefix);
    n += 4;
  } else if (client.ss_family == AF_INET6) {
    const auto& a = reinterpret_cast<const sockaddr_in6&>(client);
    buffer[0] = 6;
    copy_prefix(buffer + 1, a.sin6_addr.s6_addr, 16, options_.ipv6_prefix);
    n += 16;
  }
  std::memcpy(buffer + n, &key.name_hash, 8);
  std::memcpy(buffer + n + 8, &key.qtype, 2);
  buffer[n + 10] = key.kind;
  n += 11;
  const std::uint64_t h = base::siphash24(secret_, std::string_view(reinterpret_cast<const char*>(buffer), n));
  return h != 0 ? h : 1;  // 0 marks a free entry
}

ResponseRateLimiter::Verdict ResponseRateLimiter::check(const sockaddr_storage& client, const RateKey& key,
                                                        std::uint64_t now_ms) {
  if (table_.empty()) return Verdict::send;
  const std::uint64_t h = hash(client, key);
  const std::size_t mask = table_.size() - 1;
  Entry* entry = nullptr;
  Entry* oldest = nullptr;
  for (std::size_t i = 0; i < probes; ++i) {
    Entry& e = table_[(h + i) & mask];
    if (e.key == h) {
      entry = &e;
      break;
    }
    if (oldest == nullptr || e.key == 0 || (oldest->key != 0 && e.last_ms < oldest->last_ms)) oldest = &e;
  }
  if (entry == nullptr) {
    // A new answer stream, or one evicted by a flood of others: a full second
    // of credit, as for a client never seen.
    *oldest = Entry{h, now_ms, burst_milli_, 0};
    entry = oldest;
  } else if (now_ms > entry->last_ms) {
    const std::uint64_t elapsed = std::min<std::uint64_t>(now_ms - entry->last_ms, 3'600'000);
    entry->credit = std::min(burst_milli_, entry->credit + static_cast<std::int64_t>(elapsed) * rate_milli_);
    entry->last_ms = now_ms;
  }
  if (entry->credit >= one_response) {
    entry->credit -= one_response;
    return Verdict::send;
  }
  ++entry->limited;
  if (options_.slip != 0 && entry->limited % options_.slip == 0) {
    ++slipped_;
    return Verdict::slip;
  }
  ++dropped_;
  return Verdict::drop;
}

}  // namespace gslb::dns
