#include "base/siphash.hpp"

#include <doctest/doctest.h>

#include <string>

using namespace gslb::base;

TEST_CASE("siphash24 matches the reference test vectors") {
  // Key 00 01 .. 0f; message 00 01 .. (len-1); expected outputs from the
  // reference implementation's vectors.h (as little-endian 64-bit integers).
  const SipKey key{0x0706050403020100ULL, 0x0f0e0d0c0b0a0908ULL};
  std::string message;
  CHECK(siphash24(key, message) == 0x726fdb47dd0e0e31ULL);
  for (int i = 0; i < 8; ++i) message.push_back(static_cast<char>(i));
  CHECK(siphash24(key, message) == 0x93f5f5799a932462ULL);
  for (int i = 8; i < 15; ++i) message.push_back(static_cast<char>(i));
  CHECK(siphash24(key, message) == 0xa129ca6149be45e5ULL);
}

TEST_CASE("different keys give unrelated hashes; random keys differ") {
  const SipKey a{1, 2}, b{1, 3};
  CHECK(siphash24(a, "192.0.2.1") != siphash24(b, "192.0.2.1"));
  const SipKey r1 = random_sip_key(), r2 = random_sip_key();
  CHECK((r1.k0 != r2.k0 || r1.k1 != r2.k1));
}
