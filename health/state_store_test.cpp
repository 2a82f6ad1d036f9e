#include "health/state_store.hpp"

#include <doctest/doctest.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <set>
#include <thread>

using namespace gslb::health;
using std::chrono::milliseconds;

namespace {

struct TempDir {
  std::filesystem::path path;
  TempDir() {
    char pattern[] = "/tmp/gslb-health-store-XXXXXX";
    path = ::mkdtemp(pattern);
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path, ignored);
  }
};

std::chrono::system_clock::time_point at_ms(std::int64_t ms) {
  return std::chrono::system_clock::time_point(milliseconds(ms));
}

CheckRecord record(std::string key, State state, std::int64_t gen) {
  return CheckRecord{std::move(key),
                     state,
                     at_ms(1'700'000'000'000 + gen),
                     at_ms(1'700'000'100'000 + gen),
                     std::chrono::microseconds(1000 + gen),
                     "gen " + std::to_string(gen)};
}

std::unique_ptr<StateStore> open_store(const std::filesystem::path& path) {
  std::string error;
  auto store = StateStore::open(path, error);
  INFO(error);
  REQUIRE(store);
  return store;
}

// Runs one SQL statement on a separate connection (as another process would).
std::string sql_text(const std::filesystem::path& path, const char* sql) {
  sqlite3* db = nullptr;
  sqlite3_open(path.c_str(), &db);
  sqlite3_stmt* stmt = nullptr;
  std::string out;
  if (sqlite3_prepare_v2(db, sql, -1, &stmt, nullptr) == SQLITE_OK && sqlite3_step(stmt) == SQLITE_ROW) {
    const auto* t = sqlite3_column_text(stmt, 0);
    out = t ? reinterpret_cast<const char*>(t) : "";
  }
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return out;
}

}  // namespace

TEST_CASE("state store: write, reopen, restored state equals") {
  TempDir dir;
  const auto path = dir.path / "health.db";
  const std::vector<CheckRecord> written = {record("127.0.0.1|http a", State::up, 1),
                                            record("127.0.0.2|tcp b", State::down, 2)};
  CheckRecord no_rtt = record("::1|tcp c", State::up, 3);
  no_rtt.rtt.reset();
  const OverrideRecord drain{"eu/lb1", Override{Forced::drain, "maintenance window", at_ms(1'700'000'000'123)}};
  {
    auto store = open_store(path);
    store->save_checks(written);
    store->save_check(no_rtt);
    store->save_override(drain);
    store->save_override(OverrideRecord{"us/lb1", Override{Forced::down, "", at_ms(5)}});
    store->save_override(OverrideRecord{"us/lb1", Override{Forced::none, "", at_ms(6)}});  // lifted again
    store->save_check(record("127.0.0.1|http a", State::down, 4));  // later update of the same key wins
  }                                                                 // destructor drains the queue
  auto store = open_store(path);
  auto checks = store->load_checks();
  std::sort(checks.begin(), checks.end(), [](auto& a, auto& b) { return a.check_key < b.check_key; });
  REQUIRE(checks.size() == 3);
  CHECK(checks[0] == record("127.0.0.1|http a", State::down, 4));
  CHECK(checks[1] == written[1]);
  CHECK(checks[2] == no_rtt);
  auto overrides = store->load_overrides();
  REQUIRE(overrides.size() == 1);
  CHECK(overrides[0] == drain);
  CHECK(store->last_error().empty());
}

TEST_CASE("state store: schema version, WAL mode, newer schema refused") {
  TempDir dir;
  const auto path = dir.path / "health.db";
  {
    auto store = open_store(path);
    CHECK(store->schema_version() == StateStore::kSchemaVersion);
  }
  CHECK(sql_text(path, "PRAGMA journal_mode") == "wal");
  CHECK(sql_text(path, "SELECT version FROM schema_version") == std::to_string(StateStore::kSchemaVersion));
  CHECK(sql_text(path, "SELECT count(*) FROM schema_version") == "1");
  // Reopening an up-to-date database migrates nothing and keeps one version row.
  { open_store(path); }
  CHECK(sql_text(path, "SELECT count(*) FROM schema_version") == "1");

  sql_text(path, "UPDATE schema_version SET version = 99");
  std::string error;
  CHECK(StateStore::open(path, error) == nullptr);
  CHECK(error == path.string() + ": schema version 99 is newer than this gslb supports (" +
                     std::to_string(StateStore::kSchemaVersion) + ")");
}

TEST_CASE("state store: operator weights are saved, replaced, deleted and survive a reopen") {
  TempDir dir;
  const auto path = dir.path / "health.db";
  {
    auto store = open_store(path);
    store->save_weight(WeightRecord{"web/10.0.0.1:80", 7, at_ms(10)});
    store->save_weight(WeightRecord{"web/10.0.0.2:80", 3, at_ms(11)});
    store->save_weight(WeightRecord{"web/10.0.0.1:80", 9, at_ms(12)});             // replaces 7
    store->save_weight(WeightRecord{"web/10.0.0.2:80", std::nullopt, at_ms(13)});  // back to the configured one
    store->save_weight(WeightRecord{"web/10.0.0.3:80", 0, at_ms(14)});
  }
  auto store = open_store(path);
  auto weights = store->load_weights();
  std::sort(weights.begin(), weights.end(), [](auto& a, auto& b) { return a.target_id < b.target_id; });
  REQUIRE(weights.size() == 2);
  CHECK(weights[0] == WeightRecord{"web/10.0.0.1:80", 9, at_ms(12)});
  CHECK(weights[1] == WeightRecord{"web/10.0.0.3:80", 0, at_ms(14)});
  // A negative weight is refused by the schema: the batch fails and is reported.
  store->save_weight(WeightRecord{"web/10.0.0.4:80", -1, at_ms(15)});
  store->flush();
  CHECK(store->last_error().find("saving weight") != std::string::npos);
  CHECK(store->load_weights().size() == 2);
}

