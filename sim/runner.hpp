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

#include "sim/errors.hpp"

namespace attune::sim {

struct Interrupted : Error {
  Interrupted() : Error("interrupted") {}
};

// `advance(unit, day)` must touch only that unit's state. `day_done(day)` runs on this thread.
template <class Advance, class DayDone>
void run_days(std::size_t units, int days, int threads, Advance&& advance, DayDone&& day_done,
              const std::atomic<bool>* stop = nullptr) {
  tbb::task_arena arena(threads > 0 ? threads : tbb::task_arena::automatic);
  const std::size_t grain =
      std::max<std::size_t>(1, units / (64 * static_cast<std::size_t>(arena.max_concurrency())));
  for (int day = 0; day < days; ++day) {
    arena.execute([&] {
      tbb::parallel_for(tbb::blocked_range<std::size_t>(0, units, grain),
                        [&](const tbb::blocked_range<std::size_t>& r) {
                          for (std::size_t u = r.begin(); u != r.end(); ++u) advance(u, day);
                        });
    });
    day_done(day);
    if (stop && stop->load()) throw Interrupted();
  }
}

}  // namespace attune::sim
