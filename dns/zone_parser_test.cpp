#include "dns/zone_parser.hpp"

#include <doctest/doctest.h>
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <string>
#include <tuple>

#include "dns/zone_ldns.hpp"

namespace gslb::dns {
namespace {

namespace fs = std::filesystem;

Name name(const char* text) {
  return *Name::parse(text);
}

ParsedZone parse(std::string_view text, base::DiagnosticList& diags, const fs::path& root = {}) {
  ZoneParseOptions options;
  options.origin = name("example.com.");
  options.include_root = root;
  return parse_zone_text(text, "test.zone", options, diags);
}

std::string messages(const base::DiagnosticList& diags) {
  std::string out;
  for (const auto& d : diags.items()) out += d.format() + "\n";
  return out;
}

std::vector<std::uint8_t> bytes(std::initializer_list<int> list) {
  std::vector<std::uint8_t> out;
  for (const int b : list) out.push_back(static_cast<std::uint8_t>(b));
  return out;
}

// A scratch directory removed at the end of the test.
struct TempDir {
  TempDir() {
    std::string templ = (fs::temp_directory_path() / "zone_parser_test.XXXXXX").string();
    path = mkdtemp(templ.data());
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  void write(const std::string& relative, const std::string& content) const {
    fs::create_directories((path / relative).parent_path());
    std::ofstream(path / relative) << content;
  }
  fs::path path;
};

constexpr const char* soa_ns = "@ 3600 IN SOA ns1 hostmaster 2026112301 7200 3600 1209600 300\n@ NS ns1\n";

TEST_CASE("parser: relative names, '@', $ORIGIN, $TTL and owner inheritance") {
  base::DiagnosticList diags;
  const auto zone = parse(
      "$TTL 1h\n"
      "@ IN SOA ns1 hostmaster.example.com. 1 2 3 4 5\n"
      "  NS ns1\n"
      "WWW 60 A 192.0.2.1\n"
      "    IN 120 A 192.0.2.2\n"
      "$ORIGIN sub.example.com.\n"
      "mail MX 10 @\n",
      diags);
  CHECK_MESSAGE(diags.empty(), messages(diags));
  REQUIRE(zone.records.size() == 5);
  REQUIRE(zone.origin);
  CHECK(*zone.origin == name("example.com."));
  CHECK(zone.records[0].owner == name("example.com."));
  CHECK(zone.records[0].ttl == 3600);
  CHECK(zone.records[1].owner == name("example.com."));
  CHECK(zone.records[1].type == 2);
  CHECK(zone.records[1].rdata == bytes({3, 'n', 's', '1', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'c', 'o', 'm', 0}));
  // Case as written is kept in the owner.
  CHECK(zone.records[2].owner.wire() == std::string("\3WWW\7example\3com\0", 17));
  CHECK(zone.records[2].ttl == 60);
  CHECK(zone.records[3].owner == name("www.example.com."));
  CHECK(zone.records[3].ttl == 120);
  CHECK(zone.records[3].rdata == bytes({192, 0, 2, 2}));
  CHECK(zone.records[4].owner == name("mail.sub.example.com."));
  CHECK(zone.records[4].rdata ==
        bytes({0, 10, 3, 's', 'u', 'b', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'c', 'o', 'm', 0}));
  CHECK(*zone.records[4].where.file == "test.zone");
  CHECK(zone.records[4].where.line == 7);
}

TEST_CASE("parser: CRLF line ends and tabs read like LF and blanks") {
  base::DiagnosticList diags;
  const auto zone = parse("$TTL 60\r\nwww\tA\t192.0.2.1\r\n\tTXT \"x\" ; c\r\n", diags);
  CHECK_MESSAGE(diags.empty(), messages(diags));
  REQUIRE(zone.records.size() == 2);
  CHECK(zone.records[0].rdata == bytes({192, 0, 2, 1}));
  CHECK(zone.records[1].owner == name("www.example.com."));
  CHECK(zone.records[1].rdata == bytes({1, 'x'}));
  CHECK(zone.records[1].where.line == 3);
}

TEST_CASE("parser: a multi-line record is located at its first line") {
  base::DiagnosticList diags;
  const auto zone = parse(
      "$TTL 300\n"
      "@ SOA ns1 hostmaster (\n"
      "      2026112301 ; serial\n"
      "      7200 3600 1209600 300 )\n"
      "txt TXT ( \"one\"\n"
      "          \"two\" )\n"
      "bad A ( 192.0.2.1\n"
      "        192.0.2.2 )\n",
      diags);
  REQUIRE(zone.records.size() == 2);
  CHECK(zone.records[0].where.line == 2);
  CHECK(zone.records[1].where.line == 5);
  CHECK(zone.records[1].rdata == bytes({3, 'o', 'n', 'e', 3, 't', 'w', 'o'}));
  REQUIRE(diags.items().size() == 1);
  CHECK(diags.items()[0].line == 8);
  CHECK(diags.items()[0].column == 9);
  CHECK(diags.items()[0].message == "unexpected '192.0.2.2' after the data of the A record");
}

TEST_CASE("parser: the first $ORIGIN names the zone; without one the file name does") {
  base::DiagnosticList diags;
  ZoneParseOptions options;
  options.origin = name("from-file-name.");
  auto zone = parse_zone_text("$ORIGIN example.org.\n$TTL 60\n@ A 192.0.2.1\n", "x.zone", options, diags);
  CHECK(*zone.origin == name("example.org."));
  zone = parse_zone_text("$TTL 60\n@ A 192.0.2.1\n$ORIGIN example.org.\n", "x.zone", options, diags);
  CHECK(*zone.origin == name("from-file-name."));
  CHECK(diags.empty());
  CHECK(origin_from_file_name("zones/example.com.zone") == name("example.com."));
  CHECK(origin_from_file_name("zones/example.com..zone") == name("example.com."));
  CHECK_FALSE(origin_from_file_name("zones/example.com.txt"));
  CHECK_FALSE(origin_from_file_name("zones/a..b.zone"));
}

TEST_CASE("parser: default TTL falls back to the SOA minimum with one warning") {
  base::DiagnosticList diags;
  const auto zone = parse("@ SOA ns1 hostmaster 1 2 3 4 900\n@ NS ns1\nwww A 192.0.2.1\n", diags);
  REQUIRE(zone.records.size() == 3);
  CHECK(zone.records[0].ttl == 900);
  CHECK(zone.records[2].ttl == 900);
  REQUIRE(diags.items().size() == 1);
  CHECK(diags.items()[0].severity == base::Severity::warning);
  CHECK(diags.items()[0].line == 1);

  base::DiagnosticList diags2;
  parse("www A 192.0.2.1\n", diags2);
  REQUIRE(diags2.items().size() == 1);
  CHECK(diags2.items()[0].message == "record has no TTL and no $TTL or SOA precedes it");
}

TEST_CASE("parser: every syntax error is reported with its line and column, and the rest still loads") {
  base::DiagnosticList diags;
  const auto zone = parse(
      "$TTL 300\n"
      "a A 192.0.2\n"                // 2
      "b AAAA 2001:db8::g\n"         // 3
      "c FROB 1\n"                   // 4
      "d MX 70000 mail\n"            // 5
      "e CH A 192.0.2.1\n"           // 6
      "f..g A 192.0.2.1\n"           // 7
      "h A\n"                        // 8
      "i 99999999999 A 192.0.2.1\n"  // 9
      "j NS a..b\n"                  // 10
      "$FOO bar\n"                   // 11
      "k ANY 192.0.2.1\n"            // 12
      "ok A 192.0.2.9\n",            // 13
      diags);
  REQUIRE(zone.records.size() == 1);
  CHECK(zone.records[0].where.line == 13);
  const std::string all = messages(diags);
  CHECK(all ==
        "test.zone:2:5: error: invalid IPv4 address '192.0.2' in A record\n"
        "test.zone:3:8: error: invalid IPv6 address '2001:db8::g' in AAAA record\n"
        "test.zone:4:3: error: unknown RR type 'FROB'\n"
        "test.zone:5:6: error: invalid number (0-65535) '70000' in MX record\n"
        "test.zone:6:3: error: class 'CH' is not supported; only IN\n"
        "test.zone:7:1: error: invalid owner name 'f..g'\n"
        "test.zone:8:5: error: missing IPv4 address in A record\n"
        "test.zone:9:3: error: invalid TTL '99999999999'\n"
        "test.zone:10:6: error: invalid domain name 'a..b' in NS record\n"
        "test.zone:11:1: error: unknown directive '$FOO'\n"
        "test.zone:12:3: error: class 'ANY' is not supported; only IN\n");
}

TEST_CASE("parser: RFC 3597 RDATA of a known type must have that type's format") {
  base::DiagnosticList diags;
  const auto zone = parse(
      "$TTL 1\n"
      "a A \\# 4 c0000201\n"
      "b NS \\# 3 abcdef\n"
      "c NS \\# 2 c000\n"
      "d TYPE65534 \\# 2 c000\n",
      diags);
  REQUIRE(zone.records.size() == 2);
  CHECK(zone.records[1].rdata == bytes({0xc0, 0}));
  CHECK(messages(diags) ==
        "test.zone:3:6: error: RDATA in \\# form is not valid NS data (RFC 3597 §5): Label length overflow\n"
        "test.zone:4:6: error: RDATA in \\# form is not valid NS data (RFC 3597 §5): Invalid compression "
        "pointer\n");
}

TEST_CASE("parser: a broken owner's continuation lines are not reported again") {
  base::DiagnosticList diags;
  const auto zone = parse("$TTL 1\nbad..name A 192.0.2.1\n  A 192.0.2.2\n", diags);
  CHECK(zone.records.empty());
  CHECK(diags.items().size() == 1);
}

TEST_CASE("parser: $INCLUDE reads below the include root with its own origin") {
  TempDir dir;
  dir.write("inc/hosts.zone-fragment", "www A 192.0.2.1\n$ORIGIN elsewhere.example.\nx A 192.0.2.2\n");
  dir.write("inc/sub.zone-fragment", "@ A 192.0.2.3\n");
  base::DiagnosticList diags;
  const auto zone = parse(
      "$TTL 60\n"
      "$INCLUDE inc/hosts.zone-fragment\n"
      "after A 192.0.2.4\n"
      "$INCLUDE \"inc/sub.zone-fragment\" sub\n",
      diags, dir.path);
  CHECK_MESSAGE(diags.empty(), messages(diags));
  REQUIRE(zone.records.size() == 4);
  CHECK(zone.records[0].owner == name("www.example.com."));
  CHECK(*zone.records[0].where.file == (dir.path / "inc/hosts.zone-fragment").string());
  CHECK(zone.records[0].where.line == 1);
  CHECK(zone.records[1].owner == name("x.elsewhere.example."));
  CHECK(zone.records[1].where.line == 3);
  // The include's $ORIGIN does not leak back into the including file.
  CHECK(zone.records[2].owner == name("after.example.com."));
  CHECK(*zone.records[2].where.file == "test.zone");
  CHECK(zone.records[3].owner == name("sub.example.com."));
  CHECK(zone.records[3].ttl == 60);
}

TEST_CASE("parser: $INCLUDE refuses absolute paths, escapes, cycles and deep nesting") {
  TempDir dir;
  TempDir outside;
  outside.write("secret", "x A 192.0.2.1\n");
  fs::create_directory_symlink(outside.path, dir.path / "link");
  dir.write("a.inc", "$INCLUDE b.inc\n");
  dir.write("b.inc", "$INCLUDE a.inc\n");
  for (int i = 0; i < 12; ++i) {
    dir.write("d" + std::to_string(i) + ".inc", "$INCLUDE d" + std::to_string(i + 1) + ".inc\n");
  }
  dir.write("d12.inc", "deep A 192.0.2.1\n");

  SUBCASE("absolute") {
    base::DiagnosticList diags;
    parse("$INCLUDE /etc/passwd\n", diags, dir.path);
    REQUIRE(diags.items().size() == 1);
    CHECK(diags.items()[0].message == "$INCLUDE file '/etc/passwd' must be a path relative to the zones directory");
    CHECK(diags.items()[0].column == 10);
  }
  SUBCASE("dot-dot and symlink escapes") {
    base::DiagnosticList diags;
    parse("$INCLUDE ../x\n$INCLUDE link/secret\n$INCLUDE missing.inc\n", diags, dir.path);
    REQUIRE(diags.items().size() == 3);
    CHECK(diags.items()[0].message.find("is outside the zones directory") != std::string::npos);
    CHECK(diags.items()[1].message.find("is outside the zones directory") != std::string::npos);
    CHECK(diags.items()[1].line == 2);
    CHECK(diags.items()[2].message.find("No such file") != std::string::npos);
  }
  SUBCASE("cycle") {
    base::DiagnosticList diags;
    parse("$INCLUDE a.inc\n", diags, dir.path);
    REQUIRE(diags.items().size() == 1);
    CHECK(diags.items()[0].file == (dir.path / "b.inc").string());
    CHECK(diags.items()[0].message == "$INCLUDE cycle: a.inc -> b.inc -> a.inc");
  }
  SUBCASE("depth") {
    base::DiagnosticList diags;
    const auto zone = parse("$TTL 1\n$INCLUDE d0.inc\n", diags, dir.path);
    CHECK(zone.records.empty());
    REQUIRE(diags.items().size() == 1);
    CHECK(diags.items()[0].file == (dir.path / "d9.inc").string());
    CHECK(diags.items()[0].message == "$INCLUDE nested more than 10 levels deep");
  }
}

TEST_CASE("parser: a zone file on disk") {
  TempDir dir;
  dir.write("example.com.zone", std::string("$TTL 300\n") + soa_ns + "ns1 A 192.0.2.53\n");
  base::DiagnosticList diags;
  ZoneParseOptions options;
  options.include_root = dir.path;
  options.origin = origin_from_file_name(dir.path / "example.com.zone");
  const auto zone = parse_zone_file(dir.path / "example.com.zone", options, diags);
  CHECK(diags.empty());
  CHECK(zone.records.size() == 3);
  CHECK(zone.records[2].where.line == 4);

  base::DiagnosticList missing;
  parse_zone_file(dir.path / "nope.zone", options, missing);
  REQUIRE(missing.items().size() == 1);
  CHECK(missing.items()[0].message == "cannot read zone file: No such file or directory");
}

// Our RDATA must be what ldns itself puts on the wire after the RR header.
TEST_CASE("parser: RDATA equals ldns_rr2wire's for a sample of types") {
  const char* lines[] = {
      "a.example.com. 300 IN A 192.0.2.1",
      "a.example.com. 300 IN AAAA 2001:db8::1",
      "a.example.com. 300 IN NS ns1.example.net.",
      "a.example.com. 300 IN CNAME Target.Example.NET.",
      "a.example.com. 300 IN SOA ns1.example.com. host\\.master.example.com. 2026112301 7200 3600 1209600 300",
      "a.example.com. 300 IN MX 10 mail.example.com.",
      "a.example.com. 300 IN TXT \"v=spf1 -all\" \"second string\" third \"\\\"quoted\\\" \\065\"",
      "a.example.com. 300 IN SRV 10 60 5060 sip.example.com.",
      "a.example.com. 300 IN CAA 0 issue \"ca.example.net\"",
      "a.example.com. 300 IN DS 60485 5 1 2BB183AF5F22588179A53B0A98631FAD1A292118",
      "a.example.com. 300 IN PTR host.example.com.",
      "a.example.com. 300 IN NAPTR 100 10 \"U\" \"E2U+sip\" \"!^.*$!sip:info@example.com!\" .",
      "a.example.com. 300 IN TYPE65534 \\# 3 abcdef",
      "a.example.com. 300 IN SSHFP 1 1 dd465c09cfa51fb45020cc83316fff21b9ec74ac",
      "a.example.com. 300 IN HINFO \"PC\" \"Linux\"",
      "a.example.com. 300 IN DNAME other.example.net.",
      "a.example.com. 300 IN TLSA 3 1 1 0c72ac70b745ac19998811b131d662c9ac69dbdbe7cb23e5b514b56664c5d3d6",
      "a.example.com. 300 IN A \\# 4 c0000201",
  };
  const auto origin = make_ldns_name(name("example.com."));
  for (const char* line : lines) {
    CAPTURE(line);
    base::DiagnosticList diags;
    const auto zone = parse(line, diags);
    REQUIRE_MESSAGE(diags.empty(), messages(diags));
    REQUIRE(zone.records.size() == 1);

    ldns_rr* rr = nullptr;
    REQUIRE(ldns_rr_new_frm_str(&rr, line, 0, origin.get(), nullptr) == LDNS_STATUS_OK);
    std::uint8_t* wire = nullptr;
    std::size_t size = 0;
    REQUIRE(ldns_rr2wire(&wire, rr, LDNS_SECTION_ANSWER, &size) == LDNS_STATUS_OK);
    const std::size_t header = ldns_rdf_size(ldns_rr_owner(rr)) + 10;  // owner, type, class, TTL, RDLENGTH
    REQUIRE(size >= header);
    CHECK(zone.records[0].type == ldns_rr_get_type(rr));
    CHECK(zone.records[0].rdata == std::vector<std::uint8_t>(wire + header, wire + size));
    CHECK(zone.records[0].owner.wire() ==
          std::string(reinterpret_cast<const char*>(wire), ldns_rdf_size(ldns_rr_owner(rr))));
    std::free(wire);
    ldns_rr_free(rr);
  }
}

// The whole parser (tokenizer, directives, owner inheritance, fast path and
// ldns path) against ldns' own zone reader on a file it can read (no
// $INCLUDE): the same records, TTLs and RDATA bytes.
TEST_CASE("parser: a whole zone reads as ldns_zone_new_frm_fp reads it") {
  const std::string text =
      "$ORIGIN example.com.\n"
      "$TTL 1h\n"
      "@ IN SOA ns1 hostmaster.example.com. ( 2026112301 ; serial\n"
      "        7200 3600 1209600\n"
      "        300 )\n"
      "  IN NS ns1 ; owner inherited\n"
      "  IN NS ns2.example.net.\n"
      "  MX 10 mail\n"
      "  MX 20 @\n"
      "ns1 300 IN A 192.0.2.53\n"
      "Mixed.Case 60 IN AAAA 2001:DB8::53\n"
      "  120 IN TXT \"one string\" two \"\\065\\066\"\n"
      "$TTL 600\n"
      "srv._tcp SRV 10 20 5060 sip\n"
      "esc\\.aped PTR host\\.with\\.dots.example.net.\n"
      "* A 192.0.2.99\n"
      "$ORIGIN sub.example.com.\n"
      "www CNAME @\n"
      "caa CAA 0 issue \"ca.example.net\"\n"
      "ds DS 60485 5 1 ( 2BB183AF5F22588179A53B0A\n"
      "                  98631FAD1A292118 )\n"
      "naptr NAPTR 100 10 \"U\" \"E2U+sip\" \"!^.*$!sip:info@example.com!\" .\n"
      "unknown TYPE65534 \\# 3 ABCDEF\n"
      "loc LOC 52 22 23.000 N 4 53 32.000 E -2.00m 0.00m 10000m 10m\n"
      "sshfp SSHFP 1 1 dd465c09cfa51fb45020cc83316fff21b9ec74ac\n";

  base::DiagnosticList diags;
  const auto zone = parse(text, diags);
  REQUIRE_MESSAGE(diags.empty(), messages(diags));

  TempDir dir;
  dir.write("z.zone", text);
  FILE* fp = std::fopen((dir.path / "z.zone").c_str(), "r");
  REQUIRE(fp != nullptr);
  ldns_zone* lz = nullptr;
  int line = 0;
  const auto origin = make_ldns_name(name("example.com."));
  const ldns_status status = ldns_zone_new_frm_fp_l(&lz, fp, origin.get(), 3600, LDNS_RR_CLASS_IN, &line);
  std::fclose(fp);
  const std::string why = std::string(ldns_get_errorstr_by_id(status)) + " at line " + std::to_string(line);
  REQUIRE_MESSAGE(status == LDNS_STATUS_OK, why);

  using Row = std::tuple<std::string, std::uint16_t, std::uint32_t, std::vector<std::uint8_t>>;
  std::vector<Row> theirs;
  auto add = [&](const ldns_rr* rr) {
    const ldns_rdf* owner = ldns_rr_owner(rr);
    const std::string wire(reinterpret_cast<const char*>(ldns_rdf_data(owner)), ldns_rdf_size(owner));
    std::vector<std::uint8_t> rdata;
    append_ldns_rdata(rr, rdata);
    theirs.emplace_back(Name::from_wire(wire).canonical_key(), ldns_rr_get_type(rr), ldns_rr_ttl(rr), rdata);
  };
  add(ldns_zone_soa(lz));
  for (std::size_t i = 0; i < ldns_zone_rr_count(lz); ++i) add(ldns_rr_list_rr(ldns_zone_rrs(lz), i));
  ldns_zone_deep_free(lz);

  std::vector<Row> ours;
  for (const auto& r : zone.records) ours.emplace_back(r.owner.canonical_key(), r.type, r.ttl, r.rdata);
  REQUIRE(ours.size() == 18);
  std::sort(ours.begin(), ours.end());
  std::sort(theirs.begin(), theirs.end());
  CHECK(ours == theirs);
}

}  // namespace
}  // namespace gslb::dns
