#include "base/duration.hpp"

#include <doctest/doctest.h>

using gslb::base::Duration;
using gslb::base::format_duration;
using gslb::base::parse_duration;

TEST_CASE("durations parse with explicit units") {
  CHECK(parse_duration("10s") == Duration{10'000});
  CHECK(parse_duration("500ms") == Duration{500});
  CHECK(parse_duration("1m") == Duration{60'000});
  CHECK(parse_duration("2h") == Duration{7'200'000});
  CHECK(parse_duration("1m30s") == Duration{90'000});
  CHECK(parse_duration("1h1m1s1ms") == Duration{3'661'001});
  CHECK(parse_duration("0s") == Duration{0});
}

TEST_CASE("ambiguous or malformed durations are rejected with a reason") {
  struct Row {
    const char* text;
    const char* message;
  };
  const Row rows[] = {
      {"", "empty duration"},
      {"10", "missing unit in duration '10' (use ms, s, m or h)"},
      {"10 s", "missing unit in duration '10 s' (use ms, s, m or h)"},
      {"10sec", "unknown unit 'sec' in duration '10sec' (use ms, s, m or h)"},
      {"s", "expected a number in duration 's' (like 10s, 500ms or 1m)"},
      {"-5s", "expected a number in duration '-5s' (like 10s, 500ms or 1m)"},
      {"30s1m", "units out of order in duration '30s1m' (write larger units first, each once)"},
      {"1s1s", "units out of order in duration '1s1s' (write larger units first, each once)"},
      {"99999999999999999999h", "duration '99999999999999999999h' is too large"},
      {"9999999999999999h", "duration '9999999999999999h' is too large"},
  };
  for (const auto& row : rows) {
    CAPTURE(row.text);
    std::string error;
    CHECK_FALSE(parse_duration(row.text, &error).has_value());
    CHECK(error == row.message);
  }
}

TEST_CASE("formatting round-trips through parsing") {
  CHECK(format_duration(Duration{0}) == "0s");
  CHECK(format_duration(Duration{1500}) == "1s500ms");
  CHECK(format_duration(Duration{90'000}) == "1m30s");
  CHECK(format_duration(Duration{3'600'000}) == "1h");
  for (long long ms : {1LL, 999LL, 1000LL, 61'001LL, 86'400'000LL}) {
    CHECK(parse_duration(format_duration(Duration{ms})) == Duration{ms});
  }
}
