#include "base/duration.hpp"

#include <array>
#include <cstdint>
#include <limits>

namespace gslb::base {
namespace {

struct Unit {
  std::string_view name;
  std::int64_t ms;
};
// Largest first: formatting walks this order, parsing requires it.
constexpr std::array<Unit, 4> units{{{"h", 3'600'000}, {"m", 60'000}, {"s", 1'000}, {"ms", 1}}};

bool fail(std::string* error, std::string message) {
  if (error) *error = std::move(message);
  return false;
}

}  // namespace

std::optional<Duration> parse_duration(std::string_view text, std::string* error) {
  if (text.empty()) {
    fail(error, "empty duration");
    return std::nullopt;
  }
  std::int64_t total = 0;
  std::size_t last_unit = 0;  // index into units + 1 of the previous term; 0 = none yet
  std::size_t i = 0;
  const std::string quoted = "'" + std::string(text) + "'";
  while (i < text.size()) {
    const std::size_t digits_start = i;
    std::int64_t value = 0;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
      // Saturating check keeps "99999999999999999999h" an error, not UB.
      if (value > (std::numeric_limits<std::int64_t>::max() - 9) / 10) {
        fail(error, "duration " + quoted + " is too large");
        return std::nullopt;
      }
      value = value * 10 + (text[i] - '0');
      ++i;
    }
    if (i == digits_start) {
      fail(error, "expected a number in duration " + quoted + " (like 10s, 500ms or 1m)");
      return std::nullopt;
    }
    const std::size_t unit_start = i;
    while (i < text.size() && text[i] >= 'a' && text[i] <= 'z') ++i;
    const std::string_view unit_text = text.substr(unit_start, i - unit_start);
    if (unit_text.empty()) {
      fail(error, "missing unit in duration " + quoted + " (use ms, s, m or h)");
      return std::nullopt;
    }
    std::size_t u = 0;
    while (u < units.size() && units[u].name != unit_text) ++u;
    if (u == units.size()) {
      fail(error, "unknown unit '" + std::string(unit_text) + "' in duration " + quoted + " (use ms, s, m or h)");
      return std::nullopt;
    }
    if (last_unit != 0 && u + 1 <= last_unit) {
      fail(error, "units out of order in duration " + quoted + " (write larger units first, each once)");
      return std::nullopt;
    }
    last_unit = u + 1;
    if (value > (std::numeric_limits<std::int64_t>::max() - total) / units[u].ms) {
      fail(error, "duration " + quoted + " is too large");
      return std::nullopt;
    }
    total += value * units[u].ms;
  }
  return Duration{total};
}

std::string format_duration(Duration d) {
  std::int64_t left = d.count();
  if (left == 0) return "0s";
  std::string out;
  if (left < 0) {
    out += '-';
    left = -left;
  }
  for (const auto& unit : units) {
    if (left >= unit.ms) {
      out += std::to_string(left / unit.ms);
      out += unit.name;
      left %= unit.ms;
    }
  }
  return out;
}

}  // namespace gslb::base
