// Beyond one process: shards merged, and (when built with ATTUNE_MPI) mpirun, all equal to the
// same sweep run by one process.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>

#include "sim/hdf5_file.hpp"

#include "support/paths.hpp"
#include "support/tables.hpp"

namespace attune::test {
namespace {

const std::string kSweep = (data_dir() / "sweeps" / "small.yaml").string();

std::string single(const TempDir& dir) {
  const std::string out = (dir / "single.h5").string();
  const CliResult r = run_attune({"sweep", kSweep, "-o", out, "--quiet"});
  EXPECT_EQ(r.status, 0) << r.output;
  return out;
}

std::vector<std::string> shards(const TempDir& dir, int n, const std::vector<std::string>& extra = {}) {
  std::vector<std::string> parts;
  for (int i = 0; i < n; ++i) {
    parts.push_back((dir / ("part-" + std::to_string(i) + ".h5")).string());
    std::vector<std::string> args{
        "sweep", kSweep,       "--shard", std::to_string(i) + "/" + std::to_string(n),
        "-o",    parts.back(), "--quiet"};
    args.insert(args.end(), extra.begin(), extra.end());
    const CliResult r = run_attune(args);
    EXPECT_EQ(r.status, 0) << r.output;
  }
  return parts;
}

TEST(Shards, ThreeShardsMergedEqualOneProcess) {
  TempDir dir;
  const std::string one = single(dir);
  auto parts = shards(dir, 3);
  std::swap(parts[0], parts[2]);  // the order of the parts does not matter
  const std::string merged = (dir / "merged.h5").string();
  std::vector<std::string> args{"merge"};
  args.insert(args.end(), parts.begin(), parts.end());
  args.insert(args.end(), {"-o", merged});
  const CliResult r = run_attune(args);
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_EQ(first_file_difference(one, merged, kSweepDatasets), "");
}

TEST(Shards, MergeRejectsMissingDuplicatedAndForeignParts) {
  TempDir dir;
  const auto parts = shards(dir, 3);
  const std::string out = (dir / "out.h5").string();
  CliResult r = run_attune({"merge", parts[0], parts[2], "-o", out});
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.output.find("missing shard(s) 1/3"), std::string::npos) << r.output;
  r = run_attune({"merge", parts[0], parts[1], parts[1], parts[2], "-o", out});
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.output.find("are both shard 1/3"), std::string::npos) << r.output;
  const std::string foreign = (dir / "foreign.h5").string();
  ASSERT_EQ(
      run_attune({"sweep", kSweep, "--shard", "1/3", "--seed", "4242", "-o", foreign, "--quiet"}).status, 0);
  r = run_attune({"merge", parts[0], foreign, parts[2], "-o", out});
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.output.find("foreign.h5: comes from another scenario or design"), std::string::npos)
      << r.output;
  EXPECT_FALSE(fs::exists(out));
}

TEST(Shards, SlurmArrayVariablesChooseTheShard) {
  TempDir dir;
  const auto parts = shards(dir, 3);
  const std::string out = (dir / "slurm.h5").string();
  const CliResult r = run_shell("SLURM_ARRAY_TASK_ID=12 SLURM_ARRAY_TASK_MIN=10 SLURM_ARRAY_TASK_COUNT=3 " +
                                quote(attune_exe()) + " sweep " + quote(kSweep) + " --shard slurm -o " +
                                quote(out) + " --quiet");
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_EQ(first_file_difference(parts[2], out, kSweepDatasets), "");
  const CliResult bad = run_attune({"sweep", kSweep, "--shard", "3/3", "-o", (dir / "x.h5").string()});
  EXPECT_EQ(bad.status, 2);
  EXPECT_NE(bad.output.find("expected I/N"), std::string::npos) << bad.output;
}

