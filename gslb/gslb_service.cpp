#include "gslb/gslb_service.hpp"

#include <chrono>
#include <exception>

#include "base/log.hpp"
#include "gslb/policy_loader.hpp"

namespace gslb::policy {

namespace {

// The scheduler's own default: a state older than this is not restored.
constexpr std::chrono::seconds kRestoreMaxAge{3600};

std::vector<health::CheckRecord> fresh_checks(health::StateStore& store) {
  std::vector<health::CheckRecord> out;
  const auto oldest = std::chrono::system_clock::now() - kRestoreMaxAge;
  for (health::CheckRecord& r : store.load_checks())
    if (r.updated >= oldest) out.push_back(std::move(r));
  return out;
}

}  // namespace

GslbService::GslbService(std::filesystem::path zones_dir, Engine::Options engine_options)
    : zones_dir_(std::move(zones_dir)), engine_(&geo_, engine_options) {}

GslbService::~GslbService() {
  stop_health();
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

std::string GslbService::enable_health(const std::filesystem::path& state_file, health::Scheduler::Options options) {
  if (!state_file.empty()) {
    std::string error;
    store_ = health::StateStore::open(state_file, error);
    if (!store_) return error;
    std::lock_guard lock(mutex_);
    inputs_.restored = fresh_checks(*store_);
    for (health::OverrideRecord& r : store_->load_overrides()) inputs_.overrides[r.target_id] = std::move(r.value);
  }
  options.store = store_.get();
  options.restore_max_age = kRestoreMaxAge;
  options.on_publish = [this](const std::shared_ptr<const health::HealthView>& view) { on_health_published(view); };
  scheduler_ = std::make_unique<health::Scheduler>(std::move(options));
  return {};
}

void GslbService::start_health() {
  if (scheduler_) scheduler_->start();
}

void GslbService::stop_health() {
  // Not under mutex_: the scheduler's thread may be waiting for it in on_publish.
  if (scheduler_) scheduler_->stop();
  if (store_) store_->flush();
}

std::string GslbService::use_stored_health(const std::filesystem::path& state_file) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(state_file, ec)) return state_file.string() + ": no such state file";
  std::string error;
  auto store = health::StateStore::open(state_file, error);
  if (!store) return error;
  std::lock_guard lock(mutex_);
  inputs_.restored = store->load_checks();
  inputs_.overrides.clear();
  for (health::OverrideRecord& r : store->load_overrides()) inputs_.overrides[r.target_id] = std::move(r.value);
  // As right after a probe confirmed each stored state: explain shows the
  // health-aware TTL a steady server would give.
  const auto now = std::chrono::steady_clock::now();
  inputs_.effective = std::make_shared<const health::HealthView>(
      restored_view(inputs_.targets, inputs_.restored, inputs_.overrides, now, now));
  engine_.publish(inputs_.compiled, inputs_.effective.get(), now);
  return {};
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
  std::lock_guard lock(mutex_);
  std::map<std::string, CheckTarget> targets = check_targets(loaded);
  if (scheduler_) {
    // Re-target: add (or re-point) first, then remove, so a probe stream
    // that changes only its member ids keeps running with its state.
    // Unchanged targets are no-ops in the scheduler and keep their state.
    for (const auto& [id, target] : targets) {
      if (std::string error = scheduler_->add_target(id, target.address, target.spec); !error.empty())
        base::log_error("health", "cannot check ", id, ": ", error);
    }
    for (const auto& [id, target] : inputs_.targets)
      if (!targets.contains(id)) scheduler_->remove_target(id);
  }
  inputs_.members = member_infos(loaded);
  inputs_.targets = std::move(targets);
  inputs_.policies = std::move(loaded);
  inputs_.compiled = std::move(compiled);
  republish_locked();
  return true;
}

void GslbService::on_health_published(std::shared_ptr<const health::HealthView> view) {
  std::lock_guard lock(mutex_);
  inputs_.probed = std::move(view);
  inputs_.restored.clear();
  republish_locked();
}

void GslbService::republish_locked() {
  const auto now = std::chrono::steady_clock::now();
  // Before the scheduler's first view: the stored states, with no probe
  // result yet (epoch), so TTLs stay short until probes confirm them.
  health::HealthView view = inputs_.probed
                                ? with_overrides(*inputs_.probed, inputs_.overrides, inputs_.targets, now)
                                : restored_view(inputs_.targets, inputs_.restored, inputs_.overrides, {}, now);
  inputs_.effective = std::make_shared<const health::HealthView>(std::move(view));
  engine_.publish(inputs_.compiled, inputs_.effective.get(), now);
}

std::string GslbService::set_override(const std::string& id, health::Forced forced, std::string reason) {
  if (!scheduler_) return "health checking is not enabled";
  std::lock_guard lock(mutex_);
  bool known = inputs_.overrides.contains(id);  // an old override can always be lifted
  for (const MemberInfo& m : inputs_.members) known = known || m.id == id;
  if (!known) return "no member '" + id + "' in the loaded policies";
  health::Override value{forced, reason, std::chrono::system_clock::now()};
  if (forced == health::Forced::none) {
    inputs_.overrides.erase(id);
  } else {
    inputs_.overrides[id] = value;
  }
  // The scheduler persists it and applies it to its view (probed members);
  // the mirror here covers members without a check, which it does not list,
  // and takes effect now rather than at the scheduler's next publication.
  scheduler_->set_override(id, forced, std::move(reason));
  if (inputs_.probed) {
    health::HealthView::Map map = inputs_.probed->targets();
    if (auto it = map.find(id); it != map.end()) {
      it->second.forced = forced;
      it->second.up = health::effective_up(it->second.probed, forced);
    }
    inputs_.probed = std::make_shared<const health::HealthView>(std::move(map));
  }
  republish_locked();
  return {};
}

std::vector<GslbService::MemberStatus> GslbService::member_status() const {
  std::lock_guard lock(mutex_);
  std::vector<MemberStatus> out;
  out.reserve(inputs_.members.size());
  for (const MemberInfo& m : inputs_.members) {
    MemberStatus s;
    s.info = m;
    if (inputs_.effective) {
      if (const health::TargetHealth* t = inputs_.effective->find(m.id)) {
        s.health = *t;
        s.has_view = true;
      }
    }
    if (auto o = inputs_.overrides.find(m.id); o != inputs_.overrides.end()) s.reason = o->second.reason;
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace gslb::policy
