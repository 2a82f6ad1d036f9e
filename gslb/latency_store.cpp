#include "gslb/latency_store.hpp"

#include <sqlite3.h>

#include <chrono>
#include <set>

#include "health/sqlite_util.hpp"

namespace gslb::policy {

namespace {

constexpr const char* kCreateTable =
    "CREATE TABLE IF NOT EXISTS latency("
    "  prefix TEXT NOT NULL,"
    "  region TEXT NOT NULL,"
    "  rtt_ms REAL NOT NULL CHECK (rtt_ms >= 0),"
    "  samples INTEGER,"
    "  imported_ms INTEGER NOT NULL,"
    "  PRIMARY KEY (prefix, region)) WITHOUT ROWID";

// Owns one connection.
class Db {
 public:
  ~Db() { sqlite3_close(db_); }
  sqlite3* get() const { return db_; }
  sqlite3** out() { return &db_; }
  std::string error() const { return db_ ? sqlite3_errmsg(db_) : "out of memory"; }

 private:
  sqlite3* db_ = nullptr;
};

using health::sqlite::exec;
using health::sqlite::Statement;

std::string write_rows(sqlite3* db, const std::vector<LatencyRow>& rows, bool replace) {
  if (auto e = exec(db, kCreateTable); !e.empty()) return "creating table latency: " + e;
  if (replace) {
    if (auto e = exec(db, "DELETE FROM latency"); !e.empty()) return "clearing table latency: " + e;
  }
  Statement upsert(db,
                   "INSERT INTO latency(prefix, region, rtt_ms, samples, imported_ms) VALUES (?1, ?2, ?3, ?4, ?5) "
                   "ON CONFLICT(prefix, region) DO UPDATE SET rtt_ms = excluded.rtt_ms, samples = excluded.samples, "
                   "imported_ms = excluded.imported_ms");
  if (!upsert.ok()) return std::string("preparing insert: ") + sqlite3_errmsg(db);
  const std::int64_t now_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count();
  for (const LatencyRow& row : rows) {
    const std::string prefix = row.prefix.to_string();
    upsert.bind(1, prefix);
    upsert.bind(2, row.region);
    upsert.bind(3, row.rtt_ms);
    if (row.samples)
      upsert.bind(4, static_cast<std::int64_t>(*row.samples));
    else
      upsert.bind_null(4);
    upsert.bind(5, now_ms);
    if (upsert.step() != SQLITE_DONE) return "writing " + prefix + " " + row.region + ": " + sqlite3_errmsg(db);
    upsert.reset();
  }
  return {};
}

}  // namespace

std::string import_latency(const std::filesystem::path& state, const std::vector<LatencyRow>& rows, bool replace,
                           LatencyImportSummary& summary) {
  Db db;
  if (sqlite3_open_v2(state.c_str(), db.out(), SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) != SQLITE_OK)
    return state.string() + ": cannot open: " + db.error();
  // A running server's writer may hold the lock for a moment.
  sqlite3_busy_timeout(db.get(), 5000);
  // The same journal as the health state store (WAL; readers never block the
  // import and never see half of it).
  if (auto e = exec(db.get(), "PRAGMA journal_mode=WAL"); !e.empty()) return state.string() + ": " + e;
  // IMMEDIATE: take the write lock up front so a concurrent writer makes us
  // wait (busy timeout) instead of failing half-way through.
  if (auto e = exec(db.get(), "BEGIN IMMEDIATE"); !e.empty()) return state.string() + ": begin: " + e;
  std::string error = write_rows(db.get(), rows, replace);
  if (error.empty()) {
    Statement count(db.get(), "SELECT count(*) FROM latency");
    if (count.ok() && count.step() == SQLITE_ROW) summary.table_rows = static_cast<std::size_t>(count.column_int(0));
  }
  if (error.empty()) error = exec(db.get(), "COMMIT");
  if (!error.empty()) {
    exec(db.get(), "ROLLBACK");
    return state.string() + ": " + error + " (nothing imported)";
  }
  std::set<base::Prefix> prefixes;
  std::set<std::string> regions;
  for (const LatencyRow& row : rows) {
    prefixes.insert(row.prefix);
    regions.insert(row.region);
  }
  summary.rows = rows.size();
  summary.prefixes = prefixes.size();
  summary.regions = regions.size();
  summary.replaced = replace;
  return {};
}

LatencyTablePtr load_latency_table(const std::filesystem::path& state, base::DiagnosticList& diags) {
  const std::string file = state.string();
  std::error_code ec;
  if (!std::filesystem::exists(state, ec)) return std::make_shared<const LatencyTable>();
  Db db;
  // Read-write without CREATE: WAL readers need the -shm file, and we never
  // create a state file just to find it empty.
  if (sqlite3_open_v2(state.c_str(), db.out(), SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) {
    diags.error(file, 0, 0, "cannot open the state file: " + db.error());
    return nullptr;
  }
  sqlite3_busy_timeout(db.get(), 5000);
  {
    Statement exists(db.get(), "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'latency'");
    if (!exists.ok()) {
      diags.error(file, 0, 0, "not a readable SQLite state file: " + db.error());
      return nullptr;
    }
    const int rc = exists.step();
    if (rc == SQLITE_DONE) return std::make_shared<const LatencyTable>();
    if (rc != SQLITE_ROW) {
      diags.error(file, 0, 0, "not a readable SQLite state file: " + db.error());
      return nullptr;
    }
  }
  // One read transaction: a concurrent import is seen whole or not at all.
  Statement select(db.get(), "SELECT prefix, region, rtt_ms FROM latency");
  if (!select.ok()) {
    diags.error(file, 0, 0, "reading table latency: " + db.error());
    return nullptr;
  }
  LatencyTable::Builder builder;
  const std::size_t errors_before = diags.error_count();
  int rc = SQLITE_ROW;
  while ((rc = select.step()) == SQLITE_ROW) {
    const std::string prefix_text = select.column_text(0), region = select.column_text(1);
    const double rtt = select.column_double(2);
    std::string why;
    const auto prefix = base::Prefix::parse(prefix_text, &why);
    if (!prefix) {
      diags.error(file, 0, 0, "table latency: bad prefix '" + prefix_text + "': " + why);
    } else if (!valid_region_name(region)) {
      diags.error(file, 0, 0, "table latency: bad region name '" + region + "' for " + prefix_text);
    } else if (!(rtt >= 0 && rtt <= kMaxRttMs)) {
      diags.error(file, 0, 0, "table latency: bad rtt_ms for " + prefix_text + " " + region);
    } else {
      // Two spellings of one prefix could both be stored by hand; the first wins.
      builder.add(*prefix, region, rtt);
    }
    if (diags.error_count() - errors_before >= 20) break;  // enough to see what happened
  }
  if (rc != SQLITE_DONE && rc != SQLITE_ROW) diags.error(file, 0, 0, "reading table latency: " + db.error());
  if (diags.error_count() > errors_before) return nullptr;
  return std::move(builder).build();
}

}  // namespace gslb::policy
