#include "health/state_machine.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using gslb::health::State;
using gslb::health::StateMachine;
using gslb::health::Transition;

namespace {

struct Row {
  const char* name;
  int rise;
  int fall;
  State start;
  std::string results;   // '+' ok, '-' failed
  std::string expected;  // per result: 'u' unchanged, 'c' changed, 'p' pending
  State final_state;
};

char code(Transition t) {
  switch (t) {
    case Transition::unchanged:
      return 'u';
    case Transition::changed:
      return 'c';
    case Transition::pending:
      return 'p';
  }
  return '?';
}

}  // namespace

TEST_CASE("state machine: rise/fall table") {
  const std::vector<Row> rows = {
      // First result after a fresh start sets the state directly, either way.
      {"fresh ok -> up at once", 2, 3, State::unknown, "+", "c", State::up},
      {"fresh fail -> down at once", 2, 3, State::unknown, "-", "c", State::down},
      {"fresh ok then steady", 2, 3, State::unknown, "+++", "cuu", State::up},
      // Up: needs `fall` consecutive failures.
      {"up falls after 3", 2, 3, State::up, "---", "ppc", State::down},
      {"up: success clears the streak", 2, 3, State::up, "--+--", "ppupp", State::up},
      {"up: fall=1 drops on first failure", 2, 1, State::up, "-", "c", State::down},
      // Down: needs `rise` consecutive successes.
      {"down rises after 2", 2, 3, State::down, "++", "pc", State::up},
      {"down: failure clears the streak", 2, 3, State::down, "+-++", "pupc", State::up},
      {"down stays down", 2, 3, State::down, "---", "uuu", State::down},
      // Restored state is the starting state: one failure after restart is not a flap.
      {"restored up, one failure", 2, 3, State::up, "-+", "pu", State::up},
      {"restored down, one success", 2, 3, State::down, "+-", "pu", State::down},
      // A change clears the streaks: the way back needs the full count again.
      {"down then straight back up", 2, 2, State::up, "--++", "pcpc", State::up},
      {"flapping probe never changes", 2, 2, State::up, "-+-+-+", "pupupu", State::up},
      {"fresh fail then rise", 3, 2, State::unknown, "-+++", "cppc", State::up},
  };
  for (const Row& row : rows) {
    INFO(std::string(row.name));
    StateMachine machine(row.rise, row.fall, row.start);
    std::string got;
    for (char r : row.results) got += code(machine.on_result(r == '+'));
    CHECK(got == row.expected);
    CHECK(machine.state() == row.final_state);
  }
}

TEST_CASE("state machine: streak and results_to_change") {
  StateMachine machine(2, 3);
  CHECK(machine.state() == State::unknown);
  CHECK(machine.results_to_change() == 1);
  machine.on_result(true);
  CHECK(machine.results_to_change() == 3);
  machine.on_result(false);
  CHECK(machine.streak() == 1);
  CHECK(machine.results_to_change() == 2);
  machine.on_result(false);
  machine.on_result(false);
  CHECK(machine.state() == State::down);
  CHECK(machine.streak() == 0);
  CHECK(machine.results_to_change() == 2);
}
