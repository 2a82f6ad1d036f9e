// SipHash-2-4 (Aumasson & Bernstein, "SipHash: a fast short-input PRF", 2012):
// a keyed hash for keys an attacker chooses (client IPs, header values), so
// that nobody without the secret key can aim many keys at one bucket or backend
// (STYLE.md pitfall 14). Header-only; pure; any thread.
#pragma once

#include <array>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace gslb::base {

struct SipKey {
  std::uint64_t k0 = 0;
  std::uint64_t k1 = 0;
};

// A key from the OS CSPRNG (getrandom). Implemented in siphash.cpp.
SipKey random_sip_key();

namespace detail {
constexpr std::uint64_t rotl(std::uint64_t x, int b) {
  return (x << b) | (x >> (64 - b));
}
struct SipState {
  std::uint64_t v0, v1, v2, v3;
  constexpr void round() {
    v0 += v1;
    v1 = rotl(v1, 13);
    v1 ^= v0;
    v0 = rotl(v0, 32);
    v2 += v3;
    v3 = rotl(v3, 16);
    v3 ^= v2;
    v0 += v3;
    v3 = rotl(v3, 21);
    v3 ^= v0;
    v2 += v1;
    v1 = rotl(v1, 17);
    v1 ^= v2;
    v2 = rotl(v2, 32);
  }
};
inline std::uint64_t load_le64(const unsigned char* p) {
  std::uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}
}  // namespace detail

// SipHash-2-4 of data under key; matches the reference implementation's test
// vectors (see siphash_test.cpp).
inline std::uint64_t siphash24(const SipKey& key, std::string_view data) {
  // Constants are "somepseudorandomlygeneratedbytes" in ASCII, per the paper §2.
  detail::SipState s{key.k0 ^ 0x736f6d6570736575ULL, key.k1 ^ 0x646f72616e646f6dULL, key.k0 ^ 0x6c7967656e657261ULL,
                     key.k1 ^ 0x7465646279746573ULL};
  const auto* p = reinterpret_cast<const unsigned char*>(data.data());
  const std::size_t n = data.size();
  const std::size_t whole = n - n % 8;
  for (std::size_t i = 0; i < whole; i += 8) {
    const std::uint64_t m = detail::load_le64(p + i);
    s.v3 ^= m;
    s.round();
    s.round();
    s.v0 ^= m;
  }
  // Last block: the remaining bytes, little-endian, with the length mod 256 in the top byte.
  std::uint64_t last = static_cast<std::uint64_t>(n & 0xff) << 56;
  for (std::size_t i = 0; i < n % 8; ++i) last |= static_cast<std::uint64_t>(p[whole + i]) << (8 * i);
  s.v3 ^= last;
  s.round();
  s.round();
  s.v0 ^= last;
  s.v2 ^= 0xff;
  for (int i = 0; i < 4; ++i) s.round();
  return s.v0 ^ s.v1 ^ s.v2 ^ s.v3;
}

}  // namespace gslb::base
