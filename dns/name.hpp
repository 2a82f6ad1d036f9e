// Domain names in wire form (RFC 1035 §3.1): a sequence of length-prefixed
// labels ending with the root label (0). Comparisons are ASCII
// case-insensitive (RFC 4343); the stored bytes keep the original case.
#pragma once

#include <cstdint>
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
