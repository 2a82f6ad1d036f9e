#include "base/net_util.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <net/if.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cstring>

namespace gslb::base {

namespace {

std::error_code last_error() {
  return {errno, std::system_category()};
}

std::error_code set_int_option(int fd, int level, int name, int value) {
  if (::setsockopt(fd, level, name, &value, sizeof value) != 0) return last_error();
  return {};
}

std::optional<std::uint16_t> parse_port(std::string_view text) {
  unsigned value = 0;
  const auto* end = text.data() + text.size();
  const auto [p, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec != std::errc{} || p != end || value > 65535) return std::nullopt;
  return static_cast<std::uint16_t>(value);
}

// The 16 bytes to compare against a prefix, and the family they belong to;
// IPv4-mapped IPv6 (::ffff:a.b.c.d) is reported as IPv4.
int address_bytes(const sockaddr_storage& address, std::array<std::uint8_t, 16>& out) {
  out.fill(0);
  if (address.ss_family == AF_INET) {
    const auto& v4 = reinterpret_cast<const sockaddr_in&>(address);
    std::memcpy(out.data(), &v4.sin_addr, 4);
    return AF_INET;
  }
  if (address.ss_family == AF_INET6) {
    const auto& v6 = reinterpret_cast<const sockaddr_in6&>(address);
    if (IN6_IS_ADDR_V4MAPPED(&v6.sin6_addr)) {
      std::memcpy(out.data(), reinterpret_cast<const std::uint8_t*>(&v6.sin6_addr) + 12, 4);
      return AF_INET;
    }
    std::memcpy(out.data(), &v6.sin6_addr, 16);
    return AF_INET6;
  }
  return AF_UNSPEC;
}

}  // namespace

SocketAddress::SocketAddress(const sockaddr* address, socklen_t length) {
  length_ = std::min<socklen_t>(length, sizeof storage_);
  std::memcpy(&storage_, address, length_);
}

std::optional<SocketAddress> SocketAddress::parse(std::string_view text) {
  SocketAddress result;
  if (!text.empty() && text.front() == '[') {
    const auto close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':') return std::nullopt;
    std::string host(text.substr(1, close - 1));
    const auto port = parse_port(text.substr(close + 2));
    if (!port) return std::nullopt;
    sockaddr_in6 v6{};
    v6.sin6_family = AF_INET6;
    v6.sin6_port = htons(*port);
    if (const auto percent = host.find('%'); percent != std::string::npos) {
      const std::string scope = host.substr(percent + 1);
      host.resize(percent);
      unsigned index = 0;
      const auto [p, ec] = std::from_chars(scope.data(), scope.data() + scope.size(), index);
      if (ec != std::errc{} || p != scope.data() + scope.size()) index = ::if_nametoindex(scope.c_str());
      if (index == 0) return std::nullopt;
      v6.sin6_scope_id = index;
    }
    if (::inet_pton(AF_INET6, host.c_str(), &v6.sin6_addr) != 1) return std::nullopt;
    std::memcpy(&result.storage_, &v6, sizeof v6);
    result.length_ = sizeof v6;
    return result;
  }
  const auto colon = text.rfind(':');
  if (colon == std::string_view::npos || text.find(':') != colon) return std::nullopt;  // bare IPv6 needs []
  const std::string host(text.substr(0, colon));
  const auto port = parse_port(text.substr(colon + 1));
  if (!port) return std::nullopt;
  sockaddr_in v4{};
  v4.sin_family = AF_INET;
  v4.sin_port = htons(*port);
  if (::inet_pton(AF_INET, host.c_str(), &v4.sin_addr) != 1) return std::nullopt;
  std::memcpy(&result.storage_, &v4, sizeof v4);
  result.length_ = sizeof v4;
  return result;
}

