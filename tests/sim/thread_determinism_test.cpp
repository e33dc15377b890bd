// The same scenario and seed give bitwise-identical datasets on 1, 2 and 8 threads (DESIGN.md
// principle 1), through the real command line into HDF5.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>

#include <fmt/format.h>

#include "sim/hdf5_file.hpp"
#include "support/paths.hpp"

namespace attune::test {
namespace {

// Small, but with population spread, two profiles, and daily series that cross a 16-day chunk.
constexpr const char* kScenario = R"(name: threads
seed: 2024
time: {days: 20, sessions_per_day: 4, session_s: 300, dt: 1}
population: {infants: 48}
caregiver:
  attunement: {dist: beta, mean: 0.6, concentration: 5}
  rupture_rate: {dist: lognormal, mean: 1.5, log_sd: 0.6}
profiles:
  - name: ordinary
    weight: 2
  - name: stressed
    weight: 1
    caregiver:
      baseline_stress: {dist: uniform, min: 0.5, max: 2.5}
      rejection: {dist: normal, mean: 1.0, sd: 1.0}
output:
  daily: [signal_gain, fear, cortisol, shocks, synchrony]
)";

bool same_bits(const std::vector<double>& a, const std::vector<double>& b) {
  return a.size() == b.size() &&
         (a.empty() || std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0);
}

// The first column whose names, kinds or bits differ; empty when the tables are identical.
std::string first_difference(const sim::Table& a, const sim::Table& b) {
  if (a.columns.size() != b.columns.size() || a.rows() != b.rows()) return "shape";
  for (std::size_t c = 0; c < a.columns.size(); ++c) {
    const sim::Column &x = a.columns[c], &y = b.columns[c];
    if (x.name != y.name || x.kind != y.kind || x.ints != y.ints || !same_bits(x.reals, y.reals) ||
        x.texts != y.texts)
      return x.name;
  }
  return "";
}

TEST(ThreadDeterminism, OneTwoAndEightThreadsWriteBitwiseIdenticalData) {
  TempDir dir;
  const auto scenario = dir / "threads.yaml";
  write_text(scenario, kScenario);
  const int threads[] = {1, 2, 8};
  std::vector<std::string> files;
  for (int t : threads) {
    files.push_back((dir / fmt::format("t{}.h5", t)).string());
    const CliResult r =
        run_attune({"run", scenario.string(), "-o", files.back(), "--threads", std::to_string(t), "--quiet"});
    ASSERT_EQ(r.status, 0) << r.output;
  }

  // A control: another seed must make a difference the comparison sees.
  const auto other_seed = (dir / "seed.h5").string();
  const CliResult r = run_attune({"run", scenario.string(), "-o", other_seed, "--seed", "2025", "--quiet"});
  ASSERT_EQ(r.status, 0) << r.output;

  const sim::Table reference = sim::read_table(files[0], "infants");
  EXPECT_NE(first_difference(reference, sim::read_table(other_seed, "infants")), "");
  ASSERT_EQ(reference.rows(), 48u);
  const sim::Column* profile = reference.find("profile");
  ASSERT_NE(profile, nullptr);
  EXPECT_NE(std::count(profile->texts.begin(), profile->texts.end(), "stressed"), 0) << "both profiles drawn";
  const sim::Column* gain = reference.find("signal_gain");
  ASSERT_NE(gain, nullptr);
  EXPECT_NE(*std::min_element(gain->reals.begin(), gain->reals.end()),
            *std::max_element(gain->reals.begin(), gain->reals.end()))
      << "infants must differ for the comparison to mean anything";

  for (std::size_t i = 1; i < files.size(); ++i) {
    SCOPED_TRACE(files[i]);
    EXPECT_EQ(first_difference(reference, sim::read_table(files[i], "infants")), "");
    for (const char* field : {"signal_gain", "fear", "cortisol", "shocks", "synchrony"}) {
      SCOPED_TRACE(field);
      std::size_t rows0 = 0, days0 = 0, rows = 0, days = 0;
      const auto a = sim::read_daily(files[0], field, rows0, days0);
      const auto b = sim::read_daily(files[i], field, rows, days);
      EXPECT_EQ(rows0, 48u);
      EXPECT_EQ(days0, 20u);
      EXPECT_EQ(rows, rows0);
      EXPECT_EQ(days, days0);
      EXPECT_TRUE(same_bits(a, b));
    }
  }
}

}  // namespace
}  // namespace attune::test
