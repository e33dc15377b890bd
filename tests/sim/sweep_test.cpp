// `attune sweep` through the real command line: results that do not depend on the thread count,
// per-run seeds derived from the master seed, failed runs recorded, bad input refused before
// anything is written, memory that does not grow with the number of runs, and the sweep lines
// of `attune check` and `attune info`. Resuming after a kill or an interrupt is in
// sweep_resume_test.cpp.
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>
#include <set>
#include <sstream>
#include <stdexcept>

#include <fmt/format.h>

#include "sim/cli/simulation.hpp"
#include "sim/design.hpp"
#include "sim/hdf5_file.hpp"
#include "sim/runner.hpp"
#include "sim/sweep.hpp"
#include "support/paths.hpp"
#include "support/tables.hpp"

namespace attune::test {
namespace {

std::string sweep_data(const char* name) { return (data_dir() / "sweeps" / name).string(); }

const char* const kDatasets[] = {"design", "runs", "infants", "run_summary"};

const sim::Column& column(const sim::Table& t, std::string_view name) {
  const sim::Column* c = t.find(name);
  if (!c) throw std::runtime_error(fmt::format("no column {}", name));
  return *c;
}

std::size_t index(std::int64_t i) { return static_cast<std::size_t>(i); }

// Rows [first, first + n) of `t`, without the column named `drop`.
sim::Table rows_of(const sim::Table& t, std::size_t first, std::size_t n, std::string_view drop = "") {
  sim::Table out;
  const auto from = static_cast<std::ptrdiff_t>(first);
  const auto to = static_cast<std::ptrdiff_t>(first + n);
  for (const auto& c : t.columns) {
    if (c.name == drop) continue;
    auto& o = out.add(c.name, c.kind, c.text_width);
    if (c.kind == sim::Column::int64) o.ints.assign(c.ints.begin() + from, c.ints.begin() + to);
    if (c.kind == sim::Column::float64) o.reals.assign(c.reals.begin() + from, c.reals.begin() + to);
    if (c.kind == sim::Column::text) o.texts.assign(c.texts.begin() + from, c.texts.begin() + to);
  }
  return out;
}

// The /infants rows of run `r` as /runs records them, without run_id.
sim::Table infants_of_run(const sim::Table& infants, const sim::Table& runs, std::size_t r) {
  return rows_of(infants, index(column(runs, "infants_first_row").ints.at(r)),
                 index(column(runs, "infants_rows").ints.at(r)), "run_id");
}

// Runs `attune sweep ARGS... -o OUT --quiet`.
CliResult sweep(const std::string& scenario, const fs::path& out, std::vector<std::string> extra = {}) {
  std::vector<std::string> args = {"sweep", scenario, "-o", out.string(), "--quiet"};
  args.insert(args.end(), extra.begin(), extra.end());
  return run_attune(args);
}

// ---------------------------------------------------------------------------------------------
// 1. The thread count changes nothing.

TEST(SweepDeterminism, OneTwoAndFourThreadsWriteBitwiseIdenticalDatasets) {
  TempDir dir;
  const std::string scenario = sweep_data("small.yaml");
  std::vector<std::string> files;
  for (int threads : {1, 2, 4}) {
    files.push_back((dir / fmt::format("t{}.h5", threads)).string());
    const CliResult r = sweep(scenario, files.back(), {"--threads", std::to_string(threads)});
    ASSERT_EQ(r.status, 0) << r.output;
  }
  const sim::Table runs = sim::read_table(files[0], "runs");
  ASSERT_EQ(runs.rows(), 12u);
  for (const auto& s : column(runs, "status").texts) EXPECT_EQ(s, "done");
  const sim::Table infants = sim::read_table(files[0], "infants");
  ASSERT_EQ(infants.rows(), 12u * 8u);
  const auto& gain = column(infants, "signal_gain").reals;
  EXPECT_NE(*std::min_element(gain.begin(), gain.end()), *std::max_element(gain.begin(), gain.end()))
      << "infants must differ for the comparison to mean anything";

  for (std::size_t i = 1; i < files.size(); ++i)
    for (const char* name : kDatasets) {
      SCOPED_TRACE(fmt::format("{} /{}", files[i], name));
      EXPECT_EQ(first_difference(sim::read_table(files[0], name), sim::read_table(files[i], name)), "");
    }

  // A control: another master seed must make a difference the comparison sees.
  const auto other = dir / "seed.h5";
  const CliResult r = sweep(scenario, other, {"--threads", "2", "--seed", "78"});
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_NE(first_difference(infants, sim::read_table(other.string(), "infants")), "");
}

// The library drives a sweep without the command line (sim/sweep.hpp): the same file as
// `attune sweep`, its start callback, and a stop flag that leaves a clean, resumable prefix.
TEST(SweepLibrary, RunsWithoutTheCommandLineToTheSameFile) {
  TempDir dir;
  const std::string scenario = sweep_data("small.yaml");
  const auto cli = dir / "cli.h5", lib = dir / "lib.h5";
  ASSERT_EQ(sweep(scenario, cli, {"--threads", "2"}).status, 0);
  const sim::SweepPlan plan = sim::plan_sweep(scenario, {}, app::model_spec());
  const sim::Model& model = app::model_of(plan.base);
  sim::SweepSettings settings;
  settings.output = lib.string();
  settings.threads = 1;
  std::size_t starts = 0;
  settings.on_start = [&](int threads, std::size_t first, std::size_t total) {
    ++starts;
    EXPECT_EQ(threads, 1);
    EXPECT_EQ(first, 0u);
    EXPECT_EQ(total, 12u);
  };
  const sim::SweepOutcome o = sim::run_sweep(model, plan, settings);
  EXPECT_TRUE(o.complete());
  EXPECT_EQ(o.written, 12u);
  EXPECT_EQ(starts, 1u);
  for (const char* name : kDatasets) {
    SCOPED_TRACE(name);
    EXPECT_EQ(first_difference(sim::read_table(cli.string(), name), sim::read_table(lib.string(), name)), "");
  }

  // Stopped before it starts: nothing is run, the file holds every run as pending, and a resume
  // finishes it to the same datasets.
  const auto stopped = dir / "stopped.h5";
  const std::atomic<bool> stop{true};
  settings.output = stopped.string();
  settings.stop = &stop;
  settings.on_start = nullptr;
  const sim::SweepOutcome none = sim::run_sweep(model, plan, settings);
  EXPECT_FALSE(none.complete());
  EXPECT_EQ(none.written, 0u);
  settings.stop = nullptr;
  settings.resume = true;
  EXPECT_TRUE(sim::run_sweep(model, plan, settings).complete());
  EXPECT_EQ(first_difference(sim::read_table(cli.string(), "infants"),
                             sim::read_table(stopped.string(), "infants")),
            "");
}

// A farm (sim::SweepSettings::farm) may deliver results in any order, and stop part way: the file
// keeps every finished run (a set, not a prefix), a resume runs only the others, and the complete
// file is put into run order: the same datasets as a one-process sweep. Here the farm is a stand-in
// that runs the odd rows backwards, then stops; the copy's memory budget is forced small so that
// the reordering spans many windows.
TEST(SweepLibrary, ResultsInAnyOrderAndAnySetOfFinishedRunsResumeToTheSameFile) {
  TempDir dir;
  const std::string scenario = sweep_data("small.yaml");
  const auto cli = dir / "cli.h5", lib = dir / "lib.h5";
  ASSERT_EQ(sweep(scenario, cli, {"--threads", "1"}).status, 0);
  const sim::SweepPlan plan = sim::plan_sweep(scenario, {}, app::model_spec());
  const sim::Model& model = app::model_of(plan.base);
  const std::vector<std::size_t> mine = sim::shard_runs(plan, {});
  ASSERT_EQ(setenv("ATTUNE_COPY_BUDGET", "700", 1), 0);  // a few rows per window
  sim::SweepSettings settings;
  settings.output = lib.string();
  settings.threads = 1;
  std::vector<std::size_t> handed;
  settings.farm = [&](const std::vector<std::size_t>& todo, const std::atomic<bool>& stop,
                      const sim::Deliver& deliver, const std::function<void()>& idle) {
    idle();
    for (auto k = todo.rbegin(); k != todo.rend(); ++k) {
      handed.push_back(*k);
      if (*k % 2 == 0) continue;
      auto out = sim::execute_run(model, plan, mine[*k], sim::kSerial, stop);
      out->row = *k;
      deliver(out);
    }
  };
  const sim::SweepOutcome half = sim::run_sweep(model, plan, settings);
  EXPECT_FALSE(half.complete());
  EXPECT_EQ(half.written, 6u);
  const sim::Table runs = sim::read_table(lib.string(), "runs");
  for (std::size_t r = 0; r < 12; ++r)
    EXPECT_EQ(column(runs, "status").texts[r], r % 2 ? "done" : "pending") << "run " << r;
  // Each finished run's rows are where /runs says, and equal the one-process sweep's.
  const sim::Table ref_runs = sim::read_table(cli.string(), "runs");
  const sim::Table ref_infants = sim::read_table(cli.string(), "infants");
  const sim::Table infants = sim::read_table(lib.string(), "infants");
  for (std::size_t r = 1; r < 12; r += 2)
    EXPECT_EQ(first_difference(infants_of_run(infants, runs, r), infants_of_run(ref_infants, ref_runs, r)),
              "")
        << "run " << r;

  // Resumed by a farm that hands back every pending run, in reverse: only the even ones.
  handed.clear();
  settings.resume = true;
  settings.farm = [&](const std::vector<std::size_t>& todo, const std::atomic<bool>& stop,
                      const sim::Deliver& deliver, const std::function<void()>& idle) {
    idle();
    for (auto k = todo.rbegin(); k != todo.rend(); ++k) {
      handed.push_back(*k);
      auto out = sim::execute_run(model, plan, mine[*k], sim::kSerial, stop);
      out->row = *k;
      deliver(out);
    }
  };
  const sim::SweepOutcome rest = sim::run_sweep(model, plan, settings);
  unsetenv("ATTUNE_COPY_BUDGET");
  EXPECT_TRUE(rest.complete());
  EXPECT_EQ(rest.first, 6u);
  EXPECT_EQ(handed, (std::vector<std::size_t>{10, 8, 6, 4, 2, 0}));
  for (const char* name : kDatasets) {
    SCOPED_TRACE(name);
    EXPECT_EQ(first_difference(sim::read_table(cli.string(), name), sim::read_table(lib.string(), name)), "");
  }
  EXPECT_EQ(dir.list(), (std::vector<std::string>{"cli.h5", "lib.h5"}));  // no temporary file left
}

// ---------------------------------------------------------------------------------------------
// 2. Run seeds.

TEST(SweepSeeds, EveryRunHasItsOwnSeedDerivedFromTheMasterSeed) {
  TempDir dir;
  const auto out = dir / "sweep.h5";
  const CliResult r = sweep(sweep_data("small.yaml"), out);
  ASSERT_EQ(r.status, 0) << r.output;
  const sim::Table runs = sim::read_table(out.string(), "runs");
  ASSERT_EQ(runs.rows(), 12u);
  const auto& seeds = column(runs, "seed").ints;
  EXPECT_EQ(std::set<std::int64_t>(seeds.begin(), seeds.end()).size(), seeds.size()) << "seeds repeat";
  for (std::size_t i = 0; i < runs.rows(); ++i) {
    SCOPED_TRACE(fmt::format("run {}", i));
    const std::int64_t point = column(runs, "point_id").ints[i];
    const std::int64_t replicate = column(runs, "replicate").ints[i];
    EXPECT_EQ(column(runs, "run_id").ints[i], static_cast<std::int64_t>(i));
    EXPECT_EQ(point, static_cast<std::int64_t>(i / 2));
    EXPECT_EQ(replicate, static_cast<std::int64_t>(i % 2));
    const std::uint64_t expected =
        sim::run_seed(77, static_cast<std::uint64_t>(point), static_cast<std::uint64_t>(replicate)) >> 1;
    EXPECT_EQ(seeds[i], static_cast<std::int64_t>(expected));
  }
  EXPECT_EQ(sim::read_attributes(out.string()).at("seed"), "77");
}

TEST(SweepSeeds, AnotherMasterSeedChangesEveryRunSeed) {
  TempDir dir;
  const auto a = dir / "a.h5", b = dir / "b.h5";
  ASSERT_EQ(sweep(sweep_data("small.yaml"), a).status, 0);
  const CliResult r = sweep(sweep_data("small.yaml"), b, {"--seed", "78"});
  ASSERT_EQ(r.status, 0) << r.output;
  const auto seeds_a = column(sim::read_table(a.string(), "runs"), "seed").ints;
  const sim::Table runs_b = sim::read_table(b.string(), "runs");
  const auto& seeds_b = column(runs_b, "seed").ints;
  ASSERT_EQ(seeds_a.size(), seeds_b.size());
  const std::set<std::int64_t> old_seeds(seeds_a.begin(), seeds_a.end());
  for (std::size_t i = 0; i < seeds_b.size(); ++i) {
    SCOPED_TRACE(fmt::format("run {}", i));
    EXPECT_EQ(old_seeds.count(seeds_b[i]), 0u) << "a seed of master 77 reappears under master 78";
    const std::uint64_t expected =
        sim::run_seed(78, static_cast<std::uint64_t>(column(runs_b, "point_id").ints[i]),
                      static_cast<std::uint64_t>(column(runs_b, "replicate").ints[i])) >>
        1;
    EXPECT_EQ(seeds_b[i], static_cast<std::int64_t>(expected));
  }
  EXPECT_EQ(sim::read_attributes(b.string()).at("seed"), "78");
}

TEST(SweepSeeds, ReplicatesOfOnePointGiveDifferentInfants) {
  TempDir dir;
  const auto out = dir / "sweep.h5";
  ASSERT_EQ(sweep(sweep_data("small.yaml"), out).status, 0);
  const sim::Table runs = sim::read_table(out.string(), "runs");
  const sim::Table infants = sim::read_table(out.string(), "infants");
  ASSERT_EQ(runs.rows(), 12u);
  for (std::size_t point = 0; point < 6; ++point) {
    SCOPED_TRACE(fmt::format("point {}", point));
    const std::size_t r0 = 2 * point, r1 = r0 + 1;
    for (const char* factor : {"caregiver.rupture_rate", "caregiver.rejection"})
      EXPECT_EQ(column(runs, factor).reals[r0], column(runs, factor).reals[r1]) << factor;
    EXPECT_NE(column(runs, "seed").ints[r0], column(runs, "seed").ints[r1]);
    const sim::Table a = infants_of_run(infants, runs, r0), b = infants_of_run(infants, runs, r1);
    ASSERT_EQ(a.rows(), 8u);
    ASSERT_EQ(b.rows(), 8u);
    EXPECT_NE(first_difference(a, b), "");
    EXPECT_NE(column(a, "signal_gain").reals, column(b, "signal_gain").reals);
  }
}

// Every run of the sweep, run alone with `attune run --seed S --set factor=value ...`, gives
// exactly its rows of the sweep's /infants.
TEST(SweepSeeds, EachRunCanBeReproducedAloneWithItsSeedAndFactorValues) {
  TempDir dir;
  const auto out = dir / "sweep.h5";
  const std::string scenario = sweep_data("small.yaml");
  ASSERT_EQ(sweep(scenario, out).status, 0);
  const sim::Table runs = sim::read_table(out.string(), "runs");
  const sim::Table infants = sim::read_table(out.string(), "infants");
  const std::vector<std::string> factors = {"caregiver.rupture_rate", "caregiver.rejection"};
  ASSERT_EQ(runs.rows(), 12u);
  for (std::size_t r = 0; r < runs.rows(); ++r) {
    SCOPED_TRACE(fmt::format("run {}", r));
    std::vector<std::string> args = {"run",    scenario,
                                     "-o",     (dir / fmt::format("run{}.h5", r)).string(),
                                     "--seed", std::to_string(column(runs, "seed").ints[r]),
                                     "--quiet"};
    for (const auto& f : factors) {
      args.push_back("--set");
      args.push_back(fmt::format("{}={}", f, column(runs, f).reals[r]));
    }
    const CliResult alone = run_attune(args);
    ASSERT_EQ(alone.status, 0) << alone.output;
    const sim::Table expected = infants_of_run(infants, runs, r);
    ASSERT_EQ(expected.rows(), 8u);
    EXPECT_EQ(first_difference(sim::read_table(args[3], "infants"), expected), "");
  }
}

// ---------------------------------------------------------------------------------------------
// 4. A run that fails is recorded, and the sweep goes on.

TEST(SweepFailure, ANonFiniteRunIsRecordedAsFailedAndTheSweepSucceeds) {
  TempDir dir;
  const auto out = dir / "sweep.h5";
  const CliResult r = sweep(sweep_data("failure.yaml"), out);
  ASSERT_EQ(r.status, 0) << r.output;
  const sim::Table runs = sim::read_table(out.string(), "runs");
  ASSERT_EQ(runs.rows(), 2u);
  const auto& status = column(runs, "status").texts;
  const auto& reason = column(runs, "reason").texts;
  EXPECT_EQ(status[0], "done");
  EXPECT_EQ(reason[0], "");
  EXPECT_EQ(status[1], "failed");
  EXPECT_NE(reason[1].find("non-finite"), std::string::npos) << reason[1];
  EXPECT_EQ(column(runs, "caregiver.caregiver_regulation").reals[1], 5000.0);
  EXPECT_EQ(column(runs, "infants_rows").ints, (std::vector<std::int64_t>{6, 0}));

  const sim::Table infants = sim::read_table(out.string(), "infants");
  EXPECT_EQ(infants.rows(), 6u);
  EXPECT_EQ(column(infants, "run_id").ints, std::vector<std::int64_t>(6, 0)) << "rows of the done run only";
  for (const auto& c : infants.columns)
    for (double v : c.reals) EXPECT_TRUE(std::isfinite(v)) << c.name;
  const sim::Table summary = sim::read_table(out.string(), "run_summary");
  ASSERT_EQ(summary.rows(), 1u);
  EXPECT_EQ(column(summary, "run_id").ints[0], 0);
  EXPECT_EQ(column(summary, "infants").ints[0], 6);
}

// Each /run_summary row summarises its run's /infants rows.
TEST(SweepSummary, EachRowSummarisesItsRunsInfants) {
  TempDir dir;
  const auto out = dir / "sweep.h5";
  ASSERT_EQ(sweep(sweep_data("small.yaml"), out).status, 0);
  const sim::Table runs = sim::read_table(out.string(), "runs");
  const sim::Table infants = sim::read_table(out.string(), "infants");
  const sim::Table summary = sim::read_table(out.string(), "run_summary");
  ASSERT_EQ(summary.rows(), runs.rows());
  std::size_t means = 0;
  for (std::size_t r = 0; r < runs.rows(); ++r) {
    SCOPED_TRACE(fmt::format("run {}", r));
    for (const char* key : {"run_id", "point_id", "replicate"})
      EXPECT_EQ(column(summary, key).ints[r], column(runs, key).ints[r]) << key;
    const sim::Table mine = infants_of_run(infants, runs, r);
    const auto n = static_cast<double>(mine.rows());
    EXPECT_EQ(column(summary, "infants").ints[r], static_cast<std::int64_t>(mine.rows()));
    const auto& classes = column(mine, "classification").texts;
    for (const char* c : {"A", "B", "C", "D"})
      EXPECT_DOUBLE_EQ(column(summary, fmt::format("prop_{}", c)).reals[r],
                       static_cast<double>(std::count(classes.begin(), classes.end(), c)) / n)
          << c;
    for (const auto& c : summary.columns) {
      if (c.name.rfind("mean_", 0) != 0) continue;
      const sim::Column& values = column(mine, c.name.substr(5));
      double sum = 0;
      for (std::size_t i = 0; i < values.size(); ++i)
        sum += values.kind == sim::Column::int64 ? static_cast<double>(values.ints[i]) : values.reals[i];
      EXPECT_DOUBLE_EQ(c.reals[r], sum / n) << c.name;
      means += r == 0;
    }
  }
  EXPECT_GE(means, 10u) << "a mean for every numeric outcome";
}

// ---------------------------------------------------------------------------------------------
// 5. Bad input: refused with exit status 2, before anything is written.

const std::string kPrecious = "precious results\n\x01\x02 binary tail";

// "file:line:column" of the first occurrence of `value` on the line that contains `key`.
std::string location(const std::string& path, std::string_view key, std::string_view value) {
  std::istringstream in(read_text(path));
  std::string line;
  for (int n = 1; std::getline(in, line); ++n)
    if (line.find(key) != std::string::npos && line.find(value) != std::string::npos)
      return fmt::format("{}:{}:{}", path, n, line.find(value, line.find(key)) + 1);
  throw std::runtime_error(fmt::format("{}: no line with {} and {}", path, key, value));
}

TEST(SweepBadInput, AnOutOfRangeFactorValueIsLocatedAndNothingIsWritten) {
  TempDir dir;
  const std::string scenario = sweep_data("attunement_out_of_range.yaml");
  const CliResult r = sweep(scenario, dir / "sweep.h5");
  EXPECT_EQ(r.status, 2) << r.output;
  const std::string where = location(scenario, "caregiver.attunement:", "1.4");
  EXPECT_NE(r.output.find(where + ": caregiver.attunement: 1.4"), std::string::npos)
      << "expected " << where << " in: " << r.output;
  EXPECT_NE(r.output.find("out of range"), std::string::npos) << r.output;
  EXPECT_TRUE(dir.list().empty()) << "something was written";
}

TEST(SweepBadInput, AnUnknownFactorKeyGetsASuggestionAndNothingIsWritten) {
  TempDir dir;
  const std::string scenario = sweep_data("unknown_factor.yaml");
  const CliResult r = sweep(scenario, dir / "sweep.h5");
  EXPECT_EQ(r.status, 2) << r.output;
  EXPECT_NE(r.output.find(scenario + ":"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("caregiver.atunement"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("did you mean 'attunement'"), std::string::npos) << r.output;
  EXPECT_TRUE(dir.list().empty()) << "something was written";
}

TEST(SweepBadInput, ResumingAFileOfAnotherScenarioIsRefusedAndLeavesItUnchanged) {
  TempDir dir;
  const auto out = dir / "sweep.h5";
  ASSERT_EQ(sweep(sweep_data("small.yaml"), out).status, 0);
  const std::string before = read_text(out);
  struct Case {
    const char* what;
    std::string scenario;
    std::vector<std::string> extra;
  };
  const Case cases[] = {
      {"another scenario", sweep_data("failure.yaml"), {"--resume"}},
      {"another master seed", sweep_data("small.yaml"), {"--resume", "--seed", "78"}},
      {"another design", sweep_data("small.yaml"), {"--resume", "--set", "sweep.replicates=3"}},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.what);
    const CliResult r = sweep(c.scenario, out, c.extra);
    EXPECT_EQ(r.status, 2) << r.output;
    EXPECT_NE(r.output.find("was not written by this scenario"), std::string::npos) << r.output;
    EXPECT_EQ(read_text(out), before) << "the file was changed";
  }
  // The output of `attune run` is not a sweep to resume either.
  const auto run = dir / "run.h5";
  ASSERT_EQ(run_attune({"run", sweep_data("small.yaml"), "-o", run.string(), "--quiet"}).status, 0);
  const std::string run_before = read_text(run);
  const CliResult r = sweep(sweep_data("small.yaml"), run, {"--resume"});
  EXPECT_EQ(r.status, 2) << r.output;
  EXPECT_EQ(read_text(run), run_before);
  EXPECT_EQ(dir.list(), (std::vector<std::string>{"run.h5", "sweep.h5"}));
}

TEST(SweepBadInput, AScenarioWithoutASweepSectionIsRefused) {
  TempDir dir;
  const CliResult r = sweep((data_dir() / "valid_profiles.yaml").string(), dir / "sweep.h5");
  EXPECT_EQ(r.status, 2) << r.output;
  EXPECT_NE(r.output.find("has no 'sweep:' section"), std::string::npos) << r.output;
  EXPECT_TRUE(dir.list().empty());
}

// A text factor value is stored whole, so that the sweep can be resumed (and analysed).
TEST(SweepBadInput, ALongTextFactorValueIsKeptWholeAndTheSweepResumes) {
  TempDir dir;
  const auto out = dir / "sweep.h5";
  const std::string scenario = sweep_data("long_text_factor.yaml");
  const CliResult r = sweep(scenario, out);
  ASSERT_EQ(r.status, 0) << r.output;
  const std::string long_value = "a description long enough to pass sixty-four characters, as notes often do";
  EXPECT_EQ(column(sim::read_table(out.string(), "design"), "description").texts,
            (std::vector<std::string>{"short", long_value}));
  EXPECT_EQ(column(sim::read_table(out.string(), "runs"), "description").texts[1], long_value);
  const CliResult again = sweep(scenario, out, {"--resume"});
  EXPECT_EQ(again.status, 0) << again.output;
}

TEST(SweepBadInput, AnExistingOutputIsKeptUnlessForceIsGiven) {
  TempDir dir;
  const auto out = dir / "sweep.h5";
  write_text(out, kPrecious);
  CliResult r = sweep(sweep_data("small.yaml"), out);
  EXPECT_EQ(r.status, 2) << r.output;
  EXPECT_NE(r.output.find("already exists; use --force"), std::string::npos) << r.output;
  EXPECT_EQ(read_text(out), kPrecious);
  EXPECT_EQ(dir.list(), std::vector<std::string>{"sweep.h5"}) << "no temporary file may be left";

  // --force replaces only a file attune wrote: not this one, but an earlier sweep's result.
  r = sweep(sweep_data("small.yaml"), out, {"--force"});
  EXPECT_EQ(r.status, 2) << r.output;
  EXPECT_EQ(read_text(out), kPrecious);
  fs::remove(out);
  ASSERT_EQ(sweep(sweep_data("small.yaml"), out).status, 0);
  r = sweep(sweep_data("small.yaml"), out, {"--force"});
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_EQ(sim::read_table(out.string(), "runs").rows(), 12u);
  EXPECT_EQ(dir.list(), std::vector<std::string>{"sweep.h5"});
}

TEST(SweepBadInput, ResumeAndForceTogetherAreRefused) {
  TempDir dir;
  const auto out = dir / "sweep.h5";
  CliResult r = sweep(sweep_data("small.yaml"), out, {"--resume", "--force"});
  EXPECT_EQ(r.status, 2) << r.output;
  EXPECT_NE(r.output.find("--resume and --force"), std::string::npos) << r.output;
  EXPECT_TRUE(dir.list().empty());

  write_text(out, kPrecious);
  r = sweep(sweep_data("small.yaml"), out, {"--force", "--resume"});
  EXPECT_EQ(r.status, 2) << r.output;
  EXPECT_EQ(read_text(out), kPrecious);
}

// ---------------------------------------------------------------------------------------------
// 6. Results are streamed to the file, not held: peak memory does not grow with the runs.

// Runs `attune ARGS...` in a child process (output discarded) and returns its exit status and
// its peak resident set size in KiB, from wait4's resource usage of that one child.
std::pair<int, long> run_measured(const std::vector<std::string>& args) {
  std::vector<std::string> all = {attune_exe()};
  all.insert(all.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : all) argv.push_back(a.data());
  argv.push_back(nullptr);
  const pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    execv(argv[0], argv.data());
    _exit(127);
  }
  int status = 0;
  rusage usage{};
  if (wait4(pid, &status, 0, &usage) != pid) throw std::runtime_error("wait4 failed");
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, usage.ru_maxrss};
}

TEST(SweepMemory, PeakMemoryDoesNotGrowWithTheNumberOfRuns) {
#ifdef ATTUNE_SANITIZED
  GTEST_SKIP() << "under ASan, freed memory is held in quarantine: peak RSS says nothing here";
#endif
  TempDir dir;
  // 20 and 200 runs of 500 infants. Held in memory, the 200-run sweep's 100,000 /infants rows
  // (25 columns, about 250 bytes a row) would take some 25 MB more than the 20-run sweep's.
  const std::string scenario = sweep_data("memory.yaml");
  const auto few = dir / "few.h5", many = dir / "many.h5";
  const auto [few_status, few_kib] =
      run_measured({"sweep", scenario, "-o", few.string(), "--threads", "1", "--quiet"});
  ASSERT_EQ(few_status, 0);
  const auto [many_status, many_kib] = run_measured(
      {"sweep", scenario, "-o", many.string(), "--threads", "1", "--quiet", "--set", "sweep.replicates=10"});
  ASSERT_EQ(many_status, 0);
  ASSERT_EQ(sim::read_table(few.string(), "infants").rows(), 20u * 500u);
  ASSERT_EQ(sim::read_table(many.string(), "infants").rows(), 200u * 500u);
  EXPECT_LE(many_kib - few_kib, 10 * 1024)
      << "peak RSS: " << few_kib << " KiB for 20 runs, " << many_kib << " KiB for 200 runs";
}

// ---------------------------------------------------------------------------------------------
// 7. `attune check` and `attune info` on sweeps.

TEST(SweepCheckAndInfo, CheckPrintsTheDesignSize) {
  const std::string scenario = sweep_data("small.yaml");
  CliResult r = run_attune({"check", scenario});
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("6 points × 2 replicates = 12 runs"), std::string::npos) << r.output;
  r = run_attune({"check", scenario, "--set", "sweep.replicates=3"});
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("6 points × 3 replicates = 18 runs"), std::string::npos) << r.output;
}

TEST(SweepCheckAndInfo, InfoPrintsHowManyRunsAreDoneFailedAndPending) {
  TempDir dir;
  const auto small = dir / "small.h5", failure = dir / "failure.h5";
  ASSERT_EQ(sweep(sweep_data("small.yaml"), small).status, 0);
  ASSERT_EQ(sweep(sweep_data("failure.yaml"), failure).status, 0);
  CliResult r = run_attune({"info", small.string()});
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("6 points, 12 runs: 12 done, 0 failed, 0 pending"), std::string::npos) << r.output;
  r = run_attune({"info", failure.string()});
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("2 points, 2 runs: 1 done, 1 failed, 0 pending"), std::string::npos) << r.output;
}

}  // namespace
}  // namespace attune::test
