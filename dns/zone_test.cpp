#include "dns/zone.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "dns/rr_types.hpp"
#include "dns/test_zones.hpp"
#include "dns/zone_builder.hpp"
#include "dns/zone_data.hpp"
#include "dns/zone_set.hpp"

namespace gslb::dns {
namespace {

bool has_error_containing(const base::DiagnosticList& diags, const std::string& text) {
  for (const auto& d : diags.items())
    if (d.severity == base::Severity::error && d.message.find(text) != std::string::npos) return true;
  return false;
}

std::string key(const char* text) {
  return Name::parse(text)->canonical_key();
}

}  // namespace

TEST_CASE("zone build indexes names, empty non-terminals, cuts and serial") {
  base::DiagnosticList diags;
  auto zone = testing::zone_from_text("example.com.", testing::example_zone_lines(), &diags);
  REQUIRE(zone);
  CHECK_FALSE(diags.has_errors());
  const auto& z = static_cast<const ZoneData&>(*zone);
  CHECK(z.serial() == 2024010101u);
  CHECK(z.negative_ttl() == 300);
  CHECK(z.record_count() == testing::example_zone_lines().size());
  // a.b.c exists, so b.c and c are empty non-terminals.
  const auto ent = z.find(key("b.c.example.com."));
  REQUIRE(ent != no_node);
  CHECK(z.node(ent).rrsets_count == 0);
  CHECK(z.find(key("c.example.com.")) != no_node);
  CHECK(z.find(key("d.example.com.")) == no_node);
  // Wildcard parent flagged; the cut owns what is below it.
  CHECK((z.node(z.find(key("wild.example.com."))).flags & ZoneNode::wildcard_child) != 0);
  const auto deleg = z.find(key("deleg.example.com."));
  CHECK((z.node(deleg).flags & ZoneNode::delegation) != 0);
  CHECK(z.node(z.find(key("hidden.deleg.example.com."))).cut == deleg);
  CHECK(z.node(z.find(key("www.example.com."))).cut == no_node);
  CHECK(z.node(z.apex()).cut == no_node);  // apex NS is not a cut
}

TEST_CASE("zone build drops duplicate RRs and takes the smallest TTL of an RRset") {
  auto lines = testing::example_zone_lines();
  lines.push_back("www 300 IN A 192.0.2.10");  // duplicate
  lines.push_back("www 60 IN A 192.0.2.12");
  auto zone = testing::zone_from_text("example.com.", lines);
  REQUIRE(zone);
  const auto& z = static_cast<const ZoneData&>(*zone);
  const ZoneRRset* a = z.rrset(z.node(z.find(key("www.example.com."))), rr_type::a);
  REQUIRE(a != nullptr);
  CHECK(a->count == 3);
  CHECK(a->ttl == 60);
}

TEST_CASE("zone build reports semantic errors") {
  struct Row {
    std::vector<std::string> lines;
    const char* error;
  };
  const std::vector<Row> rows = {
      {{"@ 3600 IN NS ns1", "ns1 3600 IN A 192.0.2.1"}, "no SOA"},
      {{"@ 3600 IN SOA ns1 h 1 2 3 4 5", "@ 3600 IN SOA ns2 h 1 2 3 4 5"}, "more than one SOA"},
      {{"@ 3600 IN SOA ns1 h 1 2 3 4 5", "x 60 IN CNAME y", "x 60 IN A 192.0.2.1"}, "CNAME and other data"},
      {{"@ 3600 IN SOA ns1 h 1 2 3 4 5", "x 60 IN CNAME y", "x 60 IN CNAME z"}, "more than one CNAME"},
      {{"@ 3600 IN SOA ns1 h 1 2 3 4 5", "www.example.org. 60 IN A 192.0.2.1"}, "outside zone"},
  };
  for (const auto& row : rows) {
    CAPTURE(row.error);
    base::DiagnosticList diags;
    CHECK(testing::zone_from_text("example.com.", row.lines, &diags) == nullptr);
    CHECK(has_error_containing(diags, row.error));
  }
}

TEST_CASE("records_for_transfer returns every record, SOA first") {
  auto zone = testing::zone_from_text("example.com.", testing::example_zone_lines());
  REQUIRE(zone);
  const auto records = zone->records_for_transfer();
  REQUIRE(records.size() == zone->record_count());
  CHECK(records.front().type == rr_type::soa);
  std::size_t soas = 0;
  for (const auto& r : records) soas += r.type == rr_type::soa;
  CHECK(soas == 1);
  // The index round-trips: building from the transfer gives the same zone.
  base::DiagnosticList diags;
  auto again = Zone::build(zone->origin(), records, diags);
  REQUIRE(again);
  CHECK(again->record_count() == zone->record_count());
  CHECK(again->serial() == zone->serial());
}

TEST_CASE("ZoneSet finds the longest enclosing zone") {
  const auto set = testing::example_zone_set();
  CHECK(set->find(key("www.example.com."))->origin() == *Name::parse("example.com."));
  CHECK(set->find(key("example.com."))->origin() == *Name::parse("example.com."));
  CHECK(set->find(key("a.b.child.example.com."))->origin() == *Name::parse("child.example.com."));
  CHECK(set->find(key("child.example.com."))->origin() == *Name::parse("child.example.com."));
  CHECK(set->find(key("example.org.")) == nullptr);
  CHECK(set->find(key("com.")) == nullptr);
  CHECK(set->find(key("xexample.com.")) == nullptr);
  CHECK(set->find(std::string_view("\x00", 1)) == nullptr);
  const ZoneSet empty({});
  CHECK(empty.find(key("example.com.")) == nullptr);
}

}  // namespace gslb::dns