std::uint16_t SocketAddress::port() const {
  if (family() == AF_INET) return ntohs(reinterpret_cast<const sockaddr_in&>(storage_).sin_port);
  if (family() == AF_INET6) return ntohs(reinterpret_cast<const sockaddr_in6&>(storage_).sin6_port);
  return 0;
}

void SocketAddress::set_port(std::uint16_t port) {
  if (family() == AF_INET) reinterpret_cast<sockaddr_in&>(storage_).sin_port = htons(port);
  if (family() == AF_INET6) reinterpret_cast<sockaddr_in6&>(storage_).sin6_port = htons(port);
}

bool SocketAddress::is_wildcard() const {
  if (family() == AF_INET) return reinterpret_cast<const sockaddr_in&>(storage_).sin_addr.s_addr == htonl(INADDR_ANY);
  if (family() == AF_INET6) return IN6_IS_ADDR_UNSPECIFIED(&reinterpret_cast<const sockaddr_in6&>(storage_).sin6_addr);
  return false;
}

std::string SocketAddress::address_string() const {
  char buffer[INET6_ADDRSTRLEN] = {};
  if (family() == AF_INET) {
    ::inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in&>(storage_).sin_addr, buffer, sizeof buffer);
  } else if (family() == AF_INET6) {
    ::inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6&>(storage_).sin6_addr, buffer, sizeof buffer);
  } else {
    return "?";
  }
  return buffer;
}

std::string SocketAddress::to_string() const {
  if (family() == AF_INET6) return '[' + address_string() + "]:" + std::to_string(port());
  return address_string() + ':' + std::to_string(port());
}

bool operator==(const SocketAddress& a, const SocketAddress& b) {
  return a.length_ == b.length_ && std::memcmp(&a.storage_, &b.storage_, a.length_) == 0;
}

std::optional<AddressPrefix> AddressPrefix::parse(std::string_view text) {
  AddressPrefix result;
  std::string host(text);
  int length = -1;
  if (const auto slash = text.find('/'); slash != std::string_view::npos) {
    host.resize(slash);
    const auto digits = text.substr(slash + 1);
    const auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), length);
    if (digits.empty() || ec != std::errc{} || p != digits.data() + digits.size() || length < 0) return std::nullopt;
  }
  if (::inet_pton(AF_INET, host.c_str(), result.bytes_.data()) == 1) {
    result.family_ = AF_INET;
    if (length < 0) length = 32;
    if (length > 32) return std::nullopt;
  } else if (::inet_pton(AF_INET6, host.c_str(), result.bytes_.data()) == 1) {
    result.family_ = AF_INET6;
    if (length < 0) length = 128;
    if (length > 128) return std::nullopt;
  } else {
    return std::nullopt;
  }
  result.length_ = length;
  // Zero the host bits so that contains() compares whole bytes.
  for (int bit = length; bit < 128; ++bit) result.bytes_[bit / 8] &= static_cast<std::uint8_t>(~(0x80u >> (bit % 8)));
  return result;
}

bool AddressPrefix::contains(const sockaddr_storage& address) const {
  std::array<std::uint8_t, 16> bytes;
  if (address_bytes(address, bytes) != family_) return false;
  const int whole = length_ / 8;
  if (std::memcmp(bytes.data(), bytes_.data(), whole) != 0) return false;
  if (const int rest = length_ % 8; rest != 0) {
    const auto mask = static_cast<std::uint8_t>(0xFFu << (8 - rest));
    if ((bytes[whole] & mask) != bytes_[whole]) return false;
  }
  return true;
}

std::string AddressPrefix::to_string() const {
  char buffer[INET6_ADDRSTRLEN] = {};
  ::inet_ntop(family_, bytes_.data(), buffer, sizeof buffer);
  return std::string(buffer) + '/' + std::to_string(length_);
}

std::error_code set_nonblocking(int fd) {
  const int flags = ::fcntl(fd, F_GETFL, 0);
  if (flags < 0 || ::fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0) return last_error();
  return {};
}

