// GslbService: what `gslb serve` and `gslb explain` add to the DNS core. Owns
// the steering Engine (the server's dns::DynamicAnswerSource), the published
// GeoDb and the GeoWatcher that keeps it current, and loads the policies of
// a zone set (every <zone>.gslb.yaml of the zones directory) into the engine.
//
// Thread context: open_geo(), load_policies() on the control thread (start-up,
// SIGHUP through dns::ServerOptions::on_zones_loaded); engine() answers on
// any worker thread. The service must outlive the server that points at its
// engine.
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "base/diagnostic.hpp"
#include "base/snapshot.hpp"
#include "dns/zone_set.hpp"
#include "geo/geo_db.hpp"
#include "geo/geo_watcher.hpp"
#include "gslb/engine.hpp"
#include "gslb/latency_table.hpp"

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

  // The SQLite state file whose latency table load_policies() reads along
  // with the policies (empty: none; latency steps then estimate from
  // distance). Control thread, before load_policies().
  void set_state_file(std::filesystem::path state) { state_file_ = std::move(state); }

  // Loads, validates and compiles every policy of the zones directory
  // against `zones`, reads the latency table when a policy has a latency
  // step, and publishes them (members up: no health view yet). All or
  // nothing: on any error (a policy, an unreadable latency table) returns
  // false with the reasons (file:line) in `diags` and the engine keeps what
  // it had. Table regions no policy defines are warnings, not errors.
  bool load_policies(const dns::ZoneSet& zones, base::DiagnosticList& diags);

  // The latency table of the last successful load; null when none was read.
  const LatencyTablePtr& latency_table() const { return latency_; }

  const Engine& engine() const { return engine_; }
  std::size_t policy_count() const { return engine_.state()->policies.size(); }

 private:
  std::filesystem::path zones_dir_;
  std::filesystem::path geo_path_;
  std::filesystem::path state_file_;
  LatencyTablePtr latency_;
  base::Snapshot<geo::GeoDb> geo_;
  std::unique_ptr<geo::GeoWatcher> watcher_;
  Engine engine_;
};

}  // namespace gslb::policy
