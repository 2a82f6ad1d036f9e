// Domain names in wire form (RFC 1035 §3.1): a sequence of length-prefixed
// labels ending with the root label (0). Comparisons are ASCII
// case-insensitive (RFC 4343); the stored bytes keep the original case.
#pragma once

#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>

namespace gslb::dns {

inline constexpr std::size_t max_name_length = 255;  // RFC 1035 §2.3.4, wire form

class Name {
 public:
  Name() : wire_(1, '\0') {}  // the root
  // Takes wire bytes that the caller has validated (labels ≤ 63, total ≤ 255).
  static Name from_wire(std::string_view wire) { return Name(std::string(wire)); }
  // Presentation form ("www.example.com." or relative to origin); nullopt if invalid.
  static std::optional<Name> parse(std::string_view text, const Name* origin = nullptr);

  const std::string& wire() const { return wire_; }
  std::size_t size() const { return wire_.size(); }
  std::size_t label_count() const;  // root = 0
  bool is_root() const { return wire_.size() == 1; }

  // Lower-cased copy of the wire bytes: the key zone indexes use.
  std::string canonical_key() const;
  // Presentation form with a trailing dot, escaping as RFC 1035 §5.1.
  std::string to_string() const;

  // Case-insensitive: equal, or this name is at or below `ancestor`.
  bool equals(const Name& other) const;
  bool is_subdomain_of(const Name& ancestor) const;
  // Drops the leftmost label (root stays root).
  Name parent() const;

  friend bool operator==(const Name& a, const Name& b) { return a.equals(b); }

 private:
  explicit Name(std::string wire) : wire_(std::move(wire)) {}
  std::string wire_;
};

// Lower-cases ASCII letters only (RFC 4343: other octets are not letters).
inline std::uint8_t dns_tolower(std::uint8_t c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<std::uint8_t>(c + 32) : c;
}

namespace detail {

inline std::uint64_t load_u64(const std::uint8_t* p) {
  std::uint64_t w;
  std::memcpy(&w, p, sizeof w);
  return w;
}
inline std::uint32_t load_u32(const std::uint8_t* p) {
  std::uint32_t w;
  std::memcpy(&w, p, sizeof w);
  return w;
}
inline void store_u64(std::uint8_t* p, std::uint64_t w) {
  std::memcpy(p, &w, sizeof w);
}

// dns_tolower on eight octets at once: a byte is an upper-case letter when its
// low seven bits are at least 'A' and at most 'Z' and its top bit is clear;
// such bytes get 0x20 added (no carries: their bit 5 is clear).
inline std::uint64_t tolower_u64(std::uint64_t w) {
  constexpr std::uint64_t ones = 0x0101010101010101ull;
  constexpr std::uint64_t high = 0x8080808080808080ull;
  const std::uint64_t low7 = w & ~high;
  const std::uint64_t at_least_a = low7 + ones * (0x80 - 'A');
  const std::uint64_t above_z = low7 + ones * (0x80 - 'Z' - 1);
  const std::uint64_t upper = at_least_a & ~above_z & ~w & high;
  return w | (upper >> 2);
}

}  // namespace detail

// Copies `n` octets lower-cased (dns_tolower on each), eight at a time; the
// query path's name canonicalisation. Reads and writes exactly `n` octets.
inline void copy_lower(std::uint8_t* out, const std::uint8_t* in, std::size_t n) {
  if (n < 8) {
    for (std::size_t i = 0; i < n; ++i) out[i] = dns_tolower(in[i]);
    return;
  }
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8) detail::store_u64(out + i, detail::tolower_u64(detail::load_u64(in + i)));
  // The last partial word again from its end: lower-casing is idempotent.
  if (i != n) detail::store_u64(out + n - 8, detail::tolower_u64(detail::load_u64(in + n - 8)));
}

// Byte equality of two keys of the same length `n` (names, so short): eight
// octets per compare, the tail as an overlapping word, no library call.
inline bool same_bytes(const std::uint8_t* a, const std::uint8_t* b, std::size_t n) {
  if (n >= 8) {
    for (; n > 8; a += 8, b += 8, n -= 8)
      if (detail::load_u64(a) != detail::load_u64(b)) return false;
    return detail::load_u64(a + n - 8) == detail::load_u64(b + n - 8);
  }
  if (n >= 4)
    return detail::load_u32(a) == detail::load_u32(b) && detail::load_u32(a + n - 4) == detail::load_u32(b + n - 4);
  for (std::size_t i = 0; i < n; ++i)
    if (a[i] != b[i]) return false;
  return true;
}

// Length of the uncompressed wire name at `p` (labels up to and including the
// root label), reading at most `room` bytes; 0 when it runs past `room` or a
// length octet is not a plain label (> 63: a compression pointer or reserved).
inline std::size_t wire_name_length(const std::uint8_t* p, std::size_t room) {
  std::size_t i = 0;
  while (i < room) {
    const std::uint8_t len = p[i];
    if (len == 0) return i + 1;
    if (len > 63) return 0;
    i += std::size_t{len} + 1;
  }
  return 0;
}

}  // namespace gslb::dns