TEST_CASE("state store: a version 1 database is migrated to version 2 with its rows kept") {
  TempDir dir;
  const auto path = dir.path / "health.db";
  {
    // What gslb wrote before weight_override existed.
    sqlite3* db = nullptr;
    sqlite3_open(path.c_str(), &db);
    sqlite3_exec(db,
                 "CREATE TABLE schema_version(version INTEGER NOT NULL); INSERT INTO schema_version VALUES (1);"
                 "CREATE TABLE check_state(check_key TEXT PRIMARY KEY, state TEXT NOT NULL, since_ms INTEGER NOT NULL,"
                 " updated_ms INTEGER NOT NULL, rtt_us INTEGER, detail TEXT NOT NULL DEFAULT '');"
                 "CREATE TABLE override(target_id TEXT PRIMARY KEY, forced TEXT NOT NULL, reason TEXT NOT NULL "
                 "DEFAULT '', set_ms INTEGER NOT NULL);"
                 "INSERT INTO override VALUES ('eu/lb1', 'drain', 'old', 5);",
                 nullptr, nullptr, nullptr);
    sqlite3_close(db);
  }
  auto store = open_store(path);
  CHECK(store->schema_version() == 2);
  REQUIRE(store->load_overrides().size() == 1);
  CHECK(store->load_weights().empty());
  store->save_weight(WeightRecord{"eu/lb1", 4, at_ms(6)});
  store->flush();
  CHECK(store->load_weights().size() == 1);
}

TEST_CASE("state store: an unreadable file is a clear error") {
  TempDir dir;
  const auto path = dir.path / "not-a-db";
  {
    std::FILE* f = std::fopen(path.c_str(), "w");
    std::fputs("this is definitely not an SQLite database, but it is long enough to have a header........", f);
    std::fclose(f);
  }
  std::string error;
  CHECK(StateStore::open(path, error) == nullptr);
  CHECK(error.rfind(path.string() + ": ", 0) == 0);
  CHECK(error.find("not a database") != std::string::npos);
}

TEST_CASE("state store: writes do not wait for the disk, flush does") {
  TempDir dir;
  auto store = open_store(dir.path / "health.db");
  for (int i = 0; i < 200; ++i) store->save_check(record("k" + std::to_string(i % 20), State::up, i));
  store->flush();
  CHECK(store->load_checks().size() == 20);
  // Batching: 200 updates committed in far fewer transactions than updates.
  CHECK(store->commits() >= 1);
  CHECK(store->commits() <= 200);
}

TEST_CASE("state store: a killed writer leaves whole transactions only") {
  TempDir dir;
  const auto path = dir.path / "health.db";
  { open_store(path); }  // create the schema before forking
  constexpr int kRows = 50;

  const pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    // Child: write generation after generation, each as one save_checks() call
    // (one transaction), until killed. Never returns into doctest.
    std::string error;
    auto store = StateStore::open(path, error);
    if (!store) ::_exit(2);
    for (std::int64_t gen = 1; gen < 1'000'000; ++gen) {
      std::vector<CheckRecord> batch;
      for (int i = 0; i < kRows; ++i) batch.push_back(record("key" + std::to_string(i), State::up, gen));
      store->save_checks(std::move(batch));
      store->flush();
    }
    ::_exit(0);
  }
  // Parent: wait (bounded) until a few generations are committed, then SIGKILL
  // the child mid-stream.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < deadline) {
    const std::string max_gen = sql_text(path, "SELECT max(since_ms) - 1700000000000 FROM check_state");
    if (!max_gen.empty() && std::stoll(max_gen) >= 5) break;
    std::this_thread::sleep_for(milliseconds(5));
  }
  ::kill(child, SIGKILL);
  int status = 0;
  ::waitpid(child, &status, 0);
  REQUIRE(WIFSIGNALED(status));

  auto store = open_store(path);
  CHECK(sql_text(path, "PRAGMA integrity_check") == "ok");
  auto checks = store->load_checks();
  REQUIRE(checks.size() == kRows);
  std::set<std::chrono::system_clock::time_point> generations;
  for (const auto& r : checks) generations.insert(r.since);
  CHECK(generations.size() == 1);  // every row from the same (last committed) transaction
  CHECK(*generations.begin() >= at_ms(1'700'000'000'005));
}

TEST_CASE("state store: old check rows are forgotten, recent ones kept") {
  TempDir dir;
  auto store = open_store(dir.path / "health.db");
  CheckRecord old_row = record("old", State::up, 0);
  old_row.updated = at_ms(1000);
  CheckRecord new_row = record("new", State::down, 0);
  new_row.updated = at_ms(5000);
  store->save_checks({old_row, new_row});
  store->forget_checks_before(at_ms(2000));
  store->flush();
  auto checks = store->load_checks();
  REQUIRE(checks.size() == 1);
  CHECK(checks[0].check_key == "new");
}
