#include "base/siphash.hpp"

#include <sys/random.h>

#include <chrono>

namespace gslb::base {

SipKey random_sip_key() {
  SipKey key;
  unsigned char bytes[16];
  std::size_t got = 0;
  while (got < sizeof bytes) {
    const ssize_t n = getrandom(bytes + got, sizeof bytes - got, 0);
    if (n <= 0) break;
    got += static_cast<std::size_t>(n);
  }
  if (got < sizeof bytes) {
    // getrandom cannot fail on Linux ≥ 3.17 once the pool is seeded; this is a
    // last resort so that a key is never all zeroes.
    const auto t = static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count());
    key.k0 = t * 0x9e3779b97f4a7c15ULL;
    key.k1 = ~t * 0xc2b2ae3d27d4eb4fULL;
    return key;
  }
  key.k0 = detail::load_le64(bytes);
  key.k1 = detail::load_le64(bytes + 8);
  return key;
}

}  // namespace gslb::base
