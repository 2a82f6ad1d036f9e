// A backend pool as the balancers see it.
//
// PoolView is an immutable snapshot of one pool: every configured member in a
// stable order (indices never change while the config is the same), which of
// them may take new requests, their effective weights, and whatever the
// pool's algorithm precomputed (a hash ring). It is rebuilt — never edited —
// when health, drain state or weights change (STYLE.md habit 5), so a pick does
// no allocation, no string work and takes no lock.
//
// The only mutable per-backend data are the load counters (in-flight requests,
// latency EWMA): atomics in a BackendLoad shared by all workers and by every
// view of the pool, so least-connections sees the whole process's load.
//
// Pool owns the control-plane side: member states and weights, and the
// Snapshot through which views are published. Its setters may be called from
// any control thread (they serialise on an internal mutex); workers only read
// views through a Snapshot<PoolView>::Reader.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "base/siphash.hpp"
#include "base/snapshot.hpp"
#include "regional-lb/config.hpp"

namespace gslb::lb {

// Shared across workers; updated per request with relaxed atomics (a lost
// EWMA update under a race only delays convergence by one sample).
struct BackendLoad {
  // Upper bounds (µs) of the response-latency histogram buckets; the last
  // bucket counts everything above (Prometheus "+Inf").
  static constexpr std::array<std::uint32_t, 12> latency_bounds_us{
      1'000, 2'500, 5'000, 10'000, 25'000, 50'000, 100'000, 250'000, 500'000, 1'000'000, 2'500'000, 10'000'000};

  std::atomic<std::int32_t> in_flight{0};
  std::atomic<std::uint32_t> latency_ewma_us{0};  // 0 until the first sample
  std::atomic<std::uint64_t> responses{0};        // attempts that got a response header (metrics)
  std::atomic<std::uint64_t> failures{0};         // connect errors, timeouts, broken responses, 5xx (metrics)
  std::atomic<std::uint64_t> retries{0};          // attempts sent here after another attempt failed (metrics)
  std::atomic<std::uint64_t> ejections{0};        // passive-check ejections (metrics)
  // Time to response header: counts per bucket (not cumulative) and the sum.
  std::array<std::atomic<std::uint64_t>, latency_bounds_us.size() + 1> latency_buckets{};
  std::atomic<std::uint64_t> latency_sum_us{0};
};

enum class MemberState : std::uint8_t { up, down, draining };

// Algorithm-specific data prepared once per view (e.g. a consistent-hash ring).
class PreparedTable {
 public:
  virtual ~PreparedTable() = default;
};

class PoolView {
 public:
  struct Member {
    Endpoint address;
    int configured_weight = 1;
    int effective_weight = 1;  // configured × slow-start ramp; 0 excludes it
    MemberState state = MemberState::up;
    BackendLoad* load = nullptr;  // owned by the Pool's loads, kept alive by loads_ below
    std::string sticky_id;        // cookie value naming this member (sticky.hpp)
  };

  const std::string& name() const { return name_; }
  const std::vector<Member>& members() const { return members_; }
  // Indices of members that may take new requests (up, weight > 0), ascending.
  std::span<const std::uint32_t> available() const { return available_; }
  // cumulative_weights()[k] = sum of effective weights of available()[0..k].
  std::span<const std::uint64_t> cumulative_weights() const { return cumulative_; }
  std::uint64_t total_weight() const { return cumulative_.empty() ? 0 : cumulative_.back(); }
  // Like cumulative_weights() but over every member with its configured weight,
  // whatever its state (for algorithms that must not remap when health changes).
  std::span<const std::uint64_t> configured_cumulative_weights() const { return configured_cumulative_; }
  // Distinct for every view ever built, so per-worker state can tell it is stale.
  std::uint64_t version() const { return version_; }
  // The pool's secret hash key: identical in every view and worker of the pool.
  const base::SipKey& hash_key() const { return hash_key_; }
  const PreparedTable* prepared() const { return prepared_.get(); }
  // The available member the weighted position r (0 ≤ r < total_weight()) falls on.
  std::uint32_t member_at_weight(std::uint64_t r) const;

