#include "gslb/gslb_service.hpp"

#include <chrono>
#include <exception>

#include "gslb/policy_loader.hpp"

namespace gslb::policy {

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
  std::vector<CompiledPolicyPtr> compiled;
  compiled.reserve(loaded.size());
  for (const auto& p : loaded) {
    // The loader validated every reference compile() needs; a throw here is
    // a loader gap, reported rather than served half-compiled.
    try {
      compiled.push_back(std::make_shared<const CompiledPolicy>(compile(*p)));
    } catch (const std::exception& e) {
      diags.error(p->file, 1, 1, std::string("policy did not compile: ") + e.what());
      return false;
    }
  }
  engine_.publish(std::move(compiled), nullptr, std::chrono::steady_clock::now());
  return true;
}

}  // namespace gslb::policy
