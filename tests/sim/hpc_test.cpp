// Beyond one process: shards merged, and (when built with ATTUNE_MPI) mpirun, all equal to the
// same sweep run by one process.
#include <gtest/gtest.h>

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
