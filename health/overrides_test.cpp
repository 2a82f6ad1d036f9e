#include "health/overrides.hpp"

#include <doctest/doctest.h>

using namespace gslb::health;

TEST_CASE("overrides: effective state") {
  CHECK(effective_up(State::up, Forced::none));
  CHECK_FALSE(effective_up(State::down, Forced::none));
  CHECK(effective_up(State::unknown, Forced::none));  // fail open before the first result
  CHECK(effective_up(State::down, Forced::up));
  CHECK_FALSE(effective_up(State::up, Forced::down));
  CHECK(effective_up(State::up, Forced::drain));
  CHECK_FALSE(effective_up(State::down, Forced::drain));
}

TEST_CASE("overrides: set, find, clear; none clears") {
  Overrides o;
  o.set("eu/lb1", Override{Forced::drain, "maintenance", {}});
  CHECK(o.forced("eu/lb1") == Forced::drain);
  CHECK(o.find("eu/lb1")->reason == "maintenance");
  CHECK(o.forced("us/lb1") == Forced::none);
  o.set("eu/lb1", Override{Forced::none, "", {}});
  CHECK(o.find("eu/lb1") == nullptr);
  o.set("eu/lb1", Override{Forced::down, "", {}});
  CHECK(o.clear("eu/lb1"));
  CHECK_FALSE(o.clear("eu/lb1"));
  CHECK(o.all().empty());
  CHECK(parse_forced("drain") == Forced::drain);
  CHECK_FALSE(parse_forced("sideways").has_value());
  CHECK(std::string(to_string(Forced::up)) == "up");
}
