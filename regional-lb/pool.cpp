#include "regional-lb/pool.hpp"

#include <algorithm>
#include <cassert>

#include "regional-lb/balancer_factory.hpp"
#include "regional-lb/sticky.hpp"

namespace gslb::lb {

std::uint32_t PoolView::member_at_weight(std::uint64_t r) const {
  assert(!available_.empty() && r < total_weight());
  // First cumulative weight strictly above r: member k owns [cum[k-1], cum[k]).
  const auto it = std::upper_bound(cumulative_.begin(), cumulative_.end(), r);
  return available_[static_cast<std::size_t>(it - cumulative_.begin())];
}

std::shared_ptr<const PoolView> PoolView::build(std::string name, std::vector<Member> members,
                                                std::shared_ptr<const std::vector<std::unique_ptr<BackendLoad>>> loads,
                                                const base::SipKey& hash_key, std::string_view balancer) {
  static std::atomic<std::uint64_t> next_version{1};
  auto view = std::make_shared<PoolView>();
  view->name_ = std::move(name);
  view->members_ = std::move(members);
  view->loads_ = std::move(loads);
  view->hash_key_ = hash_key;
  view->version_ = next_version.fetch_add(1, std::memory_order_relaxed);
  std::uint64_t sum = 0;
  std::uint64_t configured_sum = 0;
  for (std::uint32_t i = 0; i < view->members_.size(); ++i) {
    const Member& m = view->members_[i];
    configured_sum += static_cast<std::uint64_t>(std::max(m.configured_weight, 0));
    view->configured_cumulative_.push_back(configured_sum);
    if (m.state != MemberState::up || m.effective_weight <= 0) continue;
    view->available_.push_back(i);
    sum += static_cast<std::uint64_t>(m.effective_weight);
    view->cumulative_.push_back(sum);
  }
  view->prepared_ = prepare_table(balancer, *view);
  return view;
}

namespace {
std::shared_ptr<const std::vector<std::unique_ptr<BackendLoad>>> make_loads(std::size_t n) {
  auto loads = std::make_shared<std::vector<std::unique_ptr<BackendLoad>>>();
  for (std::size_t i = 0; i < n; ++i) loads->push_back(std::make_unique<BackendLoad>());
  return loads;
}
}  // namespace

Pool::Pool(const PoolConfig& config, const base::SipKey& hash_key)
    : config_(config), hash_key_(hash_key), loads_(make_loads(config.backends.size())) {
  for (std::size_t i = 0; i < config_.backends.size(); ++i) {
    PoolView::Member m;
    m.address = config_.backends[i].address;
    m.configured_weight = config_.backends[i].weight;
    m.effective_weight = m.configured_weight;
    m.load = (*loads_)[i].get();
    m.sticky_id = sticky_id(m.address);
    members_.push_back(std::move(m));
  }
  flags_.resize(members_.size());
  check_info_.resize(members_.size());
  std::lock_guard lock(mutex_);
  publish_locked();
}

bool Pool::update_locked(std::size_t index) {
  const Flags& f = flags_[index];
  const MemberState next = f.draining                    ? MemberState::draining
                           : f.checked_down || f.ejected ? MemberState::down
                                                         : MemberState::up;
  if (members_[index].state == next) return false;
  members_[index].state = next;
  publish_locked();
  return true;
}

bool Pool::set_checked_up(std::size_t index, bool up) {
  std::lock_guard lock(mutex_);
  if (index >= members_.size()) return false;
  flags_[index].checked_down = !up;
  return update_locked(index);
}

bool Pool::set_ejected(std::size_t index, bool ejected) {
  std::lock_guard lock(mutex_);
  if (index >= members_.size()) return false;
  flags_[index].ejected = ejected;
  return update_locked(index);
}

bool Pool::set_draining(std::size_t index, bool draining) {
  std::lock_guard lock(mutex_);
  if (index >= members_.size()) return false;
  flags_[index].draining = draining;
  return update_locked(index);
}

void Pool::start_ramp(std::size_t index, std::chrono::steady_clock::time_point now) {
  std::lock_guard lock(mutex_);
  if (index >= members_.size()) return;
  flags_[index].ramp_since = now;
  const int start = std::max(1, members_[index].configured_weight / 10);
  if (members_[index].effective_weight != start) {
    members_[index].effective_weight = start;
    publish_locked();
  }
}

bool Pool::tick_ramps(std::chrono::steady_clock::time_point now, std::chrono::milliseconds duration) {
  std::lock_guard lock(mutex_);
  bool changed = false, ramping = false;
  for (std::size_t i = 0; i < members_.size(); ++i) {
    if (!flags_[i].ramp_since) continue;
    const double elapsed = std::chrono::duration<double>(now - *flags_[i].ramp_since).count();
    const double total = std::chrono::duration<double>(duration).count();
    const int configured = members_[i].configured_weight;
    int weight = configured;
    if (total > 0 && elapsed < total) {
      // Linear from 10 % to 100 %: w(t) = configured × (0.1 + 0.9 t / duration), at least 1.
      weight = std::max(1, static_cast<int>(configured * (0.1 + 0.9 * elapsed / total)));
      ramping = true;
    } else {
      flags_[i].ramp_since.reset();
    }
    if (weight != members_[i].effective_weight) {
      members_[i].effective_weight = weight;
      changed = true;
    }
  }
  if (changed) publish_locked();
  return ramping;
}

void Pool::set_state(std::size_t index, MemberState state) {
  std::lock_guard lock(mutex_);
  if (index >= members_.size()) return;
  Flags& f = flags_[index];
  if (state == MemberState::up) f = Flags{};
  if (state == MemberState::down) f.checked_down = true;
  if (state == MemberState::draining) f.draining = true;
  update_locked(index);
}

void Pool::set_weight(std::size_t index, int weight) {
  std::lock_guard lock(mutex_);
  if (index >= members_.size()) return;
  PoolView::Member& m = members_[index];
  if (m.configured_weight == weight) return;  // a slow-start ramp in progress goes on
  m.configured_weight = weight;
  m.effective_weight = weight;
  flags_[index].ramp_since.reset();  // an operator's weight is meant at once
  publish_locked();
}

void Pool::set_check_info(std::size_t index, CheckInfo info) {
  std::lock_guard lock(mutex_);
  if (index < check_info_.size()) check_info_[index] = std::move(info);
}

Pool::CheckInfo Pool::check_info(std::size_t index) const {
  std::lock_guard lock(mutex_);
  return index < check_info_.size() ? check_info_[index] : CheckInfo{};
}

void Pool::publish_locked() {
  views_.publish(PoolView::build(config_.name, members_, loads_, hash_key_, config_.balancer));
}

}  // namespace gslb::lb
