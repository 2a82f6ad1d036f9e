// Operator overrides: force a target up, down, or drain it (gdnsd's FORCED
// admin_state bit, HAProxy's "set server state drain"). Keyed by target id,
// not by probe stream: two pools sharing one probe can be forced separately.
// Probes keep running under an override so the probed state stays current
// and is right the moment the override is lifted.
//
// Overrides is a plain value owned by one thread (the scheduler's io thread);
// persistence is the StateStore's (table `override`).
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "health/state_machine.hpp"

namespace gslb::health {

enum class Forced : std::uint8_t {
  none,
  up,     // counted up whatever the probes say
  down,   // counted down whatever the probes say
  drain,  // probed state kept, but no new traffic (TargetHealth::serving() is false)
};

const char* to_string(Forced forced);
std::optional<Forced> parse_forced(std::string_view text);  // "up", "down", "drain", "none"

struct Override {
  Forced forced = Forced::none;
  std::string reason;  // free text from the operator, shown in status
  std::chrono::system_clock::time_point set_at;

  friend bool operator==(const Override&, const Override&) = default;
};

// The state consumers see. An unknown probed state (no result yet and nothing
// restored) counts as up: the first probe runs at once, and failing open for
// that moment beats starting with every target down (STYLE.md pitfall 5).
bool effective_up(State probed, Forced forced);

class Overrides {
 public:
  // Setting Forced::none is the same as clear().
  void set(const std::string& target_id, Override value);
  // Returns whether there was one.
  bool clear(const std::string& target_id);
  const Override* find(std::string_view target_id) const;
  Forced forced(std::string_view target_id) const;
  const std::map<std::string, Override, std::less<>>& all() const { return items_; }

 private:
  std::map<std::string, Override, std::less<>> items_;
};

}  // namespace gslb::health
