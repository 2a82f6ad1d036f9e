// GslbService: what `gslb serve` and `gslb explain` add to the DNS core. Owns
// the steering Engine (the server's dns::DynamicAnswerSource), the published
// GeoDb and the GeoWatcher that keeps it current, the health Scheduler and
// its SQLite StateStore, and loads the policies of a zone set (every
// <zone>.gslb.yaml of the zones directory) into the engine.
//
// Health: every member of a pool with a `check:` is a scheduler target
// (probing its check_address, else its address). Each scheduler publication,
// operator override and policy load republishes the engine's state with the
// members' health, so the query path reads health through the engine's
// per-thread snapshot readers and never takes a lock. Until the scheduler's
// first publication the view comes from the state file, so a restart serves
// the last known states at once (no flap).
//
// Thread context: open_geo(), enable_health(), load_policies(),
// start_health() on the control thread (start-up, SIGHUP through
// dns::ServerOptions::on_zones_loaded); set_override() and the status
// accessors on any thread (the admin API's); engine() answers on any worker
// thread. The service must outlive the server that points at its engine.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "base/diagnostic.hpp"
#include "base/snapshot.hpp"
#include "dns/zone_set.hpp"
#include "geo/geo_db.hpp"
#include "geo/geo_watcher.hpp"
#include "gslb/engine.hpp"
#include "gslb/member_health.hpp"
#include "health/scheduler.hpp"
#include "health/state_store.hpp"

namespace gslb::policy {

class GslbService {
 public:
  explicit GslbService(std::filesystem::path zones_dir, Engine::Options engine_options = {});
  ~GslbService();
  GslbService(const GslbService&) = delete;
  GslbService& operator=(const GslbService&) = delete;

  // Opens the MaxMind DB at `path` and publishes it. Returns "" on success,
  // else the error for a start-up message. Without a call, geo steps rank
  // without a client location.
  std::string open_geo(const std::filesystem::path& path);
  // Starts polling the opened database's file for replacement (serve only).
  void watch_geo();
  bool has_geo() const { return geo_.load() != nullptr; }

  // Loads, validates and compiles every policy of the zones directory
  // against `zones` and publishes them (members up: no health view yet).
  // All or nothing: on any error returns false with the reasons (file:line)
  // in `diags` and the engine keeps what it had.
  bool load_policies(const dns::ZoneSet& zones, base::DiagnosticList& diags);

  // Opens the state file (empty path: state lives in memory only) and
  // creates the health scheduler, not yet probing; call before
  // load_policies(). Returns "" or an error naming the file.
  std::string enable_health(const std::filesystem::path& state_file,
                            health::Scheduler::Options options = health::Scheduler::Options{});
  // Starts probing (serve, once the sockets are bound).
  void start_health();
  // Stops probing and writes the final states; idempotent (also in the destructor).
  void stop_health();

  // `gslb explain --state FILE`: publish the stored states and overrides of
  // `state_file` as the members' health (no probing). Call after
  // load_policies(). Returns "" or an error naming the file.
  std::string use_stored_health(const std::filesystem::path& state_file);

  // Operator override of member `id` (Forced::none lifts it). Returns "" or
  // why it was refused (unknown member, health not enabled). Persisted in the
  // state file; applied to answers at once.
  std::string set_override(const std::string& id, health::Forced forced, std::string reason);

  // One member's state for status and metrics.
  struct MemberStatus {
    MemberInfo info;
    health::TargetHealth health;  // unchecked and not overridden: up, probed unknown
    bool has_view = false;        // the health view lists it (checked, restored or overridden)
    std::string reason;           // the override's, if any
  };
  std::vector<MemberStatus> member_status() const;

  const Engine& engine() const { return engine_; }
  std::size_t policy_count() const { return engine_.state()->policies.size(); }

 private:
  // The health the engine last got, and what it is built from; guarded by mutex_.
  struct HealthInputs {
    std::vector<PolicyPtr> policies;
    std::vector<CompiledPolicyPtr> compiled;
    std::vector<MemberInfo> members;
    std::map<std::string, CheckTarget> targets;
    std::shared_ptr<const health::HealthView> probed;  // the scheduler's latest; null before the first
    std::vector<health::CheckRecord> restored;         // from the state file, until `probed` exists
    std::map<std::string, health::Override, std::less<>> overrides;
    std::shared_ptr<const health::HealthView> effective;  // what the engine was given
  };
  void republish_locked();
  void on_health_published(std::shared_ptr<const health::HealthView> view);

  std::filesystem::path zones_dir_;
  std::filesystem::path geo_path_;
  base::Snapshot<geo::GeoDb> geo_;
  std::unique_ptr<geo::GeoWatcher> watcher_;
  Engine engine_;

  mutable std::mutex mutex_;
  HealthInputs inputs_;
  // Declared last: stopped first, and the store outlives the scheduler.
  std::unique_ptr<health::StateStore> store_;
  std::unique_ptr<health::Scheduler> scheduler_;
};

}  // namespace gslb::policy
