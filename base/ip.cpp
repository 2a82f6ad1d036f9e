#include "base/ip.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <charconv>
#include <cstring>

namespace gslb::base {

namespace {

// RFC 4291 §2.5.5.2: ::ffff:0:0/96.
constexpr std::array<std::uint8_t, 12> kV4MappedPrefix = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

std::uint64_t load_be64(const std::uint8_t* p) noexcept {
  std::uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | p[i];
  return v;
}

// SplitMix64's finaliser: spreads every input bit over the output, which the
// raw bytes (mostly zeros for IPv4) do not.
std::uint64_t mix(std::uint64_t x) noexcept {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  x ^= x >> 31;
  return x;
}

}  // namespace

IpAddress IpAddress::v4(std::array<std::uint8_t, 4> bytes) noexcept {
  IpAddress a;
  std::copy(bytes.begin(), bytes.end(), a.bytes_.begin());
  a.family_ = IpFamily::v4;
  return a;
}

IpAddress IpAddress::v4(std::uint32_t host_order) noexcept {
  return v4({static_cast<std::uint8_t>(host_order >> 24), static_cast<std::uint8_t>(host_order >> 16),
             static_cast<std::uint8_t>(host_order >> 8), static_cast<std::uint8_t>(host_order)});
}

IpAddress IpAddress::v6(const std::array<std::uint8_t, 16>& bytes) noexcept {
  IpAddress a;
  a.bytes_ = bytes;
  a.family_ = IpFamily::v6;
  return a;
}

std::optional<IpAddress> IpAddress::from_bytes(std::span<const std::uint8_t> bytes) noexcept {
  if (bytes.size() == 4) return v4({bytes[0], bytes[1], bytes[2], bytes[3]});
  if (bytes.size() == 16) {
    std::array<std::uint8_t, 16> b{};
    std::copy(bytes.begin(), bytes.end(), b.begin());
    return v6(b);
  }
  return std::nullopt;
}

std::optional<IpAddress> IpAddress::parse(std::string_view text) noexcept {
  // inet_pton needs a NUL-terminated string; the longest valid text form is
  // INET6_ADDRSTRLEN - 1 characters ("ffff:...:255.255.255.255").
  char buf[INET6_ADDRSTRLEN];
  if (text.empty() || text.size() >= sizeof buf) return std::nullopt;
  std::memcpy(buf, text.data(), text.size());
  buf[text.size()] = '\0';
  if (text.find(':') == std::string_view::npos) {
    std::array<std::uint8_t, 4> b{};
    if (inet_pton(AF_INET, buf, b.data()) != 1) return std::nullopt;
    return v4(b);
  }
  std::array<std::uint8_t, 16> b{};
  if (inet_pton(AF_INET6, buf, b.data()) != 1) return std::nullopt;
  return v6(b).normalized();
}

std::optional<IpAddress> IpAddress::from_sockaddr(const sockaddr* sa, socklen_t len) noexcept {
  if (sa == nullptr) return std::nullopt;
  if (sa->sa_family == AF_INET && len >= static_cast<socklen_t>(sizeof(sockaddr_in))) {
    sockaddr_in sin;
    std::memcpy(&sin, sa, sizeof sin);
    return v4(ntohl(sin.sin_addr.s_addr));
  }
  if (sa->sa_family == AF_INET6 && len >= static_cast<socklen_t>(sizeof(sockaddr_in6))) {
    sockaddr_in6 sin6;
    std::memcpy(&sin6, sa, sizeof sin6);
    std::array<std::uint8_t, 16> b{};
    std::memcpy(b.data(), &sin6.sin6_addr, 16);
    // A dual-stack socket reports IPv4 peers as ::ffff:a.b.c.d.
    return v6(b).normalized();
  }
  return std::nullopt;
}

std::optional<IpAddress> IpAddress::from_sockaddr(const sockaddr_storage& ss) noexcept {
  return from_sockaddr(reinterpret_cast<const sockaddr*>(&ss), sizeof ss);
}

socklen_t IpAddress::to_sockaddr(sockaddr_storage& out, std::uint16_t port) const noexcept {
  std::memset(&out, 0, sizeof out);
  if (is_v4()) {
    sockaddr_in sin{};
    sin.sin_family = AF_INET;
    sin.sin_port = htons(port);
    std::memcpy(&sin.sin_addr, bytes_.data(), 4);
    std::memcpy(&out, &sin, sizeof sin);
    return sizeof sin;
  }
  sockaddr_in6 sin6{};
  sin6.sin6_family = AF_INET6;
  sin6.sin6_port = htons(port);
  std::memcpy(&sin6.sin6_addr, bytes_.data(), 16);
  std::memcpy(&out, &sin6, sizeof sin6);
  return sizeof sin6;
}

std::uint32_t IpAddress::v4_host_order() const noexcept {
  return (std::uint32_t{bytes_[0]} << 24) | (std::uint32_t{bytes_[1]} << 16) | (std::uint32_t{bytes_[2]} << 8) |
         bytes_[3];
}

bool IpAddress::is_v4_mapped() const noexcept {
  return is_v6() && std::equal(kV4MappedPrefix.begin(), kV4MappedPrefix.end(), bytes_.begin());
}

IpAddress IpAddress::normalized() const noexcept {
  if (!is_v4_mapped()) return *this;
  return v4({bytes_[12], bytes_[13], bytes_[14], bytes_[15]});
}

IpAddress IpAddress::to_v6_mapped() const noexcept {
  if (is_v6()) return *this;
  std::array<std::uint8_t, 16> b{};
  std::copy(kV4MappedPrefix.begin(), kV4MappedPrefix.end(), b.begin());
  std::copy(bytes_.begin(), bytes_.begin() + 4, b.begin() + 12);
  return v6(b);
}

IpAddress IpAddress::truncated(int length) const noexcept {
  IpAddress out = *this;
  length = std::clamp(length, 0, bit_count());
  const int full = length / 8;
  const int rest = length % 8;
  if (rest != 0) out.bytes_[full] &= static_cast<std::uint8_t>(0xff << (8 - rest));
  for (int i = full + (rest != 0 ? 1 : 0); i < 16; ++i) out.bytes_[i] = 0;
  return out;
}

std::string IpAddress::to_string() const {
  char buf[INET6_ADDRSTRLEN] = {};
  inet_ntop(is_v4() ? AF_INET : AF_INET6, bytes_.data(), buf, sizeof buf);
  return buf;
}

std::strong_ordering operator<=>(const IpAddress& a, const IpAddress& b) noexcept {
  if (a.family_ != b.family_) return a.family_ <=> b.family_;
  const int c = std::memcmp(a.bytes_.data(), b.bytes_.data(), 16);
  return c <=> 0;
}

std::size_t IpAddress::hash() const noexcept {
  const std::uint64_t hi = load_be64(bytes_.data());
  const std::uint64_t lo = load_be64(bytes_.data() + 8);
  return static_cast<std::size_t>(mix(hi ^ mix(lo ^ static_cast<std::uint64_t>(family_))));
}

bool same_prefix(const IpAddress& a, const IpAddress& b, int length) noexcept {
  const auto& x = a.raw();
  const auto& y = b.raw();
  const int full = length / 8;
  if (std::memcmp(x.data(), y.data(), static_cast<std::size_t>(full)) != 0) return false;
  const int rest = length % 8;
  if (rest == 0) return true;
  const auto mask = static_cast<std::uint8_t>(0xff << (8 - rest));
  return (x[full] & mask) == (y[full] & mask);
}

Prefix::Prefix(const IpAddress& address, int length) noexcept {
  IpAddress a = address;
  if (a.is_v4_mapped() && length >= 96) {
    a = a.normalized();
    length -= 96;
  }
  length = std::clamp(length, 0, a.bit_count());
  address_ = a.truncated(length);
  length_ = static_cast<std::uint8_t>(length);
}

std::optional<Prefix> Prefix::parse(std::string_view text, std::string* error, bool allow_host_bits) {
  const auto fail = [&](std::string why) -> std::optional<Prefix> {
    if (error != nullptr) *error = std::move(why);
    return std::nullopt;
  };
  const auto slash = text.find('/');
  const auto address_text = text.substr(0, slash);
  // Parse without normalising so that "::ffff:192.0.2.0/120" is read as the
  // 128-bit length it was written with, then let the constructor fold it.
  std::optional<IpAddress> address;
  {
    char buf[INET6_ADDRSTRLEN];
    if (!address_text.empty() && address_text.size() < sizeof buf) {
      std::memcpy(buf, address_text.data(), address_text.size());
      buf[address_text.size()] = '\0';
      std::array<std::uint8_t, 16> b{};
      if (address_text.find(':') != std::string_view::npos) {
        if (inet_pton(AF_INET6, buf, b.data()) == 1) address = IpAddress::v6(b);
      } else if (inet_pton(AF_INET, buf, b.data()) == 1) {
        address = IpAddress::v4({b[0], b[1], b[2], b[3]});
      }
    }
  }
  if (!address) return fail("'" + std::string(address_text) + "' is not an IPv4 or IPv6 address");
  int length = address->bit_count();
  if (slash != std::string_view::npos) {
    const auto len_text = text.substr(slash + 1);
    const char* end = len_text.data() + len_text.size();
    auto [ptr, ec] = std::from_chars(len_text.data(), end, length);
    if (len_text.empty() || len_text.size() > 3 || ec != std::errc() || ptr != end || length < 0 ||
        length > address->bit_count()) {
      return fail("prefix length '" + std::string(len_text) + "' is not between 0 and " +
                  std::to_string(address->bit_count()));
    }
  }
  if (!allow_host_bits && address->truncated(length) != *address) {
    return fail("'" + std::string(text) + "' has host bits set beyond /" + std::to_string(length) + " (did you mean " +
                Prefix(*address, length).to_string() + "?)");
  }
  return Prefix(*address, length);
}

bool Prefix::contains(const IpAddress& address) const noexcept {
  const IpAddress a = address.normalized();
  return a.family() == family() && same_prefix(a, address_, length_);
}

bool Prefix::contains(const Prefix& other) const noexcept {
  return other.family() == family() && other.length_ >= length_ && same_prefix(other.address_, address_, length_);
}

std::string Prefix::to_string() const {
  return address_.to_string() + "/" + std::to_string(length_);
}

std::strong_ordering operator<=>(const Prefix& a, const Prefix& b) noexcept {
  if (const auto c = a.address_ <=> b.address_; std::is_neq(c)) return c;
  return a.length_ <=> b.length_;
}

std::size_t Prefix::hash() const noexcept {
  return static_cast<std::size_t>(mix(address_.hash() ^ length_));
}

}  // namespace gslb::base
