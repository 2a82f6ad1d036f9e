// The latency CSV parser: good files in every allowed shape, and one input
// per defect with the exact file:line:col message an operator sees.
#include "gslb/latency_csv.hpp"

#include <doctest/doctest.h>

namespace gslb::policy {
namespace {

std::string errors_of(std::string_view text) {
  base::DiagnosticList diags;
  parse_latency_csv(text, "rtt.csv", diags);
  std::string out;
  for (const auto& d : diags.items()) out += d.format() + "\n";
  return out;
}

TEST_CASE("latency csv: comments, blank lines, CRLF, v4, v6, v4-mapped, samples") {
  base::DiagnosticList diags;
  const auto rows = parse_latency_csv(
      "# exported 2026-11-23\n"
      "\n"
      "prefix,region,rtt_ms,samples\r\n"
      "192.0.2.0/24,eu-west,12.5,300\r\n"
      "  # indented comment\n"
      " 2001:db8:100::/40 , us-east , 81 ,\n"
      "::ffff:198.51.100.0/120,ap-south,0.25,\n"
      "203.0.113.7,sa-east,140\n",
      "rtt.csv", diags);
  CHECK(diags.empty());
  REQUIRE(rows.size() == 4);
  CHECK(rows[0].prefix.to_string() == "192.0.2.0/24");
  CHECK(rows[0].region == "eu-west");
  CHECK(rows[0].rtt_ms == 12.5);
  CHECK(rows[0].samples == 300u);
  CHECK(rows[0].line == 4);
  CHECK(rows[1].prefix.to_string() == "2001:db8:100::/40");
  CHECK(rows[1].region == "us-east");
  CHECK(rows[1].rtt_ms == 81);
  CHECK_FALSE(rows[1].samples.has_value());
  // v4-mapped folds to the IPv4 prefix it maps.
  CHECK(rows[2].prefix.to_string() == "198.51.100.0/24");
  CHECK(rows[2].rtt_ms == 0.25);
  // A bare address is a host prefix.
  CHECK(rows[3].prefix.to_string() == "203.0.113.7/32");
  CHECK(rows[3].line == 8);
}

TEST_CASE("latency csv: the three-column header") {
  base::DiagnosticList diags;
  const auto rows = parse_latency_csv("prefix,region,rtt_ms\n10.0.0.0/8,x,1\n", "rtt.csv", diags);
  CHECK(diags.empty());
  CHECK(rows.size() == 1);
  // Without the samples column a fourth field is an error.
  CHECK(errors_of("prefix,region,rtt_ms\n10.0.0.0/8,x,1,5\n") ==
        "rtt.csv:2:16: error: unexpected column 4 (the header names 3)\n");
}

TEST_CASE("latency csv: each defect has its own message at file:line:col") {
  const std::string header = "prefix,region,rtt_ms,samples\n";
  // Header missing or misspelled.
  CHECK(errors_of("10.0.0.0/8,x,1\n") ==
        "rtt.csv:1:1: error: expected the header 'prefix,region,rtt_ms' or 'prefix,region,rtt_ms,samples', not "
        "'10.0.0.0/8,x,1'\n");
  CHECK(errors_of("prefix,region,rtt\n") ==
        "rtt.csv:1:1: error: expected the header 'prefix,region,rtt_ms' or 'prefix,region,rtt_ms,samples', not "
        "'prefix,region,rtt'\n");
  CHECK(errors_of("# only a comment\n") == "rtt.csv:1:1: error: no header 'prefix,region,rtt_ms' found\n");
  // Bad CIDR.
  CHECK(errors_of(header + "10.0.0.300/8,x,1\n") ==
        "rtt.csv:2:1: error: bad prefix: '10.0.0.300' is not an IPv4 or IPv6 address\n");
  CHECK(errors_of(header + "10.0.0.0/33,x,1\n") ==
        "rtt.csv:2:1: error: bad prefix: prefix length '33' is not between 0 and 32\n");
  // Non-zero host bits.
  CHECK(errors_of(header + "10.1.2.3/16,x,1\n") ==
        "rtt.csv:2:1: error: bad prefix: '10.1.2.3/16' has host bits set beyond /16 (did you mean 10.1.0.0/16?)\n");
  CHECK(errors_of(header + "2001:db8::1/64,x,1\n") ==
        "rtt.csv:2:1: error: bad prefix: '2001:db8::1/64' has host bits set beyond /64 (did you mean "
        "2001:db8::/64?)\n");
  // Negative, absurd, not a number.
  CHECK(errors_of(header + "10.0.0.0/8, x, -3\n") == "rtt.csv:2:16: error: negative RTT '-3'\n");
  CHECK(errors_of(header + "10.0.0.0/8,x,10000.5\n") ==
        "rtt.csv:2:14: error: RTT 10000.5 ms is absurd (more than 10000 ms)\n");
  CHECK(errors_of(header + "10.0.0.0/8,x,12ms\n") ==
        "rtt.csv:2:14: error: rtt_ms '12ms' is not a decimal number of milliseconds (e.g. 12.5)\n");
  CHECK(errors_of(header + "10.0.0.0/8,x,nan\n") ==
        "rtt.csv:2:14: error: rtt_ms 'nan' is not a decimal number of milliseconds (e.g. 12.5)\n");
  CHECK(errors_of(header + "10.0.0.0/8,x,1e3\n") ==
        "rtt.csv:2:14: error: rtt_ms '1e3' is not a decimal number of milliseconds (e.g. 12.5)\n");
  // Missing columns and empty fields.
  CHECK(errors_of(header + "10.0.0.0/8,x\n") ==
        "rtt.csv:2:13: error: missing column 'rtt_ms' (expected prefix,region,rtt_ms[,samples])\n");
  CHECK(errors_of(header + "10.0.0.0/8\n") ==
        "rtt.csv:2:11: error: missing column 'region' (expected prefix,region,rtt_ms[,samples])\n");
  CHECK(errors_of(header + ",x,1\n") == "rtt.csv:2:1: error: missing prefix\n");
  CHECK(errors_of(header + "10.0.0.0/8,,1\n") == "rtt.csv:2:12: error: missing region\n");
  CHECK(errors_of(header + "10.0.0.0/8,x,\n") == "rtt.csv:2:14: error: missing rtt_ms\n");
  CHECK(errors_of(header + "10.0.0.0/8,x,1,2,3\n") ==
        "rtt.csv:2:18: error: unexpected column 5 (the header names 4)\n");
  // Region names and samples.
  CHECK(errors_of(header + "10.0.0.0/8,eu west,1\n") ==
        "rtt.csv:2:12: error: bad region name 'eu west' (letters, digits, '-', '_', '.'; at most 63 characters)\n");
  CHECK(errors_of(header + "10.0.0.0/8,x,1,-2\n") ==
        "rtt.csv:2:16: error: samples '-2' is not a non-negative integer\n");
  // Duplicate prefix + region, also when spelled differently.
  CHECK(errors_of(header + "10.0.0.0/8,x,1\n10.0.0.0/8,y,2\n10.0.0.0/8,x,3\n") ==
        "rtt.csv:4:1: error: duplicate prefix and region 10.0.0.0/8 x (first on line 2)\n");
  CHECK(errors_of(header + "192.0.2.0/24,x,1\n::ffff:192.0.2.0/120,x,3\n") ==
        "rtt.csv:3:1: error: duplicate prefix and region 192.0.2.0/24 x (first on line 2)\n");
}

TEST_CASE("latency csv: every error is reported, not just the first") {
  base::DiagnosticList diags;
  const auto rows =
      parse_latency_csv("prefix,region,rtt_ms\n10.1.0.0/8,x,1\n10.0.0.0/8,x,-1\n10.0.0.0/8,x,2\n", "rtt.csv", diags);
  CHECK(diags.error_count() == 2);
  CHECK(diags.items()[0].line == 2);
  CHECK(diags.items()[1].line == 3);
}

TEST_CASE("latency csv: a missing file is an error naming it") {
  base::DiagnosticList diags;
  read_latency_csv("/nonexistent/rtt.csv", diags);
  REQUIRE(diags.error_count() == 1);
  CHECK(diags.items()[0].format() == "/nonexistent/rtt.csv: error: cannot read the file");
}

}  // namespace
}  // namespace gslb::policy
