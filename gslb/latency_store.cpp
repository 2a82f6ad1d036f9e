#include "gslb/latency_store.hpp"

#include <sqlite3.h>

#include <chrono>
#include <set>

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

// Owns one prepared statement.
class Statement {
 public:
  Statement(sqlite3* db, const char* sql) {
    if (sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr) != SQLITE_OK) stmt_ = nullptr;
  }
  ~Statement() { sqlite3_finalize(stmt_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  bool ok() const { return stmt_ != nullptr; }
  sqlite3_stmt* get() const { return stmt_; }

 private:
  sqlite3_stmt* stmt_ = nullptr;
};

std::string exec(sqlite3* db, const char* sql) {
  char* message = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &message) == SQLITE_OK) return {};
  std::string error = message ? message : sqlite3_errmsg(db);
  sqlite3_free(message);
  return error;
}

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
  sqlite3_stmt* s = upsert.get();
  for (const LatencyRow& row : rows) {
    const std::string prefix = row.prefix.to_string();
    sqlite3_bind_text(s, 1, prefix.data(), static_cast<int>(prefix.size()), SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 2, row.region.data(), static_cast<int>(row.region.size()), SQLITE_TRANSIENT);
    sqlite3_bind_double(s, 3, row.rtt_ms);
    if (row.samples)
      sqlite3_bind_int64(s, 4, static_cast<std::int64_t>(*row.samples));
    else
      sqlite3_bind_null(s, 4);
    sqlite3_bind_int64(s, 5, now_ms);
    if (sqlite3_step(s) != SQLITE_DONE) return "writing " + prefix + " " + row.region + ": " + sqlite3_errmsg(db);
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
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
    if (count.ok() && sqlite3_step(count.get()) == SQLITE_ROW)
      summary.table_rows = static_cast<std::size_t>(sqlite3_column_int64(count.get(), 0));
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
    const int rc = sqlite3_step(exists.get());
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
  while ((rc = sqlite3_step(select.get())) == SQLITE_ROW) {
    const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(select.get(), 0));
    const auto* r = reinterpret_cast<const char*>(sqlite3_column_text(select.get(), 1));
    const double rtt = sqlite3_column_double(select.get(), 2);
    const std::string prefix_text = p ? p : "", region = r ? r : "";
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
