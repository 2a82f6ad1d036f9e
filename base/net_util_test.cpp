#include "base/net_util.hpp"

#include <doctest/doctest.h>
#include <sys/socket.h>
#include <unistd.h>

using namespace gslb::base;

namespace {
sockaddr_storage storage_of(std::string_view text) {
  const auto address = SocketAddress::parse(text);
  REQUIRE(address.has_value());
  return address->storage();
}
}  // namespace

TEST_CASE("socket addresses parse IPv4, bracketed IPv6 and reject the rest") {
  const auto v4 = SocketAddress::parse("127.0.0.1:5353");
  REQUIRE(v4);
  CHECK(v4->family() == AF_INET);
  CHECK(v4->port() == 5353);
  CHECK(v4->to_string() == "127.0.0.1:5353");
  CHECK_FALSE(v4->is_wildcard());

  const auto v6 = SocketAddress::parse("[::1]:53");
  REQUIRE(v6);
  CHECK(v6->family() == AF_INET6);
  CHECK(v6->to_string() == "[::1]:53");

  CHECK(SocketAddress::parse("0.0.0.0:53")->is_wildcard());
  CHECK(SocketAddress::parse("[::]:53")->is_wildcard());

  for (const char* bad : {"127.0.0.1", "127.0.0.1:", "127.0.0.1:65536", "::1:53", "[::1]53", "[::1]:x", "host:53",
                          "1.2.3:53", "", "[::1"}) {
    CAPTURE(bad);
    CHECK_FALSE(SocketAddress::parse(bad));
  }
}

TEST_CASE("address prefixes match v4, v6 and v4-mapped addresses") {
  const auto net = AddressPrefix::parse("10.1.0.0/16");
  REQUIRE(net);
  CHECK(net->contains(storage_of("10.1.200.3:1")));
  CHECK_FALSE(net->contains(storage_of("10.2.0.1:1")));
  CHECK(net->contains(storage_of("[::ffff:10.1.0.9]:1")));
  CHECK_FALSE(net->contains(storage_of("[2001:db8::1]:1")));

  const auto odd = AddressPrefix::parse("192.0.2.130/25");  // host bits are ignored
  REQUIRE(odd);
  CHECK(odd->to_string() == "192.0.2.128/25");
  CHECK(odd->contains(storage_of("192.0.2.255:1")));
  CHECK_FALSE(odd->contains(storage_of("192.0.2.127:1")));

  const auto host = AddressPrefix::parse("::1");
  REQUIRE(host);
  CHECK(host->to_string() == "::1/128");
  CHECK(host->contains(storage_of("[::1]:9")));
  CHECK_FALSE(host->contains(storage_of("127.0.0.1:9")));

  CHECK(AddressPrefix::parse("0.0.0.0/0")->contains(storage_of("203.0.113.1:1")));
  for (const char* bad : {"10.0.0.0/33", "::/129", "10.0.0.0/", "10.0.0/8", "x/8", "10.0.0.0/-1"}) {
    CAPTURE(bad);
    CHECK_FALSE(AddressPrefix::parse(bad));
  }
}

TEST_CASE("reuse-port sockets let several workers bind one address") {
  // The kernel picks a free UDP port; the same TCP port may be held by a test
  // running in parallel, so try a few ports (bounded) until the TCP twin is free.
  bool checked = false;
  for (int attempt = 0; attempt < 20 && !checked; ++attempt) {
    std::error_code error;
    auto address = *SocketAddress::parse("127.0.0.1:0");
    const int first = open_udp_socket(address, error);
    REQUIRE(first >= 0);
    sockaddr_storage bound{};
    socklen_t length = sizeof bound;
    REQUIRE(::getsockname(first, reinterpret_cast<sockaddr*>(&bound), &length) == 0);
    address = SocketAddress(reinterpret_cast<sockaddr*>(&bound), length);
    CHECK(address.port() != 0);
    const int listener = open_tcp_listener(address, 16, error);
    if (listener < 0 && error == std::errc::address_in_use) {
      ::close(first);
      continue;
    }
    CHECK(listener >= 0);
    const int second = open_udp_socket(address, error);
    CHECK(second >= 0);  // SO_REUSEPORT: a second worker's socket on the same address
    for (int fd : {first, second, listener})
      if (fd >= 0) ::close(fd);
    checked = true;
  }
  CHECK(checked);
}