  // Builds a view. members' load pointers must outlive it (loads keeps them alive).
  // balancer names the algorithm whose table to prepare.
  static std::shared_ptr<const PoolView> build(std::string name, std::vector<Member> members,
                                               std::shared_ptr<const std::vector<std::unique_ptr<BackendLoad>>> loads,
                                               const base::SipKey& hash_key, std::string_view balancer);

 private:
  std::string name_;
  std::vector<Member> members_;
  std::vector<std::uint32_t> available_;
  std::vector<std::uint64_t> cumulative_;
  std::vector<std::uint64_t> configured_cumulative_;
  std::uint64_t version_ = 0;
  base::SipKey hash_key_;
  std::shared_ptr<const std::vector<std::unique_ptr<BackendLoad>>> loads_;
  std::shared_ptr<const PreparedTable> prepared_;
};

class Pool {
 public:
  // hash_key: a fixed key for tests; normally random_sip_key().
  Pool(const PoolConfig& config, const base::SipKey& hash_key);
  Pool(const Pool&) = delete;
  Pool& operator=(const Pool&) = delete;

  const PoolConfig& config() const { return config_; }
  const base::Snapshot<PoolView>& views() const { return views_; }
  std::shared_ptr<const PoolView> view() const { return views_.load(); }

  // Control plane, any thread. A member is unavailable for three separate
  // reasons, tracked separately so that one source clearing its flag does
  // not undo another's: the active check says down, passive checks ejected
  // it, or an operator is draining it. State = draining if draining, else
  // down if checked down or ejected, else up. Each call publishes a new view
  // if the state changed; returns whether it did.
  bool set_checked_up(std::size_t index, bool up);
  bool set_ejected(std::size_t index, bool ejected);
  bool set_draining(std::size_t index, bool draining);
  // Slow start (STYLE.md habit 4: one shared place, not per algorithm).
  // start_ramp: member index has just come back at `now`; its effective
  // weight starts at 10 % of configured. tick_ramps: recompute every ramping
  // member's weight at `now` for a ramp of `duration`, publishing a view if a
  // weight moved; returns whether any ramp is still in progress. Clock-free:
  // the caller passes the time.
  void start_ramp(std::size_t index, std::chrono::steady_clock::time_point now);
  bool tick_ramps(std::chrono::steady_clock::time_point now, std::chrono::milliseconds duration);

  // Test convenience: up clears all three flags; down sets the check flag;
  // draining sets the drain flag.
  void set_state(std::size_t index, MemberState state);
  // Sets configured and effective weight (ending a slow-start ramp) when the
  // configured weight changes; otherwise does nothing.
  void set_weight(std::size_t index, int weight);
  // What the active check last said about a member, for /status (not used
  // to route: set_checked_up does that). Any thread.
  struct CheckInfo {
    std::string state;                             // "up", "down", or "" before the first result
    std::optional<std::chrono::microseconds> rtt;  // smoothed probe connect time
    std::string detail;                            // the last probe's detail
  };
  void set_check_info(std::size_t index, CheckInfo info);
  CheckInfo check_info(std::size_t index) const;

  // How many members are available now (for "never eject the last one").
  std::size_t available_count() const { return view()->available().size(); }

 private:
  struct Flags {
    bool checked_down = false;
    bool ejected = false;
    bool draining = false;
    std::optional<std::chrono::steady_clock::time_point> ramp_since;
  };
  bool update_locked(std::size_t index);
  void publish_locked();

  const PoolConfig config_;
  const base::SipKey hash_key_;
  const std::shared_ptr<const std::vector<std::unique_ptr<BackendLoad>>> loads_;
  mutable std::mutex mutex_;  // guards members_, check_info_ and publishing order
  std::vector<PoolView::Member> members_;
  std::vector<Flags> flags_;
  std::vector<CheckInfo> check_info_;
  base::Snapshot<PoolView> views_;
};

}  // namespace gslb::lb