// Many parts (40 shards of a 64-run sweep, a few runs each) merged with a memory budget of a few
// kilobytes, so that the run order spans many windows and every window reads from many parts:
// the same datasets as the one-process sweep.
TEST(Shards, FortyShardsMergedInSmallWindowsEqualOneProcess) {
  TempDir dir;
  const std::string sweep = (data_dir() / "sweeps" / "interrupt.yaml").string();
  const std::string one = (dir / "one.h5").string();
  ASSERT_EQ(run_attune({"sweep", sweep, "-o", one, "--quiet", "--set", "time.days=1"}).status, 0);
  std::string parts;
  for (int i = 0; i < 40; ++i) {
    const std::string part = (dir / fmt::format("part-{}.h5", i)).string();
    const CliResult r = run_attune({"sweep", sweep, "--shard", fmt::format("{}/40", i), "-o", part, "--quiet",
                                    "--threads", "1", "--set", "time.days=1"});
    ASSERT_EQ(r.status, 0) << r.output;
    parts.append(" ").append(quote(part));
  }
  for (const char* budget : {"5000", ""}) {
    SCOPED_TRACE(budget);
    const std::string merged = (dir / fmt::format("merged{}.h5", budget)).string();
    const std::string env = *budget ? fmt::format("ATTUNE_COPY_BUDGET={} ", budget) : "";
    const CliResult r = run_shell(env + quote(attune_exe()) + " merge" + parts + " -o " + quote(merged));
    ASSERT_EQ(r.status, 0) << r.output;
    EXPECT_NE(r.output.find("merged 40 parts (64 runs)"), std::string::npos) << r.output;
    EXPECT_EQ(first_file_difference(one, merged, kSweepDatasets), "");
  }
}

// A process bound to fewer cores than --threads asks for says so (a launcher binding each rank to
// one core would otherwise turn --threads 4 into one thread without a word); with enough cores,
// or one thread, nothing is said.
TEST(Placement, FewerCoresThanThreadsIsWarnedAbout) {
  TempDir dir;
  const std::string out = (dir / "bound.h5").string();
  const CliResult bound = run_shell("taskset -c 0 " + quote(attune_exe()) + " sweep " + quote(kSweep) +
                                    " -o " + quote(out) + " --quiet --threads 2");
  ASSERT_EQ(bound.status, 0) << bound.output;
  EXPECT_NE(bound.output.find("warning: --threads 2 but this process may run on only 1 core"),
            std::string::npos)
      << bound.output;
  const CliResult one = run_shell("taskset -c 0 " + quote(attune_exe()) + " sweep " + quote(kSweep) + " -o " +
                                  quote(out) + " --quiet --force --threads 1");
  ASSERT_EQ(one.status, 0) << one.output;
  EXPECT_EQ(one.output.find("warning"), std::string::npos) << one.output;
}

#ifdef ATTUNE_HAVE_MPI
// Open MPI refuses to start as root unless told; CI runs as root.
std::string mpirun(int ranks, const std::string& args) {
  return "OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 mpirun --oversubscribe -n " +
         std::to_string(ranks) + " " + quote(attune_exe()) + " " + args;
}

TEST(Mpi, TwoAndThreeRanksEqualOneProcess) {
  TempDir dir;
  const std::string one = single(dir);
  for (int ranks : {2, 3}) {
    const std::string out = (dir / ("mpi" + std::to_string(ranks) + ".h5")).string();
    const CliResult r =
        run_shell(mpirun(ranks, "sweep " + quote(kSweep) + " -o " + quote(out) + " --quiet --threads 1"));
    ASSERT_EQ(r.status, 0) << r.output;
    EXPECT_EQ(first_file_difference(one, out, kSweepDatasets), "") << ranks << " ranks";
  }
}

// Results of any size: with the message size forced down to 256 bytes every run's result is
// sent in many chunks, and the file is still the one-process file.
TEST(Mpi, ResultsSplitIntoManySmallMessagesEqualOneProcess) {
  TempDir dir;
  const std::string one = single(dir);
  const std::string out = (dir / "chunked.h5").string();
  const CliResult r = run_shell("ATTUNE_MPI_CHUNK=256 " + mpirun(3, "sweep " + quote(kSweep) + " -o " +
                                                                        quote(out) + " --quiet --threads 1"));
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_EQ(first_file_difference(one, out, kSweepDatasets), "");
}

