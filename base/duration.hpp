// Durations as operators write them in YAML: "10s", "500ms", "1m", "2h", and
// sums of those ("1m30s"). A bare number is rejected: "10" could mean seconds
// or milliseconds, and guessing wrong turns a 10 s timeout into 10 ms.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace gslb::base {

using Duration = std::chrono::milliseconds;

// Parses "<int><unit>[<int><unit>...]" with units ms, s, m, h; units must
// decrease left to right and may not repeat ("1m30s" is fine, "30s1m" is not).
// On failure returns nullopt and, if error is given, a message without location
// that names what was wrong ("missing unit after 10"). Never throws.
std::optional<Duration> parse_duration(std::string_view text, std::string* error = nullptr);

// The shortest exact spelling that parse_duration() reads back: 90000 ms →
// "1m30s", 1500 ms → "1s500ms", 0 → "0s".
std::string format_duration(Duration d);

}  // namespace gslb::base
