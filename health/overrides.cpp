#include "health/overrides.hpp"

namespace gslb::health {

const char* to_string(Forced forced) {
  switch (forced) {
    case Forced::none:
      return "none";
    case Forced::up:
      return "up";
    case Forced::down:
      return "down";
    case Forced::drain:
      return "drain";
  }
  return "?";
}

std::optional<Forced> parse_forced(std::string_view text) {
  if (text == "none") return Forced::none;
  if (text == "up") return Forced::up;
  if (text == "down") return Forced::down;
  if (text == "drain") return Forced::drain;
  return std::nullopt;
}

bool effective_up(State probed, Forced forced) {
  if (forced == Forced::up) return true;
  if (forced == Forced::down) return false;
  return probed != State::down;
}

void Overrides::set(const std::string& target_id, Override value) {
  if (value.forced == Forced::none) {
    clear(target_id);
    return;
  }
  items_[target_id] = std::move(value);
}

bool Overrides::clear(const std::string& target_id) {
  return items_.erase(target_id) > 0;
}

const Override* Overrides::find(std::string_view target_id) const {
  auto it = items_.find(target_id);
  return it == items_.end() ? nullptr : &it->second;
}

Forced Overrides::forced(std::string_view target_id) const {
  const Override* o = find(target_id);
  return o ? o->forced : Forced::none;
}

}  // namespace gslb::health
