// Engine: the GSLB side of dns::DynamicAnswerSource. Holds, behind one
// base::Snapshot, the compiled policies of every loaded zone, an index from
// record owner (canonical wire key) to record, and each member's health as
// the query path needs it; the geo database comes from its own snapshot.
//
// Thread context: publish() on a control thread (policy load, health view
// change); answer() on any number of worker threads at once. Each worker
// thread keeps its own snapshot readers, RNG and scratch (thread_local,
// keyed by engine id), so a steady-state answer takes no lock, copies no
// shared_ptr and allocates nothing (the answer goes into the caller's buffer).
#pragma once

#include <array>
#include <atomic>
#include <bitset>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/siphash.hpp"
#include "base/snapshot.hpp"
#include "dns/dynamic_answer.hpp"
#include "geo/geo_db.hpp"
#include "gslb/compiled_policy.hpp"
#include "gslb/steering/health_filter.hpp"
#include "health/health_view.hpp"

namespace gslb::policy {

// Queries one record answered, sharded so that worker threads do not share a
// cache line (summed on read, for /metrics). Lives as long as the engine, so
// a count survives reloads that keep the record.
struct RecordCounter {
  static constexpr std::size_t kShards = 8;
  struct alignas(64) Shard {
    std::atomic<std::uint64_t> n{0};
  };
  std::array<Shard, kShards> shards;
  std::uint64_t total() const noexcept;
};

struct EngineState {
  struct Entry {
    std::string key;  // canonical wire owner
    std::uint16_t policy = 0;
    std::uint16_t record = 0;
    RecordCounter* answered = nullptr;  // owned by the Engine
    std::uint64_t hash = 0;             // owner_hash(key)
  };
  std::vector<CompiledPolicyPtr> policies;
  std::vector<std::vector<MemberHealth>> health;  // per policy, indexed like its members
  std::vector<Entry> index;                       // sorted by key
  // Open addressing over `index`, at most half full: position + 1, 0 = empty.
  // Every A/AAAA query inside a served zone asks find(), GSLB name or not,
  // so a miss must be cheap: one hash of the name and usually one probe.
  std::vector<std::uint32_t> table;
  std::bitset<256> lengths;  // key lengths present in `index`
  // Call after filling `index`.
  void build_table();
  const Entry* find(std::string_view key) const noexcept;
};

// A fast 64-bit hash of a canonical wire name (not keyed: the table holds
// only operator-written names; a query can probe it but never add to it).
std::uint64_t owner_hash(std::string_view key) noexcept;

class Engine final : public dns::DynamicAnswerSource {
 public:
  struct Options {
    std::optional<std::uint64_t> rng_seed;  // tests: reproducible weighted/all picks
    std::optional<base::SipKey> hash_key;   // default: random per process
  };

  // `geo` may be null (no database: geo steps see unknown locations); it must
  // outlive the engine.
  explicit Engine(const base::Snapshot<geo::GeoDb>* geo, Options options);
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Control thread. Replaces policies and health together. A member absent
  // from `view` (or a null view) is up and stable: unchecked members are up
  // unless an operator forces them down, which the view then says.
  void publish(std::vector<CompiledPolicyPtr> policies, const health::HealthView* view,
               std::chrono::steady_clock::time_point now);

  bool answer(std::string_view qname_key, std::uint16_t qtype, const dns::ClientInfo& client,
              dns::DynamicAnswer& out) const override;
  // The same, returning a copy (tests, tools); nullopt = declined.
  std::optional<dns::DynamicAnswer> answer(std::string_view qname_key, std::uint16_t qtype,
                                           const dns::ClientInfo& client) const;

  // Answers given while failing open (all down + answer_all, or panic).
  std::uint64_t fail_open_count() const noexcept { return fail_open_.load(std::memory_order_relaxed); }

  // `gslb explain`: the same pipeline with a trace, as text. Control thread.
  std::string explain(std::string_view qname_key, std::uint16_t qtype, const dns::ClientInfo& client) const;

  std::shared_ptr<const EngineState> state() const { return state_.load(); }

  // Queries answered per GSLB record ever published, by owner name
  // ("www.example.com."). Any thread.
  std::map<std::string, std::uint64_t> answered_counts() const;

 private:
  struct Worker;
  Worker& worker() const;

  const std::uint64_t id_;
  const base::Snapshot<geo::GeoDb>* geo_;
  Options options_;
  base::SipKey hash_key_;
  base::Snapshot<EngineState> state_;
  // Whether the published state has any GSLB record: lets the query path
  // skip the engine in one load for servers (or reloads) without policies.
  // Written only by publish(); on a line of its own, as fail_open_ is
  // written per answer during an outage.
  alignas(64) std::atomic<bool> any_records_{false};
  alignas(64) mutable std::atomic<std::uint64_t> fail_open_{0};
  mutable std::atomic<std::uint64_t> workers_{0};
  mutable std::mutex counters_mutex_;
  std::map<std::string, std::unique_ptr<RecordCounter>> counters_;  // by owner name; guarded, only grows
};

// MemberHealth for every member of `policy` from a health view.
std::vector<MemberHealth> index_health(const CompiledPolicy& policy, const health::HealthView* view,
                                       std::chrono::steady_clock::time_point now);

}  // namespace gslb::policy
