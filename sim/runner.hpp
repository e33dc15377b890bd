// The parallel runner: advances independent units (an infant and its relationships) one day at a
// time, in parallel over units with TBB. Between days, on the calling thread, `day_done` sees a
// consistent state (daily output, progress, interruption). Each unit draws from its own keyed
// streams, so results do not depend on the thread count or on how TBB splits the work.
#pragma once

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

#include <atomic>
#include <cstddef>
#include <optional>

#include "sim/errors.hpp"

namespace attune::sim {

struct Interrupted : Error {
  Interrupted() : Error("interrupted") {}
};

// Values of `threads` besides 0 (all cores) and N > 0: a run nested in a parallel sweep either
// shares the sweep's threads or, when there are enough runs to keep them busy, runs serially.
inline constexpr int kCallerArena = -1;
inline constexpr int kSerial = -2;

// How soon a raised `stop` ends run_days: after the day in progress (so that day_done can save a
// consistent state, e.g. a checkpoint), or at once, leaving the day unfinished (the state is then
// discarded: within a second even when one day takes minutes).
enum class StopAt { day_end, now };

// `advance(unit, day)` must touch only that unit's state. `day_done(day)` runs on this thread.
// Days [first_day, days) are run (first_day > 0 when resuming from a checkpoint).
template <class Advance, class DayDone>
void run_days(std::size_t units, int first_day, int days, int threads, Advance&& advance, DayDone&& day_done,
              const std::atomic<bool>* stop = nullptr, StopAt stop_at = StopAt::day_end) {
  const bool at_once = stop && stop_at == StopAt::now;
  auto one_unit = [&](std::size_t u, int day) {
    if (at_once && stop->load(std::memory_order_relaxed)) return;  // the day is abandoned
    advance(u, day);
  };
  std::optional<tbb::task_arena> own;
  if (threads > 0)
    own.emplace(threads);
  else if (threads == 0)
    own.emplace();  // all cores
  const int concurrency = own ? own->max_concurrency() : tbb::this_task_arena::max_concurrency();
  const std::size_t grain = std::max<std::size_t>(1, units / (64 * static_cast<std::size_t>(concurrency)));
  for (int day = first_day; day < days; ++day) {
    auto one_day = [&] {
      tbb::parallel_for(tbb::blocked_range<std::size_t>(0, units, grain),
                        [&](const tbb::blocked_range<std::size_t>& r) {
                          for (std::size_t u = r.begin(); u != r.end(); ++u) one_unit(u, day);
                        });
    };
    if (threads == kSerial)
      for (std::size_t u = 0; u < units; ++u) one_unit(u, day);
    else if (own)
      own->execute(one_day);
    else
      one_day();
    if (at_once && stop->load()) throw Interrupted();
    day_done(day);
    if (stop && stop->load()) throw Interrupted();
  }
}

}  // namespace attune::sim
