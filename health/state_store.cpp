#include "health/state_store.hpp"

#include <sqlite3.h>

#include "base/log.hpp"
#include "health/sqlite_util.hpp"

namespace gslb::health {

namespace {

using sqlite::exec;
using sqlite::Statement;
using std::chrono::system_clock;

std::int64_t to_ms(system_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}
system_clock::time_point from_ms(std::int64_t ms) {
  return system_clock::time_point(std::chrono::milliseconds(ms));
}

// Each entry upgrades the schema from version i to i + 1. Never edit a
// released entry; append a new one and bump kSchemaVersion.
const char* const kMigrations[] = {
    // 0 -> 1
    "CREATE TABLE check_state("
    "  check_key TEXT PRIMARY KEY,"
    "  state TEXT NOT NULL CHECK (state IN ('up', 'down')),"
    "  since_ms INTEGER NOT NULL,"
    "  updated_ms INTEGER NOT NULL,"
    "  rtt_us INTEGER,"
    "  detail TEXT NOT NULL DEFAULT '');"
    "CREATE TABLE override("
    "  target_id TEXT PRIMARY KEY,"
    "  forced TEXT NOT NULL CHECK (forced IN ('up', 'down', 'drain')),"
    "  reason TEXT NOT NULL DEFAULT '',"
    "  set_ms INTEGER NOT NULL);",
    // 1 -> 2
    "CREATE TABLE weight_override("
    "  target_id TEXT PRIMARY KEY,"
    "  weight INTEGER NOT NULL CHECK (weight >= 0),"
    "  set_ms INTEGER NOT NULL);",
};
static_assert(std::size(kMigrations) == StateStore::kSchemaVersion);

int read_version(sqlite3* db) {
  Statement select(db, "SELECT version FROM schema_version");
  if (!select.ok() || select.step() != SQLITE_ROW) return -1;
  return static_cast<int>(select.column_int(0));
}

// Brings the schema to kSchemaVersion. Returns "" or an error message.
std::string migrate(sqlite3* db) {
  if (auto e = exec(db, "CREATE TABLE IF NOT EXISTS schema_version(version INTEGER NOT NULL)"); !e.empty()) return e;
  int version = read_version(db);
  if (version < 0) {
    if (auto e = exec(db, "INSERT INTO schema_version(version) VALUES (0)"); !e.empty()) return e;
    version = 0;
  }
  if (version > StateStore::kSchemaVersion)
    return "schema version " + std::to_string(version) + " is newer than this gslb supports (" +
           std::to_string(StateStore::kSchemaVersion) + ")";
  for (int v = version; v < StateStore::kSchemaVersion; ++v) {
    // One transaction per step: a crash mid-migration leaves the previous version intact.
    std::string sql = std::string("BEGIN IMMEDIATE;") + kMigrations[v] +
                      "UPDATE schema_version SET version = " + std::to_string(v + 1) + ";COMMIT;";
    if (auto e = exec(db, sql.c_str()); !e.empty()) {
      exec(db, "ROLLBACK");
      return "migration to version " + std::to_string(v + 1) + ": " + e;
    }
  }
  return {};
}

}  // namespace

std::unique_ptr<StateStore> StateStore::open(const std::filesystem::path& path, std::string& error) {
  sqlite3* db = nullptr;
  const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX;
  if (sqlite3_open_v2(path.c_str(), &db, flags, nullptr) != SQLITE_OK) {
    error = path.string() + ": cannot open: " + (db ? sqlite3_errmsg(db) : "out of memory");
    sqlite3_close(db);
    return nullptr;
  }
  sqlite3_busy_timeout(db, 5000);
  // WAL: readers never block the writer; synchronous=NORMAL is durable across
  // process crashes in WAL mode and keeps commits off fsync's critical path.
  for (const char* pragma : {"PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL"}) {
    if (auto e = exec(db, pragma); !e.empty()) {
      error = path.string() + ": " + pragma + ": " + e;
      sqlite3_close(db);
      return nullptr;
    }
  }
  if (auto e = migrate(db); !e.empty()) {
    error = path.string() + ": " + e;
    sqlite3_close(db);
    return nullptr;
  }
  return std::unique_ptr<StateStore>(new StateStore(db));
}

StateStore::StateStore(sqlite3* db) : db_(db) {
  writer_ = std::thread([this] { writer_loop(); });
}

StateStore::~StateStore() {
  {
    std::lock_guard lock(queue_mutex_);
    stopping_ = true;
  }
  queue_changed_.notify_all();
  writer_.join();
  sqlite3_close(db_);
}

int StateStore::schema_version() {
  std::lock_guard lock(db_mutex_);
  return read_version(db_);
}

std::vector<CheckRecord> StateStore::load_checks() {
  std::lock_guard lock(db_mutex_);
  std::vector<CheckRecord> out;
  Statement select(db_, "SELECT check_key, state, since_ms, updated_ms, rtt_us, detail FROM check_state");
  if (!select.ok()) return out;
  while (select.step() == SQLITE_ROW) {
    CheckRecord r;
    r.check_key = select.column_text(0);
    r.state = select.column_text(1) == "up" ? State::up : State::down;
    r.since = from_ms(select.column_int(2));
    r.updated = from_ms(select.column_int(3));
    if (!select.column_null(4)) r.rtt = std::chrono::microseconds(select.column_int(4));
    r.detail = select.column_text(5);
    out.push_back(std::move(r));
  }
  return out;
}

std::vector<OverrideRecord> StateStore::load_overrides() {
  std::lock_guard lock(db_mutex_);
  std::vector<OverrideRecord> out;
  Statement select(db_, "SELECT target_id, forced, reason, set_ms FROM override");
  if (!select.ok()) return out;
  while (select.step() == SQLITE_ROW) {
    OverrideRecord r;
    r.target_id = select.column_text(0);
    r.value.forced = parse_forced(select.column_text(1)).value_or(Forced::none);
    r.value.reason = select.column_text(2);
    r.value.set_at = from_ms(select.column_int(3));
    if (r.value.forced != Forced::none) out.push_back(std::move(r));
  }
  return out;
}

std::vector<WeightRecord> StateStore::load_weights() {
  std::lock_guard lock(db_mutex_);
  std::vector<WeightRecord> out;
  Statement select(db_, "SELECT target_id, weight, set_ms FROM weight_override");
  if (!select.ok()) return out;
  while (select.step() == SQLITE_ROW) {
    out.push_back(
        WeightRecord{select.column_text(0), static_cast<int>(select.column_int(1)), from_ms(select.column_int(2))});
  }
  return out;
}

void StateStore::save_checks(std::vector<CheckRecord> records) {
  if (!records.empty()) enqueue(std::move(records));
}
void StateStore::save_check(CheckRecord record) {
  enqueue(std::vector<CheckRecord>{std::move(record)});
}
void StateStore::save_override(OverrideRecord record) {
  enqueue(std::move(record));
}

void StateStore::save_weight(WeightRecord record) {
  enqueue(std::move(record));
}

void StateStore::forget_checks_before(std::chrono::system_clock::time_point cutoff) {
  enqueue(ForgetBefore{cutoff});
}

void StateStore::enqueue(Op op) {
  {
    std::lock_guard lock(queue_mutex_);
    queue_.push_back(std::move(op));
    ++enqueued_;
  }
  queue_changed_.notify_all();
}

void StateStore::flush() {
  std::unique_lock lock(queue_mutex_);
  const std::uint64_t target = enqueued_;
  queue_changed_.wait(lock, [&] { return written_ >= target; });
}

std::uint64_t StateStore::commits() const {
  std::lock_guard lock(queue_mutex_);
  return commits_;
}

std::string StateStore::last_error() const {
  std::lock_guard lock(queue_mutex_);
  return last_error_;
}

void StateStore::writer_loop() {
  std::unique_lock lock(queue_mutex_);
  for (;;) {
    queue_changed_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
    if (queue_.empty()) return;  // stopping, and everything is written
    std::vector<Op> batch;
    batch.swap(queue_);
    lock.unlock();
    std::string error = write_batch(batch);
    if (!error.empty())
      base::log_error("health", "state store: write failed, ", batch.size(), " updates lost: ", error);
    lock.lock();
    written_ += batch.size();
    if (error.empty()) {
      ++commits_;
    } else {
      last_error_ = std::move(error);
    }
    queue_changed_.notify_all();
  }
}

std::string StateStore::write_batch(const std::vector<Op>& batch) {
  std::lock_guard db_lock(db_mutex_);
  Statement upsert_check(db_,
                         "INSERT INTO check_state(check_key, state, since_ms, updated_ms, rtt_us, detail) "
                         "VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT(check_key) DO UPDATE SET "
                         "state = excluded.state, since_ms = excluded.since_ms, updated_ms = excluded.updated_ms, "
                         "rtt_us = excluded.rtt_us, detail = excluded.detail");
  Statement upsert_override(db_,
                            "INSERT INTO override(target_id, forced, reason, set_ms) VALUES (?1, ?2, ?3, ?4) "
                            "ON CONFLICT(target_id) DO UPDATE SET forced = excluded.forced, "
                            "reason = excluded.reason, set_ms = excluded.set_ms");
  Statement delete_override(db_, "DELETE FROM override WHERE target_id = ?1");
  Statement forget_checks(db_, "DELETE FROM check_state WHERE updated_ms < ?1");
  Statement upsert_weight(db_,
                          "INSERT INTO weight_override(target_id, weight, set_ms) VALUES (?1, ?2, ?3) "
                          "ON CONFLICT(target_id) DO UPDATE SET weight = excluded.weight, set_ms = excluded.set_ms");
  Statement delete_weight(db_, "DELETE FROM weight_override WHERE target_id = ?1");
  if (!upsert_check.ok() || !upsert_override.ok() || !delete_override.ok() || !forget_checks.ok() ||
      !upsert_weight.ok() || !delete_weight.ok())
    return sqlite3_errmsg(db_);

  if (auto e = exec(db_, "BEGIN IMMEDIATE"); !e.empty()) return e;
  auto fail = [&](const char* what) {
    std::string e = std::string(what) + ": " + sqlite3_errmsg(db_);
    exec(db_, "ROLLBACK");
    return e;
  };
  for (const Op& op : batch) {
    if (const auto* checks = std::get_if<std::vector<CheckRecord>>(&op)) {
      for (const CheckRecord& r : *checks) {
        if (r.state == State::unknown) continue;
        upsert_check.bind(1, r.check_key);
        upsert_check.bind(2, std::string(r.state == State::up ? "up" : "down"));
        upsert_check.bind(3, to_ms(r.since));
        upsert_check.bind(4, to_ms(r.updated));
        if (r.rtt) {
          upsert_check.bind(5, static_cast<std::int64_t>(r.rtt->count()));
        } else {
          upsert_check.bind_null(5);
        }
        upsert_check.bind(6, r.detail);
        if (upsert_check.step() != SQLITE_DONE) return fail("saving check state");
        upsert_check.reset();
      }
    } else if (const auto* forget = std::get_if<ForgetBefore>(&op)) {
      forget_checks.bind(1, to_ms(forget->cutoff));
      if (forget_checks.step() != SQLITE_DONE) return fail("forgetting old check states");
      forget_checks.reset();
    } else if (const auto* w = std::get_if<WeightRecord>(&op)) {
      if (!w->weight) {
        delete_weight.bind(1, w->target_id);
        if (delete_weight.step() != SQLITE_DONE) return fail("deleting weight");
        delete_weight.reset();
      } else {
        upsert_weight.bind(1, w->target_id);
        upsert_weight.bind(2, static_cast<std::int64_t>(*w->weight));
        upsert_weight.bind(3, to_ms(w->set_at));
        if (upsert_weight.step() != SQLITE_DONE) return fail("saving weight");
        upsert_weight.reset();
      }
    } else {
      const auto& r = std::get<OverrideRecord>(op);
      if (r.value.forced == Forced::none) {
        delete_override.bind(1, r.target_id);
        if (delete_override.step() != SQLITE_DONE) return fail("deleting override");
        delete_override.reset();
      } else {
        upsert_override.bind(1, r.target_id);
        upsert_override.bind(2, std::string(to_string(r.value.forced)));
        upsert_override.bind(3, r.value.reason);
        upsert_override.bind(4, to_ms(r.value.set_at));
        if (upsert_override.step() != SQLITE_DONE) return fail("saving override");
        upsert_override.reset();
      }
    }
  }
  if (auto e = exec(db_, "COMMIT"); !e.empty()) {
    exec(db_, "ROLLBACK");
    return "commit: " + e;
  }
  return {};
}

}  // namespace gslb::health
