#include "gslb/gslb_service.hpp"

#include <chrono>
#include <exception>

#include "gslb/latency_store.hpp"
#include "gslb/policy_loader.hpp"

namespace gslb::policy {

namespace {

bool uses_latency(const CompiledPolicy& policy) {
  for (const CompiledRecord& r : policy.records)
    for (Steering s : r.steps)
      if (s == Steering::latency) return true;
  return false;
}

// One warning per table region that no policy with a latency step defines:
// a typo or a region not yet in the policies. Its RTTs are ignored; the
// rows' other regions still steer.
void warn_unknown_regions(const LatencyTable& table, const std::vector<std::size_t>& known, const std::string& file,
                          base::DiagnosticList& diags) {
  std::vector<std::size_t> rows(known.size(), 0);
  for (std::size_t r = 0; r < table.row_count(); ++r)
    for (const LatencyTable::Entry& e : table.entries(static_cast<std::int32_t>(r))) ++rows[e.region_name];
  for (std::size_t i = 0; i < known.size(); ++i) {
    if (known[i] != 0) continue;
    diags.warning(file, 0, 0,
                  "latency table: region '" + table.region_names()[i] + "' (in " + std::to_string(rows[i]) +
                      (rows[i] == 1 ? " row" : " rows") +
                      ") is not a region of any policy with a latency step; those RTTs are ignored");
  }
}

}  // namespace

GslbService::GslbService(std::filesystem::path zones_dir, Engine::Options engine_options)
    : zones_dir_(std::move(zones_dir)), engine_(&geo_, engine_options) {}

GslbService::~GslbService() {
  if (watcher_) watcher_->stop();
}

std::string GslbService::open_geo(const std::filesystem::path& path) {
  geo_path_ = path;
  watcher_ = std::make_unique<geo::GeoWatcher>(path.string(), geo_, geo::GeoWatcher::Options{});
  return watcher_->load_initial();
}

void GslbService::watch_geo() {
  if (watcher_) watcher_->start();
}

bool GslbService::load_policies(const dns::ZoneSet& zones, base::DiagnosticList& diags) {
  const std::size_t errors_before = diags.error_count();
  std::vector<PolicyPtr> loaded = policy::load_policies(zones_dir_, zones, diags);
  if (diags.error_count() > errors_before) return false;
  std::vector<CompiledPolicy> compiled;
  compiled.reserve(loaded.size());
  bool wants_latency = false;
  for (const auto& p : loaded) {
    // The loader validated every reference compile() needs; a throw here is
    // a loader gap, reported rather than served half-compiled.
    try {
      compiled.push_back(compile(*p));
    } catch (const std::exception& e) {
      diags.error(p->file, 1, 1, std::string("policy did not compile: ") + e.what());
      return false;
    }
    wants_latency |= uses_latency(compiled.back());
  }
  // The table is part of the same snapshot: read now, published with the
  // policies below, or neither.
  LatencyTablePtr table;
  if (wants_latency && !state_file_.empty()) {
    table = load_latency_table(state_file_, diags);
    if (table == nullptr) return false;
  }
  std::vector<CompiledPolicyPtr> published;
  published.reserve(compiled.size());
  std::vector<std::size_t> known;  // per table region name: latency policies that define it
  if (table) known.assign(table->region_names().size(), 0);
  for (CompiledPolicy& cp : compiled) {
    if (table && uses_latency(cp)) {
      cp.latency = PolicyLatency(table, cp.region_names);
      for (std::size_t i = 0; i < known.size(); ++i) ++known[i];
      for (std::uint32_t unknown : cp.latency.unknown_names()) --known[unknown];
    }
    published.push_back(std::make_shared<const CompiledPolicy>(std::move(cp)));
  }
  if (table) warn_unknown_regions(*table, known, state_file_.string(), diags);
  engine_.publish(std::move(published), nullptr, std::chrono::steady_clock::now());
  latency_ = std::move(table);
  return true;
}

}  // namespace gslb::policy
