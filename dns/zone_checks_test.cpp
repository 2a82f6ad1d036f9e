#include "dns/zone_checks.hpp"

#include <doctest/doctest.h>

#include <string>

#include "dns/zone_parser.hpp"

namespace gslb::dns {
namespace {

Name name(const char* text) {
  return *Name::parse(text);
}

struct Checked {
  std::vector<Record> records;
  base::DiagnosticList diags;
  std::string all;  // formatted diagnostics, one per line
};

// Parses `body` below a valid head (SOA, NS with glue) unless `with_head` is
// false, then checks it. Line numbers in `body` start at 4 with the head.
Checked check(const std::string& body, bool with_head = true) {
  const std::string head =
      "$TTL 300\n"
      "@ SOA ns1 hostmaster 2026112301 7200 3600 1209600 300\n"
      "@ NS ns1\n"
      "ns1 A 192.0.2.53\n";
  Checked out;
  ZoneParseOptions options;
  options.origin = name("example.com.");
  auto zone = parse_zone_text(with_head ? head + body : body, "z.zone", options, out.diags);
  REQUIRE_MESSAGE(out.diags.empty(), "parse problems in test input");
  out.records = std::move(zone.records);
  check_zone(name("example.com."), out.records, "z.zone", out.diags);
  for (const auto& d : out.diags.items()) out.all += d.format() + "\n";
  return out;
}

TEST_CASE("checks: a sound zone passes untouched") {
  const auto c = check(
      "www A 192.0.2.1\n"
      "www AAAA 2001:db8::1\n"
      "alias CNAME www\n"
      "signed CNAME www\n"
      "signed RRSIG CNAME 8 3 300 20261201000000 20261101000000 12345 example.com. AAAA\n"
      "sub NS ns.sub\n"
      "sub NS ns.example.net.\n"
      "ns.sub A 198.51.100.1\n"
      "mail MX 10 www\n");
  CHECK_MESSAGE(c.diags.empty(), c.all);
  CHECK(c.records.size() == 12);
}

TEST_CASE("checks: data outside the zone is an error and is dropped") {
  const auto c = check("www.example.org. A 192.0.2.1\nexample.com.evil. A 192.0.2.2\n");
  CHECK(c.all ==
        "z.zone:5:1: error: owner www.example.org. is outside the zone example.com.\n"
        "z.zone:6:1: error: owner example.com.evil. is outside the zone example.com.\n");
  CHECK(c.records.size() == 3);
}

TEST_CASE("checks: SOA problems") {
  SUBCASE("none") {
    const auto c = check("$TTL 60\n@ NS ns1\nns1 A 192.0.2.1\n", false);
    CHECK(c.all == "z.zone:1:1: error: no SOA record at the zone apex example.com.\n");
  }
  SUBCASE("two, and one below the apex") {
    const auto c = check(
        "@ SOA ns1 hostmaster 2026112302 7200 3600 1209600 300\n"
        "www SOA ns1 hostmaster 1 2 3 4 5\n");
    CHECK(c.all ==
          "z.zone:5:1: error: more than one SOA record at the zone apex (first at line 2)\n"
          "z.zone:6:1: error: SOA record at www.example.com., which is not the zone apex example.com.\n");
  }
  SUBCASE("TTL 0 warns") {
    const auto c = check("$TTL 0\n@ SOA ns1 hostmaster 1 2 3 4 5\n@ NS ns1\nns1 A 192.0.2.1\n", false);
    CHECK(c.all == "z.zone:2:1: warning: SOA TTL is 0: negative answers will not be cached (RFC 2308 §5)\n");
    CHECK_FALSE(c.diags.has_errors());
  }
}

TEST_CASE("checks: no NS at the apex") {
  const auto c = check("$TTL 60\n@ SOA ns1 hostmaster 1 2 3 4 5\nns1 A 192.0.2.1\n", false);
  CHECK(c.all == "z.zone:2:1: error: no NS records at the zone apex example.com.\n");
}

TEST_CASE("checks: CNAME exclusivity, multiplicity and apex") {
  const auto c = check(
      "www A 192.0.2.1\n"  // 5
      "www CNAME other\n"  // 6
      "two CNAME a\n"      // 7
      "two CNAME b\n"      // 8
      "@ CNAME www\n"      // 9
      "@ TXT \"apex\"\n"   // 10
      "d DNAME a.example.net.\n"
      "d DNAME b.example.net.\n");  // 12
  CHECK(c.all ==
        "z.zone:6:1: error: CNAME at www.example.com. beside other data (A at line 5); a CNAME owner can have no other "
        "records (RFC 1034 §3.6.2)\n"
        "z.zone:8:1: error: more than one CNAME record at two.example.com. (first at line 7; RFC 2181 §10.1)\n"
        "z.zone:9:1: error: CNAME at the zone apex example.com. (RFC 1034 §3.6.2)\n"
        "z.zone:12:1: error: more than one DNAME record at d.example.com. (first at line 11; RFC 6672 §2.4)\n");
}

TEST_CASE("checks: a DNAME at the apex is allowed when nothing is below it") {
  const auto ok = check(
      "$TTL 300\n"
      "@ SOA ns1.example.net. hostmaster 1 7200 3600 1209600 300\n"
      "@ NS ns1.example.net.\n"
      "@ DNAME example.net.\n",
      false);
  CHECK(ok.all.empty());
  const auto below = check("@ DNAME example.net.\n", true);  // line 5; ns1 (line 4) is below it
  CHECK(below.all ==
        "z.zone:4:1: error: ns1.example.com. is below the DNAME at example.com. (line 5), where no data can be reached "
        "(RFC 6672 §2.3)\n");
}

TEST_CASE("checks: no data below a DNAME") {
  const auto c = check(
      "old DNAME new.example.net.\n"  // 5
      "a.old A 192.0.2.1\n"           // 6
      "a.old AAAA 2001:db8::1\n"      // 7: same name, reported once
      "x.y.old TXT \"deep\"\n"        // 8
      "oldish A 192.0.2.2\n");        // 9: not below
  CHECK(c.all ==
        "z.zone:6:1: error: a.old.example.com. is below the DNAME at old.example.com. (line 5), where no data can be "
        "reached (RFC 6672 §2.3)\n"
        "z.zone:8:1: error: x.y.old.example.com. is below the DNAME at old.example.com. (line 5), where no data can "
        "be reached (RFC 6672 §2.3)\n");
}

TEST_CASE("checks: in-zone NS targets need an address; wildcard NS is an error") {
  const auto c = check(
      "@ NS ns2\n"                // 5: apex NS, target in zone without address
      "sub NS ns.sub\n"           // 6: delegation, glue missing
      "sub NS ns.example.net.\n"  // 7: out of zone, fine
      "other NS ns1\n"            // 8: target has an address
      "*.wild NS ns1\n"           // 9
      "ns.sub TXT \"not an address\"\n");
  CHECK(c.all ==
        "z.zone:5:1: error: NS target ns2.example.com. is inside the zone but has no A or AAAA record (glue)\n"
        "z.zone:6:1: error: NS target ns.sub.example.com. is inside the zone but has no A or AAAA record (glue)\n"
        "z.zone:9:1: error: NS record at the wildcard name *.wild.example.com. (RFC 4592 §4.2)\n");
}

TEST_CASE("checks: duplicates collapse and RRset TTLs are made equal (to the last, like Knot), with warnings") {
  auto c = check(
      "www 300 A 192.0.2.1\n"  // 5
      "www 600 A 192.0.2.2\n"  // 6
      "WWW 300 A 192.0.2.1\n"  // 7: same owner (case-insensitive), same data
      "www 100 A 192.0.2.3\n"  // 8
      "txt TXT \"x\"\n"
      "txt TXT \"x\"\n"    // 10
      "txt TXT \"x\"\n");  // 11
  CHECK(c.all ==
        "z.zone:5:1: warning: TTL 300 differs from TTL 100 of the last A record of this RRset (line 8); the RRset "
        "gets 100 (RFC 2181 §5.2)\n"
        "z.zone:6:1: warning: TTL 600 differs from TTL 100 of the last A record of this RRset (line 8); the RRset "
        "gets 100 (RFC 2181 §5.2)\n"
        "z.zone:7:1: warning: duplicate A record ignored (same as line 5)\n"
        "z.zone:10:1: warning: duplicate TXT record ignored (same as line 9)\n"
        "z.zone:11:1: warning: duplicate TXT record ignored (same as line 9)\n");
  CHECK_FALSE(c.diags.has_errors());
  REQUIRE(c.records.size() == 7);
  // File order is kept; TTLs are now the last record's (as Knot serves them).
  CHECK(c.records[3].where.line == 5);
  CHECK(c.records[3].ttl == 100);
  CHECK(c.records[4].where.line == 6);
  CHECK(c.records[4].ttl == 100);
  CHECK(c.records[5].where.line == 8);
  CHECK(c.records[5].ttl == 100);
  CHECK(c.records[6].where.line == 9);
}

TEST_CASE("checks: TTL above 2^31-1 is an error") {
  const auto c = check("big 2147483648 A 192.0.2.1\nok 2147483647 A 192.0.2.1\n");
  CHECK(c.all == "z.zone:5:1: error: TTL 2147483648 is above 2147483647 (RFC 2181 §8)\n");
}

TEST_CASE("checks: records from an included file are reported there") {
  std::vector<Record> records;
  base::DiagnosticList diags;
  ZoneParseOptions options;
  options.origin = name("example.com.");
  auto zone = parse_zone_text("$TTL 60\n@ SOA ns1 h 1 2 3 4 5\n@ NS ns1\nns1 A 192.0.2.1\nwww A 192.0.2.1\n", "z.zone",
                              options, diags);
  auto included = std::make_shared<const std::string>("inc/hosts");
  Record dup = zone.records.back();
  dup.where = {included, 7};
  zone.records.push_back(dup);
  check_zone(name("example.com."), zone.records, "z.zone", diags);
  REQUIRE(diags.items().size() == 1);
  CHECK(diags.items()[0].format() == "inc/hosts:7:1: warning: duplicate A record ignored (same as z.zone:5)");
}

}  // namespace
}  // namespace gslb::dns
