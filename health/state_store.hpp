// StateStore: health state and operator overrides kept in SQLite, so that a
// restart resumes from the last known state instead of flapping (pitfall 5).
//
// Schema (version kSchemaVersion, table schema_version holds the number):
//   check_state(check_key PK, state 'up'|'down', since_ms, updated_ms, rtt_us, detail)
//     one row per probe stream, keyed by Scheduler's check key
//     "<address>|<CheckSpec::canonical()>", so a changed check does not inherit
//     the old one's state;
//   override(target_id PK, forced 'up'|'down'|'drain', reason, set_ms);
//   weight_override(target_id PK, weight >= 0, set_ms)  (since version 2)
//     an operator-set weight replacing the configured one (the regional LB's
//     admin API), keyed by target id like override.
// Migrations run in order at open, each in its own transaction; a database
// from a newer gslb is refused rather than guessed at.
//
// Writes never block the caller on disk (pitfall 10): save_*() append to an
// in-memory queue under a mutex and return; one writer thread owned by the
// store drains the queue, writing everything queued so far in ONE
// transaction, so records handed over in one save_checks() call land
// together or not at all. WAL journal with synchronous=NORMAL: a crash of the
// process loses nothing committed; a power cut may lose the last commits but
// never leaves a half-written transaction.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <variant>
#include <vector>

#include "health/overrides.hpp"
#include "health/state_machine.hpp"

struct sqlite3;

namespace gslb::health {

struct CheckRecord {
  std::string check_key;
  State state = State::unknown;                   // up or down (unknown is never stored)
  std::chrono::system_clock::time_point since;    // when the state last changed
  std::chrono::system_clock::time_point updated;  // when this record was written by the scheduler
  std::optional<std::chrono::microseconds> rtt;
  std::string detail;

  friend bool operator==(const CheckRecord&, const CheckRecord&) = default;
};

struct OverrideRecord {
  std::string target_id;
  Override value;  // forced == none means "delete"

  friend bool operator==(const OverrideRecord&, const OverrideRecord&) = default;
};

struct WeightRecord {
  std::string target_id;
  std::optional<int> weight;  // nullopt means "delete" (back to the configured weight)
  std::chrono::system_clock::time_point set_at;

  friend bool operator==(const WeightRecord&, const WeightRecord&) = default;
};

class StateStore {
 public:
  static constexpr int kSchemaVersion = 2;

  // Opens (creating if needed) and migrates the database at `path`, and starts
  // the writer thread. On failure returns nullptr and sets `error` to a message
  // naming the file and the failing step. Control plane.
  static std::unique_ptr<StateStore> open(const std::filesystem::path& path, std::string& error);

  // Writes everything still queued, then stops the writer and closes.
  ~StateStore();
  StateStore(const StateStore&) = delete;
  StateStore& operator=(const StateStore&) = delete;

  // Any thread; read the committed rows (queued writes are not seen until
  // flush()). Meant for startup.
  std::vector<CheckRecord> load_checks();
  std::vector<OverrideRecord> load_overrides();
  std::vector<WeightRecord> load_weights();
  int schema_version();

  // Any thread; return at once. One call = one transaction (or part of a
  // larger one), never split.
  void save_checks(std::vector<CheckRecord> records);
  void save_check(CheckRecord record);
  void save_override(OverrideRecord record);
  void save_weight(WeightRecord record);
  // Deletes check rows last updated before `cutoff` (checks no longer
  // configured, or too old to restore). Queued like the writes.
  void forget_checks_before(std::chrono::system_clock::time_point cutoff);

  // Any thread; blocks until everything queued before the call is committed
  // (or failed). For shutdown and tests.
  void flush();

  std::uint64_t commits() const;
  // The last write failure ("" when none). Failed batches are logged and dropped.
  std::string last_error() const;

 private:
  struct ForgetBefore {
    std::chrono::system_clock::time_point cutoff;
  };
  using Op = std::variant<std::vector<CheckRecord>, OverrideRecord, WeightRecord, ForgetBefore>;

  explicit StateStore(sqlite3* db);
  void enqueue(Op op);
  void writer_loop();
  std::string write_batch(const std::vector<Op>& batch);

  sqlite3* db_;
  std::mutex db_mutex_;  // guards db_ use: the writer's transaction vs. loads

  mutable std::mutex queue_mutex_;  // guards everything below
  std::condition_variable queue_changed_;
  std::vector<Op> queue_;
  std::uint64_t enqueued_ = 0;  // ops ever queued
  std::uint64_t written_ = 0;   // ops ever taken and finished (committed or failed)
  std::uint64_t commits_ = 0;
  std::string last_error_;
  bool stopping_ = false;

  std::thread writer_;  // last: started after everything above exists
};

}  // namespace gslb::health
