// The time structure of a run: days, interaction sessions per day, steps per session.
#pragma once

#include <cmath>
#include <cstdint>

namespace attune::sim {

struct Schedule {
  int days = 365;
  int sessions_per_day = 4;
  double session_s = 300.0;
  double dt = 1.0;

  std::int64_t steps_per_session() const { return std::llround(session_s / dt); }
  // Seconds between the end of one session and the start of the next (sessions evenly spaced).
  double gap_s() const { return 86400.0 / sessions_per_day - session_s; }
  std::int64_t steps_per_day() const { return steps_per_session() * sessions_per_day; }
  std::int64_t steps_per_run() const { return steps_per_day() * days; }
};

}  // namespace attune::sim
