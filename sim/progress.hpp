// Progress on stderr: a redrawn bar with ETA on a terminal, an occasional plain line otherwise.
#pragma once

#include <chrono>
#include <cstdio>
#include <string>

namespace attune::sim {

class Progress {
 public:
  Progress(std::string label, double total, bool enabled);
  // Cheap; prints only when due. `detail` is appended to the line (e.g. failures, speed).
  void update(double done, const std::string& detail = {});
  void finish();

 private:
  using Clock = std::chrono::steady_clock;
  std::string label_;
  double total_;
  bool enabled_, tty_;
  Clock::time_point start_, last_;
  double last_fraction_ = 0;
  bool drawn_ = false;
};

std::string format_duration(double seconds);

}  // namespace attune::sim