namespace gslb::dns {

TEST_CASE("ZoneBuilder: records added one by one; diagnostics carry file:line") {
  auto file = std::make_shared<const std::string>("zones/example.com.zone");
  base::DiagnosticList diags;
  ZoneBuilder builder(*Name::parse("example.com."));
  int line = 0;
  for (const auto& text : testing::example_zone_lines()) {
    Record r = testing::record_from_text(text, "example.com.");
    r.where = {file, ++line};
    builder.add(r, diags);
  }
  auto zone = builder.finish(diags);
  REQUIRE(zone);
  CHECK(zone->record_count() == testing::example_zone_lines().size());

  ZoneBuilder bad(*Name::parse("example.com."));
  base::DiagnosticList bad_diags;
  for (const char* text : {"@ 3600 IN SOA ns1 h 1 2 3 4 5", "x 60 IN CNAME y", "x 60 IN A 192.0.2.1",
                           "www.example.org. 60 IN A 192.0.2.1"}) {
    Record r = testing::record_from_text(text, "example.com.");
    r.where = {file, ++line};
    bad.add(r, bad_diags);
  }
  CHECK(bad.finish(bad_diags) == nullptr);
  REQUIRE(bad_diags.error_count() == 2);
  const auto& outside = bad_diags.items()[0];
  CHECK(outside.file == "zones/example.com.zone");
  CHECK(outside.line == line);  // the out-of-zone record, the last one added
  const auto& cname = bad_diags.items()[1];
  CHECK(cname.message.find("CNAME and other data at x.example.com.") != std::string::npos);
  CHECK(cname.file == "zones/example.com.zone");
  CHECK(cname.line > 0);
}

}  // namespace gslb::dns

TEST_CASE("name_hash reads a long key's tail as one shifted word, the same value as octet by octet") {
  // The definition: eight octets per multiply, the remaining ones little-endian.
  auto reference = [](const std::uint8_t* p, std::size_t n) {
    std::uint64_t h = 0x9e3779b97f4a7c15ull ^ n;
    for (; n >= 8; p += 8, n -= 8) {
      std::uint64_t w = 0;
      for (std::size_t i = 0; i < 8; ++i) w |= std::uint64_t{p[i]} << (8 * i);
      h = (h ^ w) * 0xff51afd7ed558ccdull;
      h ^= h >> 29;
    }
    if (n != 0) {
      std::uint64_t w = 0;
      for (std::size_t i = 0; i < n; ++i) w |= std::uint64_t{p[i]} << (8 * i);
      h = (h ^ w) * 0xff51afd7ed558ccdull;
    }
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ull;
    h ^= h >> 33;
    return static_cast<std::uint32_t>(h);
  };
  std::uint8_t key[64];
  for (std::size_t i = 0; i < sizeof key; ++i) key[i] = static_cast<std::uint8_t>(0x35 * i + 7);
  for (std::size_t n = 0; n <= sizeof key; ++n) REQUIRE(gslb::dns::name_hash(key, n) == reference(key, n));
}
