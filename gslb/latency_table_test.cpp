// LatencyTable (longest prefix match and its ECS scope), PolicyLatency (the
// per-policy region mapping) and the SQLite round trip of the state file.
#include "gslb/latency_table.hpp"

#include <doctest/doctest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <filesystem>

#include "gslb/latency_store.hpp"

namespace gslb::policy {
namespace {

base::Prefix prefix(const char* text) {
  return *base::Prefix::parse(text);
}
base::IpAddress ip(const char* text) {
  return *base::IpAddress::parse(text);
}

LatencyTablePtr sample_table() {
  LatencyTable::Builder b;
  b.add(prefix("10.0.0.0/8"), "eu-west", 30);
  b.add(prefix("10.1.0.0/16"), "us-east", 20);
  b.add(prefix("10.1.0.0/16"), "eu-west", 90);
  b.add(prefix("10.1.2.0/24"), "ap-south", 5);
  b.add(prefix("192.0.2.77/32"), "eu-west", 1);
  b.add(prefix("0.0.0.0/0"), "us-east", 200);
  b.add(prefix("2001:db8::/32"), "us-east", 40);
  b.add(prefix("2001:db8:100::/40"), "eu-west", 15);
  b.add(prefix("::/0"), "eu-west", 300);
  return std::move(b).build();
}

struct Expect {
  const char* address;
  int max_length;
  const char* row;  // expected row prefix, "" = none
  int scope;
};

TEST_CASE("latency table: longest prefix match, scope, source prefix limit") {
  const auto table = sample_table();
  CHECK(table->row_count() == 8);
  CHECK(table->entry_count() == 9);
  const Expect rows[] = {
      // Inside 10.1.2.0/24: the most specific row; nothing deeper, scope /24.
      {"10.1.2.3", 32, "10.1.2.0/24", 24},
      // In 10.1/16 beside the /24: the widest block around 10.1.3.4 without
      // a row boundary is 10.1.3.0/24 (10.1.2 and 10.1.3 part at bit 23).
      {"10.1.3.4", 32, "10.1.0.0/16", 24},
      {"10.1.128.1", 32, "10.1.0.0/16", 17},
      // In 10/8 beside 10.1/16: 10.0.0.0/16 (bit 16 differs from 10.1).
      {"10.0.9.9", 32, "10.0.0.0/8", 16},
      {"10.128.0.1", 32, "10.0.0.0/8", 9},
      // Outside 10/8: only the default row; 198 and 192 part at bit 5.
      {"198.51.100.1", 32, "0.0.0.0/0", 6},
      // Host row, full depth.
      {"192.0.2.77", 32, "192.0.2.77/32", 32},
      // An ECS client that revealed /16 of 10.1.2.0: the /24 row is not used
      // (it may be elsewhere in the /16); the /16 decides, scope /16.
      {"10.1.0.0", 16, "10.1.0.0/16", 16},
      {"10.1.0.0", 12, "10.0.0.0/8", 12},
      // Source prefix 0 (ECS opt-out): only the default row, scope 0.
      {"10.1.2.3", 0, "0.0.0.0/0", 0},
      // IPv6 and v4-mapped.
      {"2001:db8:100::1", 128, "2001:db8:100::/40", 40},
      {"2001:db8:200::1", 128, "2001:db8::/32", 39},
      {"2001:db9::1", 128, "::/0", 32},
      {"::ffff:10.1.2.3", 128, "10.1.2.0/24", 24},
  };
  for (const Expect& e : rows) {
    const std::string where = std::string(e.address) + " max /" + std::to_string(e.max_length);
    CAPTURE(where);
    const auto m = table->lookup(ip(e.address), e.max_length);
    REQUIRE(m.row >= 0);
    CHECK(table->prefix(m.row).to_string() == e.row);
    CHECK(int(m.matched_length) == table->prefix(m.row).length());
    CHECK(int(m.scope_length) == e.scope);
  }
  // A v4-mapped address built from raw bytes (as a dual-stack socket gives
  // it) matches the IPv4 rows too.
  std::array<std::uint8_t, 16> mapped{};
  mapped[10] = mapped[11] = 0xff;
  mapped[12] = 10, mapped[13] = 1, mapped[14] = 2, mapped[15] = 3;
  const auto m = table->lookup(base::IpAddress::v6(mapped), 128);
  REQUIRE(m.row >= 0);
  CHECK(table->prefix(m.row).to_string() == "10.1.2.0/24");
}

TEST_CASE("latency table: misses bound their scope too") {
  LatencyTable::Builder b;
  b.add(prefix("10.1.0.0/16"), "x", 1);
  b.add(prefix("2001:db8::/32"), "x", 1);
  const auto table = std::move(b).build();
  // 10.2.0.0 leaves the path to 10.1/16 at bit 14: "no row" holds for 10.2.0.0/15.
  auto m = table->lookup(ip("10.2.0.1"), 32);
  CHECK(m.row == -1);
  CHECK(int(m.scope_length) == 15);
  // 192.x differs from 10.x in the first bit.
  m = table->lookup(ip("192.0.2.1"), 32);
  CHECK(m.row == -1);
  CHECK(int(m.scope_length) == 1);
  // An empty family: no node below the root, scope 0.
  LatencyTable::Builder v4only;
  v4only.add(prefix("10.0.0.0/8"), "x", 1);
  m = std::move(v4only).build()->lookup(ip("2001:db8::1"), 128);
  CHECK(m.row == -1);
  CHECK(int(m.scope_length) == 0);
  // An empty table.
  CHECK(LatencyTable().lookup(ip("10.0.0.1"), 32).row == -1);
}

TEST_CASE("latency table: the first value of a (prefix, region) wins") {
  LatencyTable::Builder b;
  CHECK(b.add(prefix("10.0.0.0/8"), "x", 1));
  CHECK_FALSE(b.add(prefix("10.0.0.0/8"), "x", 2));
  const auto t = std::move(b).build();
  REQUIRE(t->entries(0).size() == 1);
  CHECK(t->entries(0)[0].rtt_ms == 1.0F);
}

TEST_CASE("policy latency: region names become the policy's ids, unknown ones are dropped and listed") {
  const auto table = sample_table();
  // Sorted like CompiledPolicy::region_names; "ap-south" is not defined here.
  const std::vector<std::string> regions = {"eu-west", "sa-east", "us-east"};
  const PolicyLatency pl(table, regions);
  CHECK_FALSE(pl.empty());
  const auto m = table->lookup(ip("10.1.9.9"), 32);
  REQUIRE(m.row >= 0);
  const auto row = pl.row(m.row);
  REQUIRE(row.size() == 2);
  CHECK(row[0].region == 0);  // eu-west, sorted by id
  CHECK(row[0].rtt_ms == 90.0F);
  CHECK(row[1].region == 2);  // us-east
  CHECK(row[1].rtt_ms == 20.0F);
  CHECK(pl.rtt(m.row, 2) == 20.0F);
  CHECK(pl.rtt(m.row, 1) < 0);
  // The /24 row names only ap-south: empty for this policy.
  const auto m24 = table->lookup(ip("10.1.2.3"), 32);
  CHECK(pl.row(m24.row).empty());
  REQUIRE(pl.unknown_names().size() == 1);
  CHECK(table->region_names()[pl.unknown_names()[0]] == "ap-south");
  CHECK(PolicyLatency(nullptr, regions).empty());
}

TEST_CASE("latency estimate: fibre speed both ways plus a base") {
  CHECK(estimated_rtt_ms(0) == kEstimateBaseMs);
  // 1000 km: 5 ms each way at 200 km/ms.
  CHECK(estimated_rtt_ms(1000) == doctest::Approx(10 + kEstimateBaseMs));
}

// A fresh state file path, removed (with its WAL files) at scope exit.
struct TempState {
  std::filesystem::path path =
      std::filesystem::temp_directory_path() / ("gslb-latency-test-" + std::to_string(::getpid()) + ".db");
  TempState() { remove(); }
  ~TempState() { remove(); }
  void remove() const {
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path.string() + suffix);
  }
};

std::vector<LatencyRow> rows_of(const std::string& csv) {
  base::DiagnosticList diags;
  auto rows = parse_latency_csv("prefix,region,rtt_ms,samples\n" + csv, "t.csv", diags);
  REQUIRE(diags.empty());
  return rows;
}

float rtt_at(const LatencyTable& t, const char* address, const std::string& region) {
  const auto m = t.lookup(ip(address), 128);
  if (m.row < 0) return -1;
  for (const auto& e : t.entries(m.row))
    if (t.region_names()[e.region_name] == region) return e.rtt_ms;
  return -1;
}

TEST_CASE("latency store: import, upsert, replace, load") {
  TempState state;
  base::DiagnosticList diags;
  // No file yet: an empty table, not an error, and no file created.
  auto table = load_latency_table(state.path, diags);
  REQUIRE(table);
  CHECK(table->empty());
  CHECK_FALSE(std::filesystem::exists(state.path));

  LatencyImportSummary summary;
  REQUIRE(import_latency(state.path, rows_of("10.0.0.0/8,a,10,5\n10.0.0.0/8,b,20,\n2001:db8::/32,a,30,\n"), false,
                         summary) == "");
  CHECK(summary.rows == 3);
  CHECK(summary.prefixes == 2);
  CHECK(summary.regions == 2);
  CHECK(summary.table_rows == 3);
  table = load_latency_table(state.path, diags);
  REQUIRE(table);
  CHECK(diags.empty());
  CHECK(table->row_count() == 2);
  CHECK(rtt_at(*table, "10.9.9.9", "b") == 20.0F);
  CHECK(rtt_at(*table, "2001:db8::1", "a") == 30.0F);

  // Upsert: one row updated, one added, the others kept.
  REQUIRE(import_latency(state.path, rows_of("10.0.0.0/8,b,25,\n192.0.2.0/24,a,7,\n"), false, summary) == "");
  CHECK(summary.table_rows == 4);
  table = load_latency_table(state.path, diags);
  REQUIRE(table);
  CHECK(rtt_at(*table, "10.9.9.9", "a") == 10.0F);
  CHECK(rtt_at(*table, "10.9.9.9", "b") == 25.0F);
  CHECK(rtt_at(*table, "192.0.2.1", "a") == 7.0F);

  // Replace: the table becomes exactly the new rows.
  REQUIRE(import_latency(state.path, rows_of("172.16.0.0/12,c,3,\n"), true, summary) == "");
  CHECK(summary.replaced);
  CHECK(summary.table_rows == 1);
  table = load_latency_table(state.path, diags);
  REQUIRE(table);
  CHECK(table->row_count() == 1);
  CHECK(rtt_at(*table, "10.9.9.9", "a") < 0);
  CHECK(rtt_at(*table, "172.16.1.1", "c") == 3.0F);
  CHECK(diags.empty());
}

TEST_CASE("latency store: a failing import changes nothing; a hand-broken row fails the load") {
  TempState state;
  LatencyImportSummary summary;
  REQUIRE(import_latency(state.path, rows_of("10.0.0.0/8,a,10,\n"), false, summary) == "");
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(state.path.c_str(), &db) == SQLITE_OK);
  // A trigger makes the second insert of the next import fail mid-transaction.
  REQUIRE(sqlite3_exec(db,
                       "CREATE TRIGGER no_z BEFORE INSERT ON latency WHEN NEW.region = 'z' "
                       "BEGIN SELECT RAISE(ABORT, 'region z refused'); END",
                       nullptr, nullptr, nullptr) == SQLITE_OK);
  const std::string error = import_latency(state.path, rows_of("11.0.0.0/8,a,1,\n12.0.0.0/8,z,1,\n"), true, summary);
  CHECK(error.find("region z refused") != std::string::npos);
  CHECK(error.find("nothing imported") != std::string::npos);
  base::DiagnosticList diags;
  auto table = load_latency_table(state.path, diags);
  REQUIRE(table);
  // --replace's DELETE and the first insert were rolled back with the rest.
  CHECK(table->row_count() == 1);
  CHECK(rtt_at(*table, "10.1.1.1", "a") == 10.0F);

  REQUIRE(sqlite3_exec(db, "INSERT INTO latency VALUES ('10.1.2.3/8', 'a', 1, NULL, 0)", nullptr, nullptr, nullptr) ==
          SQLITE_OK);
  sqlite3_close(db);
  table = load_latency_table(state.path, diags);
  CHECK(table == nullptr);
  REQUIRE(diags.error_count() == 1);
  CHECK(diags.items()[0].message.find("bad prefix '10.1.2.3/8'") != std::string::npos);
}

}  // namespace
}  // namespace gslb::policy
