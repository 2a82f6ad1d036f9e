// StateMachine: turns a stream of probe results for one check into an up/down
// state with hysteresis. Pure and clock-free: it sees only ok/failed, in
// order; the caller stamps times. One instance per probe stream, owned and
// used by one thread (the scheduler's io thread).
//
// Rules (HAProxy rise/fall, gdnsd initial_round, dnsdist "initial"):
//  1. Fresh start, nothing restored: the state is unknown, and the FIRST result
//     sets it directly (ok -> up, failed -> down) and reports changed. Waiting
//     `rise` intervals instead would start every target down (pitfall 5).
//  2. Restored start (a state read back from SQLite): that state is the starting
//     state and the first results are judged against it with the normal
//     thresholds, so a restart does not flap.
//  3. Up: each failure adds one to a failure streak, each success clears it.
//     The streak reaching `fall` turns the state down (changed); a failure
//     short of that is pending; a success is unchanged (even when it cleared
//     a streak: the state did not move and no change is in prospect).
//  4. Down: the mirror image with successes and `rise`.
//  5. A change clears both streaks.
#pragma once

#include <cstdint>
#include <optional>

namespace gslb::health {

enum class State : std::uint8_t { unknown, up, down };

enum class Transition : std::uint8_t {
  unchanged,  // state unchanged and no change in progress
  changed,    // this result changed the state
  pending,    // state unchanged, but a change is under way (streak below threshold)
};

const char* to_string(State state);
const char* to_string(Transition transition);

class StateMachine {
 public:
  // rise, fall >= 1. `restored` is the state read back at startup, if any
  // (State::unknown means none).
  StateMachine(int rise, int fall, State restored = State::unknown);

  Transition on_result(bool ok);

  State state() const { return state_; }
  // Consecutive results against the current state (failures while up,
  // successes while down); 0 when unknown.
  int streak() const { return streak_; }
  // Results still needed to change state from here: fall - streak while up,
  // rise - streak while down, 1 while unknown.
  int results_to_change() const;
  int rise() const { return rise_; }
  int fall() const { return fall_; }

 private:
  int rise_;
  int fall_;
  State state_;
  int streak_ = 0;
};

}  // namespace gslb::health
