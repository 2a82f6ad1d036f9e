#include "dns/zone_loader.hpp"

#include <doctest/doctest.h>
#include <stdlib.h>

#include <fstream>
#include <string>

#include "dns/zone_set.hpp"

namespace gslb::dns {
namespace {

namespace fs = std::filesystem;

struct ZonesDir {
  ZonesDir() {
    std::string templ = (fs::temp_directory_path() / "zone_loader_test.XXXXXX").string();
    path = mkdtemp(templ.data());
  }
  ~ZonesDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  void write(const std::string& name, const std::string& content) const {
    fs::create_directories((path / name).parent_path());
    std::ofstream(path / name) << content;
  }
  fs::path path;
};

std::string zone_text(int serial, const std::string& extra = "") {
  return "$TTL 300\n@ SOA ns1 hostmaster " + std::to_string(serial) +
         " 7200 3600 1209600 300\n@ NS ns1\nns1 A 192.0.2.53\n" + extra;
}

const Zone* find(const ZoneSet& set, const char* origin) {
  return set.find(Name::parse(origin)->canonical_key());
}

TEST_CASE("loader: every *.zone of the directory, origins from file names, fragments in subfolders ignored") {
  ZonesDir dir;
  dir.write("a.example.zone", zone_text(1, "$INCLUDE inc/hosts.zone-fragment\n"));
  dir.write("b.example.zone", zone_text(2));
  dir.write("inc/hosts.zone-fragment", "www A 192.0.2.1\n");
  dir.write("inc/nested.zone", zone_text(9));  // in a subfolder: not a zone
  dir.write("README.md", "not a zone\n");
  base::DiagnosticList diags;
  const auto set = load_zone_directory({dir.path, false}, diags);
  CHECK(diags.empty());
  REQUIRE(set->zones().size() == 2);
  REQUIRE(find(*set, "a.example.") != nullptr);
  CHECK(find(*set, "a.example.")->record_count() == 4);
  CHECK(find(*set, "b.example.")->serial() == 2);
  CHECK(find(*set, "www.a.example.") == find(*set, "a.example."));
}

TEST_CASE("loader: a broken zone keeps its previous version; a new broken zone is left out") {
  ZonesDir dir;
  dir.write("a.example.zone", zone_text(1));
  dir.write("b.example.zone", zone_text(1));
  base::DiagnosticList first_diags;
  const auto first = load_zone_directory({dir.path, true}, first_diags);
  REQUIRE(first->zones().size() == 2);
  const Zone* old_b = find(*first, "b.example.");

  dir.write("a.example.zone", zone_text(2));
  dir.write("b.example.zone", zone_text(2, "bad A 192.0.2\n"));
  dir.write("c.example.zone", zone_text(1, "www CNAME x\nwww A 192.0.2.1\n"));
  base::DiagnosticList diags;
  const auto second = load_zone_directory({dir.path, true}, diags, first.get());
  CHECK(diags.error_count() == 2);
  CHECK(diags.items()[0].file == (dir.path / "b.example.zone").string());
  CHECK(diags.items()[0].line == 5);
  REQUIRE(second->zones().size() == 2);
  CHECK(find(*second, "a.example.")->serial() == 2);
  CHECK(find(*second, "b.example.") == old_b);
  CHECK(find(*second, "c.example.") == nullptr);
}

TEST_CASE("loader: two files for one origin: the second is an error, the first serves") {
  ZonesDir dir;
  dir.write("a.example.zone", zone_text(1));
  dir.write("z.zone", "$ORIGIN a.example.\n" + zone_text(7));
  base::DiagnosticList diags;
  const auto set = load_zone_directory({dir.path, true}, diags);
  REQUIRE(diags.items().size() == 1);
  CHECK(diags.items()[0].format() == (dir.path / "z.zone").string() +
                                         ":1:1: error: zone a.example. is already loaded from " +
                                         (dir.path / "a.example.zone").string());
  REQUIRE(set->zones().size() == 1);
  CHECK(set->zones()[0]->serial() == 1);
}

TEST_CASE("loader: a zone whose file was removed is dropped; an unreadable directory keeps everything") {
  ZonesDir dir;
  dir.write("a.example.zone", zone_text(1));
  dir.write("b.example.zone", zone_text(1));
  base::DiagnosticList diags;
  const auto first = load_zone_directory({dir.path, true}, diags);
  fs::remove(dir.path / "b.example.zone");
  const auto second = load_zone_directory({dir.path, true}, diags, first.get());
  CHECK(second->zones().size() == 1);
  CHECK(diags.empty());

  const auto third = load_zone_directory({dir.path / "missing", true}, diags, first.get());
  CHECK(third->zones().size() == 2);
  CHECK(diags.has_errors());
}

TEST_CASE("loader: load_zone_file reports counts and origin for `gslb check`") {
  ZonesDir dir;
  dir.write("noorigin", "$TTL 1\nwww A 192.0.2.1\n");
  dir.write("w.example.zone", zone_text(3, "x 60 A 192.0.2.1\nx 61 A 192.0.2.2\n"));
  base::DiagnosticList diags;
  const auto bad = load_zone_file({dir.path / "noorigin", dir.path}, diags);
  CHECK_FALSE(bad.origin);
  CHECK(bad.zone == nullptr);
  CHECK(bad.errors >= 1);
  const auto ok = load_zone_file({dir.path / "w.example.zone", dir.path}, diags);
  REQUIRE(ok.zone != nullptr);
  CHECK(ok.errors == 0);
  CHECK(ok.warnings == 1);
  CHECK(ok.zone->serial() == 3);
}

TEST_CASE("loader: streamed records are checked and normalised as check_zone would, diagnostics in file order") {
  ZonesDir dir;
  // Line 5 onwards: a duplicate, an RRset with two TTLs, a mixed-case owner.
  dir.write("s.example.zone", zone_text(4,
                                        "X 60 A 192.0.2.1\n"
                                        "x 61 A 192.0.2.2\n"
                                        "x 62 A 192.0.2.1\n"
                                        "Mail.S.Example. CNAME x\n"
                                        "mail A 192.0.2.9\n"));
  base::DiagnosticList diags;
  const auto r = load_zone_file({dir.path / "s.example.zone", dir.path}, diags);
  std::string all;
  for (const auto& d : diags.items()) all += d.format() + "\n";
  const std::string file = (dir.path / "s.example.zone").string();
  CHECK(all == file +
                   ":5:1: warning: TTL 60 differs from TTL 61 of the last A record of this RRset (line 6); "
                   "the RRset gets 61 (RFC 2181 §5.2)\n" +
                   file + ":7:1: warning: duplicate A record ignored (same as line 5)\n" + file +
                   ":8:1: error: CNAME at Mail.S.Example. beside other data (A at line 9); a CNAME owner can have "
                   "no other records (RFC 1034 §3.6.2)\n");
  CHECK(r.zone == nullptr);

  dir.write("t.example.zone", zone_text(5,
                                        "X 60 A 192.0.2.1\n"
                                        "x 61 A 192.0.2.2\n"
                                        "x 62 A 192.0.2.1\n"));
  base::DiagnosticList diags2;
  const auto t = load_zone_file({dir.path / "t.example.zone", dir.path}, diags2);
  REQUIRE(t.zone != nullptr);
  CHECK(t.warnings == 2);
  int x_records = 0;
  for (const auto& rec : t.zone->records_for_transfer()) {
    if (rec.owner.equals(*Name::parse("x.t.example."))) {
      ++x_records;
      CHECK(rec.ttl == 61);
    }
  }
  CHECK(x_records == 2);
}

TEST_CASE("loader: syntax errors come first, then the checks' findings; the zone is not built") {
  ZonesDir dir;
  dir.write("e.example.zone", zone_text(6, "a CNAME b\na A 192.0.2.1\nbad A 300.1.1.1\n"));
  base::DiagnosticList diags;
  const auto r = load_zone_file({dir.path / "e.example.zone", dir.path}, diags);
  CHECK(r.zone == nullptr);
  REQUIRE(diags.items().size() == 2);
  CHECK(diags.items()[0].line == 7);
  CHECK(diags.items()[1].line == 5);
  CHECK(diags.items()[1].message.find("CNAME at a.e.example. beside other data") == 0);
}

}  // namespace
}  // namespace gslb::dns
