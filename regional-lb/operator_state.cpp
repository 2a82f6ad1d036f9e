#include "regional-lb/operator_state.hpp"

#include "base/log.hpp"

namespace gslb::lb {

OperatorState::OperatorState(health::StateStore* store) : store_(store) {}

std::string OperatorState::target_id(std::string_view pool, std::string_view address) {
  std::string id(pool);
  id += '/';
  id += address;
  return id;
}

void OperatorState::load() {
  if (!store_) return;
  std::lock_guard lock(mutex_);
  for (const auto& o : store_->load_overrides()) {
    // The LB only ever writes drains; other forced states belong to no LB feature.
    if (o.value.forced == health::Forced::drain) settings_[o.target_id].drained = true;
  }
  for (const auto& w : store_->load_weights()) {
    if (w.weight && *w.weight >= 1 && *w.weight <= 256) settings_[w.target_id].weight = w.weight;
  }
  if (!settings_.empty())
    base::log_info("lb", "restored ", settings_.size(), " operator setting(s) from the state file");
}

void OperatorState::apply(const Region& region) const {
  std::lock_guard lock(mutex_);
  for (std::size_t p = 0; p < region.config.pools.size(); ++p) {
    for (std::size_t m = 0; m < region.config.pools[p].backends.size(); ++m) apply_locked(region, p, m);
  }
}

void OperatorState::apply_locked(const Region& region, std::size_t pool, std::size_t member) const {
  const PoolConfig& config = region.config.pools[pool];
  const auto it = settings_.find(target_id(config.name, config.backends[member].address.text));
  const Setting setting = it == settings_.end() ? Setting{} : it->second;
  Pool& p = *region.pools[pool];
  p.set_draining(member, setting.drained);
  p.set_weight(member, setting.weight.value_or(config.backends[member].weight));
}

std::string OperatorState::set_drained(const Region& region, std::size_t pool, std::size_t member, bool drained) {
  std::lock_guard lock(mutex_);
  const PoolConfig& config = region.config.pools[pool];
  const std::string id = target_id(config.name, config.backends[member].address.text);
  settings_[id].drained = drained;
  apply_locked(region, pool, member);
  if (!store_) return {};
  store_->save_override(
      health::OverrideRecord{id, health::Override{drained ? health::Forced::drain : health::Forced::none, "admin API",
                                                  std::chrono::system_clock::now()}});
  return save_locked();
}

std::string OperatorState::set_weight(const Region& region, std::size_t pool, std::size_t member,
                                      std::optional<int> weight) {
  std::lock_guard lock(mutex_);
  const PoolConfig& config = region.config.pools[pool];
  const std::string id = target_id(config.name, config.backends[member].address.text);
  settings_[id].weight = weight;
  apply_locked(region, pool, member);
  if (!store_) return {};
  store_->save_weight(health::WeightRecord{id, weight, std::chrono::system_clock::now()});
  return save_locked();
}

std::string OperatorState::save_locked() {
  const auto commits_before = store_->commits();
  store_->flush();
  // The store reports failures only as "the last error": a new message, or
  // the old one with no commit since, means this write did not land.
  std::string error = store_->last_error();
  if (error.empty() || (error == last_store_error_ && store_->commits() > commits_before)) return {};
  last_store_error_ = error;
  return error;
}

std::optional<OperatorState::Setting> OperatorState::find(std::string_view id) const {
  std::lock_guard lock(mutex_);
  const auto it = settings_.find(id);
  if (it == settings_.end()) return std::nullopt;
  return it->second;
}

}  // namespace gslb::lb
