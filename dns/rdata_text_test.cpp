#include "dns/rdata_text.hpp"

#include <doctest/doctest.h>

#include <random>
#include <string>

#include "dns/zone_ldns.hpp"

namespace gslb::dns {
namespace {

std::uint16_t type_code(const std::string& t) {
  return static_cast<std::uint16_t>(ldns_get_rr_type_by_name(t.c_str()));
}

TEST_CASE("rdata_text: names") {
  const std::string origin("\7example\3com\0", 13);
  std::uint8_t buf[max_name_length];
  auto wire = [&](std::string_view text) {
    const std::size_t n = name_to_wire(text, origin, buf);
    return std::string(reinterpret_cast<const char*>(buf), n);
  };
  CHECK(wire("@") == origin);
  CHECK(wire(".") == std::string("\0", 1));
  CHECK(wire("www") == std::string("\3www", 4) + origin);
  CHECK(wire("a.b.") == std::string("\1a\1b\0", 5));
  CHECK(wire("a\\.b.") == std::string("\3a.b\0", 5));
  CHECK(wire("\\065\\\\.") == std::string("\2A\\\0", 4));
  CHECK(wire(std::string(63, 'x') + ".") == std::string(1, 63) + std::string(63, 'x') + std::string(1, 0));
  CHECK(wire(std::string(64, 'x') + ".").empty());
  CHECK(wire("a..b").empty());
  CHECK(wire(".a").empty());
  CHECK(wire("\\256.").empty());
  CHECK(wire("a\\").empty());
  // 127 one-letter labels + root = 255 octets: the longest name; one more is too long.
  std::string longest;
  for (int i = 0; i < 127; ++i) longest += "a.";
  CHECK(wire(longest).size() == 255);
  CHECK(wire("b." + longest).empty());
}

TEST_CASE("rdata_text: TTLs and numbers") {
  std::uint32_t v = 0;
  CHECK((parse_ttl("3600", v) && v == 3600));
  CHECK((parse_ttl("1h30m", v) && v == 5400));
  CHECK((parse_ttl("1W2d", v) && v == 777600));
  CHECK((parse_ttl("4294967295", v) && v == 4294967295u));
  CHECK_FALSE(parse_ttl("4294967296", v));
  CHECK_FALSE(parse_ttl("h", v));
  CHECK_FALSE(parse_ttl("1x", v));
  CHECK_FALSE(parse_ttl("", v));
  CHECK((parse_decimal("65535", 0xffff, v) && v == 65535));
  CHECK_FALSE(parse_decimal("65536", 0xffff, v));
  CHECK_FALSE(parse_decimal("-1", 0xffff, v));
  CHECK_FALSE(parse_decimal("+1", 0xffff, v));
}

// Random spellings, valid and not, of the fast path's types.
class Generator {
 public:
  explicit Generator(unsigned seed) : rng_(seed) {}

  std::string record() {
    switch (pick(9)) {
      case 0:
        return "A " + ipv4();
      case 1:
        return "AAAA " + ipv6();
      case 2:
        return "NS " + name();
      case 3:
        return "CNAME " + name();
      case 4:
        return "PTR " + name();
      case 5:
        return "MX " + number(0xffff) + " " + name();
      case 6:
        return "SRV " + number(0xffff) + " " + number(0xffff) + " " + number(0xffff) + " " + name();
      case 7:
        return "SOA " + name() + " " + name() + " " + number(0xffffffffu) + " " + number(0xffffffffu) + " " +
               number(0xffffffffu) + " " + number(0xffffffffu) + " " + number(0xffffffffu);
      default: {
        std::string out = "TXT";
        const int n = 1 + pick(3);
        for (int i = 0; i < n; ++i) out += " " + character_string();
        return out;
      }
    }
  }

 private:
  int pick(int n) { return static_cast<int>(rng_() % static_cast<unsigned>(n)); }

  std::string ipv4() {
    std::string out;
    const int parts = pick(20) == 0 ? 3 + pick(3) : 4;
    for (int i = 0; i < parts; ++i) {
      if (i) out += '.';
      const int r = pick(20);
      if (r == 0) {
        out += "0" + std::to_string(pick(10));
      } else if (r == 1) {
        out += std::to_string(250 + pick(10));
      } else if (r == 2) {
        out += "x";
      } else {
        out += std::to_string(pick(256));
      }
    }
    return out;
  }

