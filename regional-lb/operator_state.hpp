// OperatorState: what an operator set through the admin API — a backend
// drained, or given a weight other than the configured one — kept apart from
// the Region so that it outlives a reload (SIGHUP builds a new Region) and,
// with a state file, a restart.
//
// Keys are target ids "POOL/IP:PORT" (target_id()), the same ids the LB's
// health::Scheduler uses, so the state file reads the same for both.
// Persistence is health::StateStore's: drains are `override` rows
// (Forced::drain), weights `weight_override` rows. A change is written and
// flushed before set_*() returns, so an admin API 200 means it is on disk.
//
// Thread safety: every member may be called from any thread; they serialise
// on an internal mutex (admin requests are rare; nothing here is on the
// request path).
#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "health/state_store.hpp"
#include "regional-lb/region.hpp"

namespace gslb::lb {

class OperatorState {
 public:
  struct Setting {
    bool drained = false;
    std::optional<int> weight;  // nullopt: the configured weight
  };

  // store may be null (no state file: settings live until the process ends).
  // It is not owned and must outlive this object.
  explicit OperatorState(health::StateStore* store);

  static std::string target_id(std::string_view pool, std::string_view address);

  // Reads the stored settings (startup). Rows for backends no longer
  // configured are kept (they apply again if the backend comes back) but
  // have no effect.
  void load();

  // Applies every setting to region's pools (a new Region at start or on
  // reload); members without a setting are left as configured.
  void apply(const Region& region) const;

  // Changes one backend's setting and applies it to region at once. Returns
  // "" when the change is in effect and (with a store) committed; otherwise
  // the reason. The change stays in effect even when saving it failed.
  // Preconditions: pool/backend exist in region (the admin API checks);
  // weight in 1..256.
  std::string set_drained(const Region& region, std::size_t pool, std::size_t member, bool drained);
  std::string set_weight(const Region& region, std::size_t pool, std::size_t member, std::optional<int> weight);

  std::optional<Setting> find(std::string_view id) const;

 private:
  void apply_locked(const Region& region, std::size_t pool, std::size_t member) const;
  std::string save_locked();  // flushes the store; "" or its new error

  health::StateStore* const store_;
  mutable std::mutex mutex_;
  std::map<std::string, Setting, std::less<>> settings_;
  std::string last_store_error_;
};

}  // namespace gslb::lb
