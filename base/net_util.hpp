// Socket addresses, address prefixes (CIDR) and the socket options the DNS
// listeners need (SO_REUSEPORT, IP_PKTINFO / IPV6_RECVPKTINFO, buffer sizes).
// Plain POSIX; no Asio, so that the UDP fast path can use recvmmsg/sendmmsg on
// the descriptor directly.
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>

namespace gslb::base {

// An IPv4 or IPv6 address with a port, as bind/sendto take it.
class SocketAddress {
 public:
  SocketAddress() = default;
  // From a kernel-filled sockaddr (recvfrom/accept); `length` as returned.
  SocketAddress(const sockaddr* address, socklen_t length);

  // "127.0.0.1:53", "[::1]:53", "[fe80::1%lo]:53" (scope by interface name or
  // number). The port is required. nullopt if malformed.
  static std::optional<SocketAddress> parse(std::string_view text);

  int family() const { return storage_.ss_family; }
  const sockaddr* data() const { return reinterpret_cast<const sockaddr*>(&storage_); }
  socklen_t size() const { return length_; }
  const sockaddr_storage& storage() const { return storage_; }
  std::uint16_t port() const;
  void set_port(std::uint16_t port);
  // 0.0.0.0 or ::, where replies must carry the arrival address explicitly.
  bool is_wildcard() const;
  // "127.0.0.1:53" / "[::1]:53".
  std::string to_string() const;
  // The address alone, without port or brackets.
  std::string address_string() const;

  friend bool operator==(const SocketAddress& a, const SocketAddress& b);

 private:
  sockaddr_storage storage_{};
  socklen_t length_ = 0;
};

// An address prefix such as 192.0.2.0/24 or 2001:db8::/32. A bare address is a
// host prefix (/32 or /128).
class AddressPrefix {
 public:
  static std::optional<AddressPrefix> parse(std::string_view text);

  // True if `address` (IPv4, IPv6, or IPv4-mapped IPv6, which is matched as
  // the IPv4 address it carries) is inside the prefix. Port is ignored.
  bool contains(const sockaddr_storage& address) const;
  std::string to_string() const;

 private:
  int family_ = AF_INET;
  std::array<std::uint8_t, 16> bytes_{};  // host bits zeroed
  int length_ = 0;
};

// Socket options. Each returns the errno as an error_code on failure.
std::error_code set_nonblocking(int fd);
std::error_code set_reuse_port(int fd);
std::error_code set_reuse_address(int fd);
// IPv6 sockets only: do not also accept IPv4 (so 0.0.0.0 and :: can both bind).
std::error_code set_ipv6_only(int fd);
// Ask the kernel for the destination address of each datagram (IP_PKTINFO or
// IPV6_RECVPKTINFO by family), so replies from a wildcard socket can use it.
std::error_code enable_packet_info(int fd, int family);
// Best effort: the kernel caps at net.core.{r,w}mem_max.
void set_buffer_sizes(int fd, int receive_bytes, int send_bytes);
// UDP: never fragment locally and mark IPv4 datagrams DF, using the interface
// MTU rather than learned path MTUs (which forged ICMP could shrink). RFC 9715
// §3.1 recommends DF for DNS responses; a datagram above the MTU then fails
// with EMSGSIZE instead of leaving as fragments.
std::error_code set_dont_fragment(int fd, int family);

// A bound socket, ready for use: socket + options + bind (+ listen for TCP).
// Sets SO_REUSEPORT so each worker can bind its own socket to the address,
// non-blocking mode, packet info for wildcard UDP sockets and, for UDP,
// set_dont_fragment. Returns -1 with
// `error` set on failure.
int open_udp_socket(const SocketAddress& address, std::error_code& error);
// Binds and closes a socket of `type` (SOCK_DGRAM / SOCK_STREAM) without
// SO_REUSEPORT: fails with EADDRINUSE if any other socket (say, a second
// server started by mistake) holds the address, which SO_REUSEPORT binds
// would otherwise share silently. Returns the port bound (the kernel's
// choice when `address` has port 0), or 0 with `error` set.
std::uint16_t probe_exclusive_bind(const SocketAddress& address, int type, std::error_code& error);
int open_tcp_listener(const SocketAddress& address, int backlog, std::error_code& error);

}  // namespace gslb::base