  std::string ipv6() {
    static const char* fixed[] = {"::",
                                  "::1",
                                  "2001:db8::1",
                                  "2001:DB8:0:0:0:0:0:1",
                                  "::ffff:192.0.2.1",
                                  "2001:db8::192.0.2.1",
                                  "2001:db8:::1",
                                  "1:2:3:4:5:6:7:8",
                                  "1:2:3:4:5:6:7:8:9",
                                  "fe80::1%eth0",
                                  "12345::",
                                  "2001:db8::g"};
    if (pick(3) == 0) return fixed[pick(sizeof fixed / sizeof fixed[0])];
    std::string out;
    const int groups = 1 + pick(8);
    for (int i = 0; i < groups; ++i) {
      if (i) out += ':';
      char buf[8];
      std::snprintf(buf, sizeof buf, pick(2) ? "%x" : "%X", static_cast<unsigned>(rng_() & 0xffff));
      out += buf;
    }
    if (groups < 8) out += "::";
    return out;
  }

  std::string label() {
    static const std::string chars = "abcxyzABCXYZ0123456789-_*";
    std::string out;
    const int r = pick(30);
    const int len = r == 0 ? 63 + pick(2) : 1 + pick(12);
    for (int i = 0; i < len; ++i) {
      const int c = pick(40);
      if (c == 0) {
        char buf[8];
        std::snprintf(buf, sizeof buf, "\\%03d", pick(300));
        out += buf;
      } else if (c == 1) {
        out += "\\.";
      } else if (c == 2) {
        out += "\\\\";
      } else {
        out += chars[static_cast<std::size_t>(pick(static_cast<int>(chars.size())))];
      }
    }
    return out;
  }

  std::string name() {
    const int r = pick(20);
    if (r == 0) return "@";
    if (r == 1) return ".";
    std::string out;
    const int labels = r == 2 ? 40 + pick(90) : 1 + pick(4);
    for (int i = 0; i < labels; ++i) out += (i ? "." : "") + label();
    if (pick(2)) out += '.';
    if (pick(50) == 0) out += ".";
    return out;
  }

  std::string number(std::uint32_t max) {
    switch (pick(12)) {
      case 0:
        return std::to_string(static_cast<std::uint64_t>(max) + 1 + pick(10));
      case 1:
        return "-" + std::to_string(pick(10));
      case 2:
        return std::to_string(max);
      case 3:
        return "0" + std::to_string(pick(100));
      default:
        return std::to_string(rng_() % (static_cast<std::uint64_t>(max) + 1));
    }
  }

  std::string character_string() {
    const bool quoted = pick(2) == 0;
    std::string body;
    const int r = pick(20);
    const int len = r == 0 ? 250 + pick(10) : pick(30);
    for (int i = 0; i < len; ++i) {
      const int c = pick(30);
      if (c == 0) {
        char buf[8];
        std::snprintf(buf, sizeof buf, "\\%03d", pick(300));
        body += buf;
      } else if (c == 1) {
        body += quoted ? "\\\"" : "\\;";
      } else if (c == 2 && quoted) {
        body += " ";
      } else if (c == 3) {
        body += "\\\\";
      } else {
        body += static_cast<char>('a' + pick(26));
      }
    }
    if (!quoted && body.empty()) body = "x";
    return quoted ? "\"" + body + "\"" : body;
  }

  std::mt19937 rng_;
};

// The fast path may decline anything, but what it accepts ldns must accept
// with the same bytes.
TEST_CASE("rdata_text: the fast path agrees with ldns on generated records") {
  const Name origin = *Name::parse("Example.COM.");
  const auto origin_rdf = make_ldns_name(origin);
  Generator gen(20261123);
  int fast_accepted = 0;
  int ldns_accepted = 0;
  constexpr int rounds = 20000;
  for (int i = 0; i < rounds; ++i) {
    const std::string text = gen.record();
    ZoneTokenizer tokenizer(text);
    ZoneEntry entry;
    if (tokenizer.next(entry) != ZoneTokenizer::Result::entry) continue;
    const std::uint16_t type = type_code(std::string(entry.tokens[0].text));
    REQUIRE(type != 0);
    const auto fields = std::span<const ZoneToken>(entry.tokens).subspan(1);

    std::vector<std::uint8_t> fast;
    const bool fast_ok = fast_rdata_to_wire(type, fields, origin.wire(), fast);
    std::vector<std::uint8_t> slow;
    RdataError error;
    const bool slow_ok = ldns_rdata_to_wire(type, entry.tokens[0], fields, origin_rdf.get(), slow, error);
    fast_accepted += fast_ok;
    ldns_accepted += slow_ok;
    if (fast_ok) {
      CAPTURE(text);
      CAPTURE(error.message);
      REQUIRE(slow_ok);
      REQUIRE(fast == slow);
    } else {
      CHECK(fast.empty());
    }
  }
  // Most generated records are valid and the fast path takes them: the test
  // compares real conversions, not just refusals.
  MESSAGE("fast path accepted " << fast_accepted << ", ldns " << ldns_accepted << " of " << rounds);
  CHECK(fast_accepted > rounds / 2);
  CHECK(ldns_accepted >= fast_accepted);
}

}  // namespace
}  // namespace gslb::dns
