// Every scenario shipped under scenarios/ (found at test time, so new files are covered) loads,
// validates and runs, shrunk to 20 infants and 3 days.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include <algorithm>

#include "sim/cli/simulation.hpp"
#include "sim/cli/sweep.hpp"
#include "sim/hdf5_file.hpp"
#include "support/paths.hpp"

namespace attune::test {
namespace {

std::vector<fs::path> shipped_scenarios() {
  std::vector<fs::path> out;
  for (const auto& e : fs::recursive_directory_iterator(source_dir() / "scenarios"))
    if (e.is_regular_file() && (e.path().extension() == ".yaml" || e.path().extension() == ".yml"))
      out.push_back(e.path());
  std::sort(out.begin(), out.end());
  return out;
}

// scenarios/reference/ repeats the file names of scenarios/: name outputs by the relative path.
std::string output_name(const fs::path& file) {
  std::string name = fs::relative(file, source_dir() / "scenarios").replace_extension().string();
  std::replace(name.begin(), name.end(), '/', '_');
  return name;
}

TEST(ShippedScenarios, LoadAndRunShrunk) {
  const auto files = shipped_scenarios();
  ASSERT_GE(files.size(), 5u) << "the archetypes at least";
  TempDir dir;
  for (const auto& file : files) {
    SCOPED_TRACE(file.string());
    sim::Scenario s;
    ASSERT_NO_THROW(s = sim::load_scenario(file.string(), {}, app::model_spec()));
    // Long enough for the scenario's protocols and interventions to happen.
    int days = 3;
    for (const auto& p : s.experiment.protocols) days = std::max(days, p.day + 1);
    for (const auto& c : s.experiment.changes) days = std::max(days, c.day + 1);
    const auto out = dir / (output_name(file) + ".h5");
    const CliResult r = run_attune({"run", file.string(), "-o", out.string(), "--quiet", "--threads", "1",
                                    "--set", "population.infants=20", "--set",
                                    fmt::format("time.days={}", days), "--set", "trace={}"});
    ASSERT_EQ(r.status, 0) << r.output;
    const auto rows = sim::read_table(out.string(), "infants").rows();
    if (s.experiment.changes.empty() && !s.experiment.paired)
      EXPECT_EQ(rows, 20u);
    else
      EXPECT_GE(rows, 20u);
    if (!s.experiment.protocols.empty()) {
      EXPECT_GT(sim::read_table(out.string(), "protocol/phases").rows(), 0u);
    }
  }
}

// Sweep scenarios also run as sweeps, every point shrunk to 3 infants and 1 day.
TEST(ShippedScenarios, SweepsRunShrunk) {
  TempDir dir;
  int sweeps = 0;
  for (const auto& file : shipped_scenarios()) {
    if (!app::has_sweep(file.string())) continue;
    SCOPED_TRACE(file.string());
    ++sweeps;
    const auto out = dir / (output_name(file) + ".sweep.h5");
    const CliResult r = run_attune({"sweep", file.string(), "-o", out.string(), "--quiet", "--set",
                                    "population.infants=3", "--set", "time.days=1", "--set", "trace={}"});
    ASSERT_EQ(r.status, 0) << r.output;
    const sim::Table runs = sim::read_table(out.string(), "runs");
    ASSERT_GT(runs.rows(), 0u);
    for (const auto& status : runs.find("status")->texts) EXPECT_EQ(status, "done");
    EXPECT_EQ(sim::read_table(out.string(), "infants").rows(), 3 * runs.rows());
  }
  EXPECT_GE(sweeps, 6) << "the three sweeps of scenarios/sweeps and of scenarios/reference/sweeps at least";
}

}  // namespace
}  // namespace attune::test
