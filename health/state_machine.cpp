#include "health/state_machine.hpp"

#include <cassert>

namespace gslb::health {

const char* to_string(State state) {
  switch (state) {
    case State::unknown:
      return "unknown";
    case State::up:
      return "up";
    case State::down:
      return "down";
  }
  return "?";
}

const char* to_string(Transition transition) {
  switch (transition) {
    case Transition::unchanged:
      return "unchanged";
    case Transition::changed:
      return "changed";
    case Transition::pending:
      return "pending";
  }
  return "?";
}

StateMachine::StateMachine(int rise, int fall, State restored) : rise_(rise), fall_(fall), state_(restored) {
  assert(rise >= 1 && fall >= 1);
}

Transition StateMachine::on_result(bool ok) {
  if (state_ == State::unknown) {
    state_ = ok ? State::up : State::down;
    streak_ = 0;
    return Transition::changed;
  }
  const bool agrees = (state_ == State::up) == ok;
  if (agrees) {
    streak_ = 0;
    return Transition::unchanged;
  }
  ++streak_;
  const int threshold = state_ == State::up ? fall_ : rise_;
  if (streak_ >= threshold) {
    state_ = state_ == State::up ? State::down : State::up;
    streak_ = 0;
    return Transition::changed;
  }
  return Transition::pending;
}

int StateMachine::results_to_change() const {
  switch (state_) {
    case State::unknown:
      return 1;
    case State::up:
      return fall_ - streak_;
    case State::down:
      return rise_ - streak_;
  }
  return 1;
}

}  // namespace gslb::health
