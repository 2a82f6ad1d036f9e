// IP addresses and prefixes (IPv4 and IPv6) as plain values.
//
// IpAddress keeps 16 bytes plus a family. An IPv4 address uses the first four
// bytes; the rest are zero, so equality, ordering and hashing can look at all
// 16 bytes. An IPv4-mapped IPv6 address (::ffff:a.b.c.d, RFC 4291 §2.5.5.2) is
// the same host as a.b.c.d: parse() and from_sockaddr() return it as IPv4,
// and normalized() converts one built from raw bytes. Everything here is
// noexcept except the string-returning formatters, so it can be used on the
// query path.
//
// Prefix is an address plus a length whose host bits are always zero.
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>

#include <array>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace gslb::base {

enum class IpFamily : std::uint8_t { v4 = 4, v6 = 6 };

// Bits in an address of this family: 32 or 128.
constexpr int address_bits(IpFamily family) noexcept {
  return family == IpFamily::v4 ? 32 : 128;
}

class IpAddress {
 public:
  // The IPv4 address 0.0.0.0.
  IpAddress() noexcept = default;

  static IpAddress v4(std::array<std::uint8_t, 4> bytes) noexcept;
  static IpAddress v4(std::uint32_t host_order) noexcept;
  // Kept as IPv6 even when v4-mapped; call normalized() to fold it.
  static IpAddress v6(const std::array<std::uint8_t, 16>& bytes) noexcept;
  // 4 bytes → IPv4, 16 bytes → IPv6 (not normalised), other sizes → nullopt.
  static std::optional<IpAddress> from_bytes(std::span<const std::uint8_t> bytes) noexcept;

  // Dotted-quad IPv4 or RFC 4291 §2.2 IPv6 text; no zone ids, no prefixes.
  // A v4-mapped IPv6 address comes back as IPv4.
  static std::optional<IpAddress> parse(std::string_view text) noexcept;

  // AF_INET / AF_INET6 only; v4-mapped becomes IPv4. `len` guards short buffers.
  static std::optional<IpAddress> from_sockaddr(const sockaddr* sa, socklen_t len) noexcept;
  static std::optional<IpAddress> from_sockaddr(const sockaddr_storage& ss) noexcept;

  // Fills `out` with a sockaddr_in/sockaddr_in6 and returns its length.
  socklen_t to_sockaddr(sockaddr_storage& out, std::uint16_t port = 0) const noexcept;

  IpFamily family() const noexcept { return family_; }
  bool is_v4() const noexcept { return family_ == IpFamily::v4; }
  bool is_v6() const noexcept { return family_ == IpFamily::v6; }
  int bit_count() const noexcept { return address_bits(family_); }

  // The address in network byte order: 4 or 16 bytes.
  std::span<const std::uint8_t> bytes() const noexcept {
    return {bytes_.data(), is_v4() ? std::size_t{4} : std::size_t{16}};
  }
  const std::array<std::uint8_t, 16>& raw() const noexcept { return bytes_; }
  // IPv4 only: the address as a host-order integer.
  std::uint32_t v4_host_order() const noexcept;

  // IPv6 in ::ffff:0:0/96.
  bool is_v4_mapped() const noexcept;
  // The IPv4 address for a v4-mapped IPv6 address; otherwise *this.
  IpAddress normalized() const noexcept;
  // IPv4 as ::ffff:a.b.c.d; IPv6 unchanged.
  IpAddress to_v6_mapped() const noexcept;

  // Bit `index` counted from the most significant bit of the first byte.
  // Precondition: 0 <= index < bit_count().
  bool bit(int index) const noexcept { return (bytes_[index / 8] >> (7 - index % 8)) & 1; }

  // The address with every bit from `length` on cleared; `length` is clamped
  // to [0, bit_count()].
  IpAddress truncated(int length) const noexcept;

  // "192.0.2.1", "2001:db8::1" (inet_ntop's compressed lower-case form).
  std::string to_string() const;

  friend bool operator==(const IpAddress&, const IpAddress&) noexcept = default;
  // IPv4 sorts before IPv6, then by bytes.
  friend std::strong_ordering operator<=>(const IpAddress& a, const IpAddress& b) noexcept;

  std::size_t hash() const noexcept;

 private:
  std::array<std::uint8_t, 16> bytes_{};
  IpFamily family_ = IpFamily::v4;
};

class Prefix {
 public:
  // 0.0.0.0/0.
  Prefix() noexcept = default;
  // Host bits of `address` beyond `length` are cleared; `length` is clamped
  // to the family's size. A v4-mapped address with length >= 96 becomes the
  // IPv4 prefix of length - 96.
  Prefix(const IpAddress& address, int length) noexcept;

  // "192.0.2.0/24", "2001:db8::/32"; a bare address is a host prefix (/32,
  // /128). With host bits set ("192.0.2.1/24") parsing fails unless
  // `allow_host_bits`, which clears them; operators usually mean something
  // else when they write that, so the strict form is the default. On failure
  // `error` (if given) says why.
  static std::optional<Prefix> parse(std::string_view text, std::string* error = nullptr, bool allow_host_bits = false);

  const IpAddress& address() const noexcept { return address_; }
  int length() const noexcept { return length_; }
  IpFamily family() const noexcept { return address_.family(); }

  // Same family (after normalising `address`) and equal first length() bits.
  bool contains(const IpAddress& address) const noexcept;
  // `other` is this prefix or a more specific one inside it.
  bool contains(const Prefix& other) const noexcept;

  // "192.0.2.0/24".
  std::string to_string() const;

  friend bool operator==(const Prefix&, const Prefix&) noexcept = default;
  friend std::strong_ordering operator<=>(const Prefix& a, const Prefix& b) noexcept;

  std::size_t hash() const noexcept;

 private:
  IpAddress address_;
  std::uint8_t length_ = 0;
};

// True when the first `length` bits of a and b are equal. Precondition: same
// family and 0 <= length <= bit_count().
bool same_prefix(const IpAddress& a, const IpAddress& b, int length) noexcept;

}  // namespace gslb::base

// std::hash for unordered containers. Not keyed: use a secret-keyed hash (see
// DESIGN.md base/random.hpp) for tables whose keys an attacker chooses.
template <>
struct std::hash<gslb::base::IpAddress> {
  std::size_t operator()(const gslb::base::IpAddress& a) const noexcept { return a.hash(); }
};
template <>
struct std::hash<gslb::base::Prefix> {
  std::size_t operator()(const gslb::base::Prefix& p) const noexcept { return p.hash(); }
};
