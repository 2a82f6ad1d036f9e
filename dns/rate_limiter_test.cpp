#include "dns/rate_limiter.hpp"

#include <doctest/doctest.h>

#include <string>

#include "base/net_util.hpp"

namespace gslb::dns {
namespace {

using Verdict = ResponseRateLimiter::Verdict;

sockaddr_storage client(const std::string& address) {
  return base::SocketAddress::parse(address)->storage();
}

const RateKey www_a{0x1234, 1, static_cast<std::uint8_t>(RateKind::answer)};

struct Tally {
  int send = 0, drop = 0, slip = 0;
};

Tally ask(ResponseRateLimiter& limiter, const std::string& from, const RateKey& key, int n, std::uint64_t now_ms) {
  Tally t;
  for (int i = 0; i < n; ++i) {
    switch (limiter.check(client(from), key, now_ms)) {
      case Verdict::send:
        ++t.send;
        break;
      case Verdict::drop:
        ++t.drop;
        break;
      case Verdict::slip:
        ++t.slip;
        break;
    }
  }
  return t;
}

}  // namespace

TEST_CASE("off: everything is sent") {
  ResponseRateLimiter off(RateLimitOptions{}, 1);
  CHECK(ask(off, "192.0.2.1:53", www_a, 1000, 5).send == 1000);
}

TEST_CASE("one second of answers, then every second one slips and the rest are dropped") {
  RateLimitOptions options;
  options.responses_per_second = 10;
  ResponseRateLimiter limiter(options, 1);
  const Tally burst = ask(limiter, "192.0.2.1:4000", www_a, 30, 1000);
  CHECK(burst.send == 10);
  CHECK(burst.slip == 10);
  CHECK(burst.drop == 10);
  CHECK(limiter.slipped() == 10);
  CHECK(limiter.dropped() == 10);

  // The same /24 shares the allowance; another /24, another answer or
  // another kind of answer has its own.
  CHECK(ask(limiter, "192.0.2.200:9", www_a, 1, 1000).send == 0);
  CHECK(ask(limiter, "192.0.3.1:4000", www_a, 10, 1000).send == 10);
  CHECK(ask(limiter, "192.0.2.1:4000", RateKey{0x1234, 28, www_a.kind}, 10, 1000).send == 10);
  CHECK(ask(limiter, "192.0.2.1:4000", RateKey{0x1234, 1, static_cast<std::uint8_t>(RateKind::nxdomain)}, 10, 1000)
            .send == 10);

  // Credit comes back at the rate: half a second, five answers.
  CHECK(ask(limiter, "192.0.2.1:4000", www_a, 20, 1500).send == 5);
  // Idle for an hour: no more than one second's worth is saved up.
  CHECK(ask(limiter, "192.0.2.1:4000", www_a, 20, 3'601'500).send == 10);
}

TEST_CASE("IPv6 clients are grouped by /56; slip 0 drops all, slip 1 truncates all") {
  RateLimitOptions options;
  options.responses_per_second = 5;
  options.slip = 0;
  ResponseRateLimiter drop_all(options, 1);
  const Tally a = ask(drop_all, "[2001:db8:0:ff::1]:53", www_a, 10, 0);
  CHECK(a.send == 5);
  CHECK(a.drop == 5);
  CHECK(ask(drop_all, "[2001:db8:0:aa::2]:53", www_a, 1, 0).send == 0);   // same /56
  CHECK(ask(drop_all, "[2001:db8:0:100::1]:53", www_a, 5, 0).send == 5);  // next /56

  options.slip = 1;
  ResponseRateLimiter slip_all(options, 1);
  const Tally b = ask(slip_all, "198.51.100.7:53", www_a, 10, 0);
  CHECK(b.send == 5);
  CHECK(b.slip == 5);
}

TEST_CASE("the rate is shared out between listener threads") {
  RateLimitOptions options;
  options.responses_per_second = 100;
  ResponseRateLimiter quarter(options, 4);
  CHECK(ask(quarter, "203.0.113.9:53", www_a, 100, 0).send == 25);
  CHECK(ask(quarter, "203.0.113.9:53", www_a, 100, 1000).send == 25);
}

TEST_CASE("a flood of distinct answers does not grow the table or crash it") {
  RateLimitOptions options;
  options.responses_per_second = 1;
  ResponseRateLimiter limiter(options, 1);
  int sent = 0;
  for (std::uint64_t i = 0; i < 300'000; ++i)
    sent += limiter.check(client("192.0.2.1:53"), RateKey{i, 1, www_a.kind}, 0) == Verdict::send;
  CHECK(sent == 300'000);  // each distinct answer has its first one
  CHECK(ask(limiter, "192.0.2.1:53", RateKey{299'999, 1, www_a.kind}, 1, 0).send == 0);  // still remembered
}

}  // namespace gslb::dns
