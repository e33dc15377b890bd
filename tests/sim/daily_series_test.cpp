// Daily series (output.daily): one rows × days float32 dataset per field, written in 16-day
// chunks as the run goes; the last day agrees with the final outcome table.
#include <gtest/gtest.h>

#include "sim/errors.hpp"
#include "sim/hdf5_file.hpp"
#include "support/paths.hpp"

namespace attune::test {
namespace {

TEST(DailySeries, LastDayAgreesWithTheOutcomeTable) {
  TempDir dir;
  const auto out = (dir / "daily.h5").string();
  // 35 days: two full 16-day chunks and a partial one.
  const CliResult r =
      run_attune({"run", (data_dir() / "valid_profiles.yaml").string(), "-o", out, "--quiet", "--set",
                  "time.days=35", "--set", "output.daily=[signal_gain, shocks, episodes]"});
  ASSERT_EQ(r.status, 0) << r.output;
  const sim::Table t = sim::read_table(out, "infants");
  ASSERT_EQ(t.rows(), 12u);
  const auto names = sim::list_group(out, "daily");
  EXPECT_EQ(names, (std::vector<std::string>{"episodes", "shocks", "signal_gain"}));

  std::size_t rows = 0, days = 0;
  const auto gain = sim::read_daily(out, "signal_gain", rows, days);
  ASSERT_EQ(rows, 12u);
  ASSERT_EQ(days, 35u);
  const auto episodes = sim::read_daily(out, "episodes", rows, days);
  for (std::size_t i = 0; i < rows; ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(gain[i * days + days - 1], static_cast<float>(t.find("signal_gain")->reals[i]));
    EXPECT_EQ(episodes[i * days + days - 1], static_cast<double>(t.find("episodes")->ints[i]));
    // Episodes are counted over the run so far: never decreasing, and growing over the weeks.
    for (std::size_t d = 1; d < days; ++d) EXPECT_GE(episodes[i * days + d], episodes[i * days + d - 1]);
    EXPECT_GT(episodes[i * days + 20], episodes[i * days + 3]);
    EXPECT_NE(gain[i * days + 0], gain[i * days + days - 1]) << "the strategy moves over 35 days";
  }
}

TEST(DailySeries, NoDailyFieldsMeansNoDailyGroup) {
  TempDir dir;
  const auto out = (dir / "plain.h5").string();
  const CliResult r = run_attune({"run", (data_dir() / "valid_profiles.yaml").string(), "-o", out, "--quiet",
                                  "--set", "output.daily=[]"});
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_TRUE(sim::list_group(out, "daily").empty());
  std::size_t rows = 0, days = 0;
  EXPECT_THROW(sim::read_daily(out, "signal_gain", rows, days), sim::InputError);
}

}  // namespace
}  // namespace attune::test
