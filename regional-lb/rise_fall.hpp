// Rise/fall hysteresis for one health-checked member (HAProxy's rise/fall,
// gdnsd's up/down thresholds): `rise` consecutive successes to come up,
// `fall` consecutive failures to go down. Pure and clock-free; one owner.
//
// The first result sets the state directly (gdnsd's initial round, STYLE.md
// habit 6): at startup a dead backend is down after one probe, not after
// `fall` probes, and a live one is not held back for `rise` probes.
#pragma once

namespace gslb::lb {

class RiseFall {
 public:
  RiseFall(int rise, int fall) : rise_(rise), fall_(fall) {}

  // Returns true when the verdict changed (including the first result when it
  // differs from the optimistic initial "up").
  bool record(bool ok) {
    if (!seen_) {
      seen_ = true;
      const bool changed = up_ != ok;
      up_ = ok;
      streak_ = 0;
      return changed;
    }
    if (ok == up_) {
      streak_ = 0;  // agreement resets the count toward a change
      return false;
    }
    if (++streak_ < (up_ ? fall_ : rise_)) return false;
    up_ = ok;
    streak_ = 0;
    return true;
  }

  bool up() const { return up_; }

 private:
  int rise_;
  int fall_;
  bool seen_ = false;
  bool up_ = true;  // optimistic until the first result: serve rather than refuse
  int streak_ = 0;  // consecutive results disagreeing with up_
};

}  // namespace gslb::lb