// One slow, large first run and 150 small ones: stopped (SIGUSR1) while the first still runs, the
// file keeps every small run finished so far (they are written as they arrive, not held behind
// run 0); resumed, it equals the one-process sweep.
TEST(Mpi, StoppedBehindASlowFirstRunKeepsTheFinishedRunsAndResumesIdentically) {
  TempDir dir;
  std::string csv = "population.infants\n3000\n";
  for (int i = 0; i < 150; ++i) csv += "3\n";
  write_text(dir / "sizes.csv", csv);
  const std::string sweep = (dir / "slow_first.yaml").string();
  write_text(sweep,
             "name: slow_first\nseed: 3\ntime: {days: 6, sessions_per_day: 4, session_s: 300, dt: 1}\n"
             "population: {infants: 3}\nsweep:\n  design: csv\n  file: sizes.csv\n");
  const std::string whole = (dir / "whole.h5").string(), cut = (dir / "cut.h5").string();
  ASSERT_EQ(run_attune({"sweep", sweep, "-o", whole, "--quiet", "--threads", "1"}).status, 0);
  // Stopped once 100 runs are recorded (read while the sweep writes it), or after a minute.
  const std::string info = quote(attune_exe()) + " info " + quote(cut);
  std::string command = "(ATTUNE_MPI_CHUNK=4096 ";
  command += mpirun(3, "sweep " + quote(sweep) + " -o " + quote(cut) + " --quiet --threads 1");
  command += " & pid=$!; for i in $(seq 600); do n=$(" + info +
             " 2>/dev/null | sed -n 's/.*runs: \\([0-9]*\\) done.*/\\1/p'); "
             "[ \"${n:-0}\" -ge 100 ] && break; sleep 0.1; done; kill -USR1 $pid; wait $pid)";
  const CliResult r = run_shell(command);
  EXPECT_NE(r.output.find("--resume"), std::string::npos) << r.output;
  const sim::Table runs = sim::read_table(cut, "runs");
  const auto& status = runs.find("status")->texts;
  ASSERT_EQ(status.size(), 151u);
  EXPECT_EQ(status[0], "pending") << "the slow run was stopped, not finished";
  const auto done = static_cast<std::size_t>(std::count(status.begin(), status.end(), "done"));
  EXPECT_GE(done, 100u);
  EXPECT_NE(r.output.find(fmt::format("{} of 151 runs are safely in", done)), std::string::npos) << r.output;
  const CliResult again =
      run_shell("ATTUNE_MPI_CHUNK=4096 " +
                mpirun(3, "sweep " + quote(sweep) + " -o " + quote(cut) + " --resume --threads 1"));
  ASSERT_EQ(again.status, 0) << again.output;
  EXPECT_NE(again.output.find(fmt::format("resuming: {} of 151 runs already on disk", done)),
            std::string::npos)
      << again.output;
  EXPECT_EQ(first_file_difference(whole, cut, kSweepDatasets), "");
}

TEST(Mpi, InterruptedAndResumedEqualsUninterrupted) {
  TempDir dir;
  const std::string sweep = (data_dir() / "sweeps" / "interrupt.yaml").string();
  const std::string whole = (dir / "whole.h5").string(), cut = (dir / "cut.h5").string();
  const std::string longer = " --set time.days=40";  // a few seconds, so that the signal lands mid-sweep
  ASSERT_EQ(run_attune({"sweep", sweep, "-o", whole, "--quiet", "--set", "time.days=40"}).status, 0);
  // SIGUSR1 (SLURM's walltime warning) after a second: mpirun forwards it to every rank.
  std::string command = "(";
  command += mpirun(3, "sweep " + quote(sweep) + " -o " + quote(cut) + " --quiet --threads 1" + longer);
  command += " & pid=$!; sleep 1; kill -USR1 $pid; wait $pid)";
  const CliResult r = run_shell(command);
  EXPECT_NE(r.output.find("--resume"), std::string::npos) << r.output;
  const CliResult again = run_shell(
      mpirun(3, "sweep " + quote(sweep) + " -o " + quote(cut) + " --resume --quiet --threads 1" + longer));
  ASSERT_EQ(again.status, 0) << again.output;
  EXPECT_EQ(first_file_difference(whole, cut, kSweepDatasets), "");
}
#endif

}  // namespace
}  // namespace attune::test
