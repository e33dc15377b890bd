#include "sim/progress.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <cmath>

namespace attune::sim {

std::string format_duration(double s) {
  if (!std::isfinite(s) || s < 0) return "?";
  if (s < 60) return fmt::format("{:.0f}s", s);
  if (s < 3600) return fmt::format("{:.0f}m{:02.0f}s", std::floor(s / 60), std::fmod(s, 60));
  return fmt::format("{:.0f}h{:02.0f}m", std::floor(s / 3600), std::floor(std::fmod(s, 3600) / 60));
}

Progress::Progress(std::string label, double total, bool enabled)
    : label_(std::move(label)),
      total_(total),
      enabled_(enabled),
      tty_(isatty(fileno(stderr)) != 0),
      start_(Clock::now()),
      last_(start_) {}

void Progress::update(double done, const std::string& detail) {
  if (!enabled_ || total_ <= 0) return;
  const auto now = Clock::now();
  const double since_last = std::chrono::duration<double>(now - last_).count();
  const double fraction = done / total_;
  // A terminal is redrawn 5 times a second; a log gets a line every 10% or every 30 s.
  const bool due = tty_ ? since_last >= 0.2 : (fraction - last_fraction_ >= 0.1 || since_last >= 30);
  if (!due && fraction < 1.0) return;
  const double elapsed = std::chrono::duration<double>(now - start_).count();
  const double eta = fraction > 0 ? elapsed * (1 - fraction) / fraction : NAN;
  if (tty_) {
    constexpr int width = 30;
    const int filled = static_cast<int>(fraction * width);
    fmt::print(stderr, "\r{} [{}{}] {:5.1f}%  elapsed {}  ETA {}{}   ", label_, std::string(filled, '#'),
               std::string(width - filled, '.'), 100 * fraction, format_duration(elapsed),
               format_duration(eta), detail);
    drawn_ = true;
  } else {
    fmt::print(stderr, "{}: {:.0f}% done, elapsed {}, ETA {}{}\n", label_, 100 * fraction,
               format_duration(elapsed), format_duration(eta), detail);
  }
  std::fflush(stderr);
  last_ = now;
  last_fraction_ = fraction;
}

void Progress::finish() {
  if (enabled_ && tty_ && drawn_) fmt::print(stderr, "\r{}\r", std::string(100, ' '));
}

}  // namespace attune::sim
