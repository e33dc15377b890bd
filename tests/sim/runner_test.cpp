// The parallel runner (sim/runner.hpp): every unit advances once a day, days in order, with the
// day's work finished before day_done sees it; a stop request ends the run between days.
#include <gtest/gtest.h>

#include <atomic>
#include <vector>

#include "sim/runner.hpp"

namespace attune::sim {
namespace {

TEST(RunDays, AdvancesEveryUnitOnceADayAndFinishesEachDayFirst) {
  for (int threads : {1, 2, 4}) {
    SCOPED_TRACE(threads);
    const std::size_t units = 1000;
    std::vector<int> last_day(units, -1);
    std::vector<int> advances(units, 0);
    std::vector<int> days_done;
    bool in_order = true;
    run_days(
        units, 0, 5, threads,
        [&](std::size_t u, int day) {
          in_order = in_order && last_day[u] == day - 1;  // each unit sees its days in order
          last_day[u] = day;
          ++advances[u];
        },
        [&](int day) {
          days_done.push_back(day);
          for (std::size_t u = 0; u < units; ++u)
            if (last_day[u] != day) ADD_FAILURE() << "unit " << u << " not done with day " << day;
        });
    EXPECT_TRUE(in_order);
    EXPECT_EQ(days_done, (std::vector<int>{0, 1, 2, 3, 4}));
    for (std::size_t u = 0; u < units; ++u) ASSERT_EQ(advances[u], 5) << u;
  }
}

TEST(RunDays, AStopRequestEndsTheRunAfterTheCurrentDay) {
  std::atomic<bool> stop{false};
  std::vector<int> days_done;
  EXPECT_THROW(run_days(
                   10, 0, 100, 2, [](std::size_t, int) {},
                   [&](int day) {
                     days_done.push_back(day);
                     if (day == 2) stop = true;
                   },
                   &stop),
               Interrupted);
  EXPECT_EQ(days_done, (std::vector<int>{0, 1, 2}));
}

}  // namespace
}  // namespace attune::sim