std::error_code set_reuse_port(int fd) {
  return set_int_option(fd, SOL_SOCKET, SO_REUSEPORT, 1);
}
std::error_code set_reuse_address(int fd) {
  return set_int_option(fd, SOL_SOCKET, SO_REUSEADDR, 1);
}
std::error_code set_ipv6_only(int fd) {
  return set_int_option(fd, IPPROTO_IPV6, IPV6_V6ONLY, 1);
}

std::error_code enable_packet_info(int fd, int family) {
  if (family == AF_INET6) return set_int_option(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, 1);
  return set_int_option(fd, IPPROTO_IP, IP_PKTINFO, 1);
}

void set_buffer_sizes(int fd, int receive_bytes, int send_bytes) {
  (void)set_int_option(fd, SOL_SOCKET, SO_RCVBUF, receive_bytes);
  (void)set_int_option(fd, SOL_SOCKET, SO_SNDBUF, send_bytes);
}

std::error_code set_dont_fragment(int fd, int family) {
  // PROBE: DF set, interface MTU used, path MTU cache ignored.
  if (family == AF_INET6) {
    if (auto ec = set_int_option(fd, IPPROTO_IPV6, IPV6_MTU_DISCOVER, IPV6_PMTUDISC_PROBE)) return ec;
    return set_int_option(fd, IPPROTO_IPV6, IPV6_DONTFRAG, 1);
  }
  return set_int_option(fd, IPPROTO_IP, IP_MTU_DISCOVER, IP_PMTUDISC_PROBE);
}

namespace {

int open_socket(const SocketAddress& address, int type, std::error_code& error) {
  const int fd = ::socket(address.family(), type | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) {
    error = last_error();
    return -1;
  }
  auto fail = [&](std::error_code ec) {
    error = ec;
    ::close(fd);
    return -1;
  };
  if (auto ec = set_reuse_port(fd)) return fail(ec);
  if (type == SOCK_STREAM) {
    if (auto ec = set_reuse_address(fd)) return fail(ec);
  }
  if (address.family() == AF_INET6) {
    if (auto ec = set_ipv6_only(fd)) return fail(ec);
  }
  if (type == SOCK_DGRAM && address.is_wildcard()) {
    if (auto ec = enable_packet_info(fd, address.family())) return fail(ec);
  }
  if (::bind(fd, address.data(), address.size()) != 0) return fail(last_error());
  return fd;
}

}  // namespace

int open_udp_socket(const SocketAddress& address, std::error_code& error) {
  const int fd = open_socket(address, SOCK_DGRAM, error);
  if (fd < 0) return fd;
  set_buffer_sizes(fd, 4 << 20, 4 << 20);
  if (auto ec = set_dont_fragment(fd, address.family())) {
    error = ec;
    ::close(fd);
    return -1;
  }
  return fd;
}

std::uint16_t probe_exclusive_bind(const SocketAddress& address, int type, std::error_code& error) {
  const int fd = ::socket(address.family(), type | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    error = last_error();
    return 0;
  }
  std::uint16_t port = 0;
  if (address.family() == AF_INET6) (void)set_ipv6_only(fd);
  if (::bind(fd, address.data(), address.size()) != 0) {
    error = last_error();
  } else {
    sockaddr_storage bound{};
    socklen_t length = sizeof bound;
    if (::getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &length) == 0) {
      port = SocketAddress(reinterpret_cast<const sockaddr*>(&bound), length).port();
    } else {
      error = last_error();
    }
  }
  ::close(fd);
  return port;
}

int open_tcp_listener(const SocketAddress& address, int backlog, std::error_code& error) {
  const int fd = open_socket(address, SOCK_STREAM, error);
  if (fd < 0) return -1;
  if (::listen(fd, backlog) != 0) {
    error = last_error();
    ::close(fd);
    return -1;
  }
  return fd;
}

}  // namespace gslb::base
