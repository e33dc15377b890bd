// One population divided among MPI ranks (`mpirun -n R attune run`): every dataset equal, bit for
// bit, to a one-process run, for any rank and thread count, also when stopped by the walltime
// signal and resumed; a checkpoint resumed on another number of ranks is refused.
#include <gtest/gtest.h>
#include <hdf5.h>

#include <cstring>
#include <set>

#include "sim/cli/simulation.hpp"
#include "sim/hdf5_file.hpp"
#include "support/paths.hpp"
#include "support/tables.hpp"

namespace attune::test {
namespace {

// A checkpoint saved at the end of day 9 (next day 10), where the treated arm's change starts:
// the resumed run must apply that change before simulating day 10, as the uninterrupted run did
// (it was lost before: changes were applied only for the days before the checkpoint's).
TEST(Resume, AChangeStartingOnTheCheckpointsDayIsApplied) {
  TempDir dir;
  const sim::Scenario s =
      sim::load_scenario((data_dir() / "ranks" / "change_on_day.yaml").string(), {}, app::model_spec());
  auto run = [&](const std::string& name, int every, const std::string& resume) {
    sim::OutputFile out((dir / name).string(), false);
    app::RunSettings settings;
    settings.threads = 1;
    settings.output = &out;
    settings.checkpoint_every = every;
    if (every > 0) settings.checkpoint = (dir / "ckpt.h5").string();
    settings.resume = resume;
    return app::simulate(s, settings);
  };
  const app::RunResult whole = run("whole.h5", 0, "");
  run("checkpointed.h5", 10, "");  // the checkpoint left behind is the last one, of day 10
  const std::string ckpt = (dir / "ckpt.h5").string();
  ASSERT_EQ(sim::read_attributes(ckpt).at("next_day"), "10");
  const app::RunResult resumed = run("resumed.h5", 0, ckpt);
  EXPECT_EQ(first_difference(whole.infants, resumed.infants), "");
  // The change matters: without it the treated arm would equal the control arm's outcomes.
  EXPECT_NE(whole.infants.find("availability")->reals.front(),
            whole.infants.find("availability")->reals.at(whole.infants.rows() / 2));
}

#ifdef ATTUNE_HAVE_MPI

const std::string kDivided = (data_dir() / "ranks" / "divided.yaml").string();
// The same population, longer and untraced (traced runs are not checkpointed).
const std::string kLong = (data_dir() / "ranks" / "checkpointed.yaml").string();

std::string mpirun(int ranks, const std::string& args) {
  return "OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 mpirun --oversubscribe --bind-to none "
         "-n " +
         std::to_string(ranks) + " " + quote(attune_exe()) + " " + args;
}

// The names of every dataset in a file.
std::set<std::string> datasets(hid_t file) {
  std::set<std::string> out;
  H5Ovisit(
      file, H5_INDEX_NAME, H5_ITER_INC,
      [](hid_t, const char* name, const H5O_info_t* info, void* data) -> herr_t {
        if (info->type == H5O_TYPE_DATASET) static_cast<std::set<std::string>*>(data)->insert(name);
        return 0;
      },
      &out);
  return out;
}

// A dataset's type, shape and stored bytes.
std::string dataset_bytes(hid_t file, const std::string& name) {
  const sim::H5Id ds(H5Dopen2(file, name.c_str(), H5P_DEFAULT), H5Dclose, name);
  const sim::H5Id type(H5Dget_type(ds.get()), H5Tclose, "type");
  const sim::H5Id space(H5Dget_space(ds.get()), H5Sclose, "space");
  hsize_t dims[4] = {};
  const int rank = H5Sget_simple_extent_dims(space.get(), dims, nullptr);
  std::string out = std::to_string(rank) + ":";
  for (int d = 0; d < rank; ++d) out += std::to_string(dims[d]) + ",";
  out += std::to_string(H5Tget_class(type.get())) + "/" + std::to_string(H5Tget_size(type.get())) + ":";
  const auto points = static_cast<std::size_t>(H5Sget_simple_extent_npoints(space.get()));
  std::string bytes(points * H5Tget_size(type.get()), '\0');
  if (points > 0) H5Dread(ds.get(), type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, bytes.data());
  return out + bytes;
}

// "" when both files hold the same datasets with the same bytes, else the first difference.
std::string first_dataset_difference(const std::string& a, const std::string& b) {
  const sim::H5Id fa = sim::h5::open_file(a), fb = sim::h5::open_file(b);
  const auto names = datasets(fa.get());
  if (names != datasets(fb.get())) return "the files hold different datasets";
  for (const auto& name : names)
    if (dataset_bytes(fa.get(), name) != dataset_bytes(fb.get(), name)) return name;
  return "";
}

// A command sent SIGUSR1 (SLURM's walltime warning) after `seconds`; mpirun forwards it to every rank.
std::string stopped_after(const std::string& command, const std::string& seconds) {
  std::string shell = "(";  // built step by step: GCC 12 misreads "(" + std::string as an overlapping copy
  shell += command;
  shell += " & pid=$!; sleep ";
  shell += seconds;
  shell += "; kill -USR1 $pid; wait $pid)";
  return shell;
}

// The summary a run prints (class distribution and outcome means), without the timing.
std::string summary_of(const std::string& output) {
  const auto from = output.find("rows:"), to = output.find("\nelapsed ", from);
  return from == std::string::npos || to == std::string::npos ? "(none)" : output.substr(from, to - from);
}

TEST(Ranks, DividedRunsEqualOneProcess) {
  TempDir dir;
  const std::string one = (dir / "one.h5").string();
  const CliResult single = run_attune({"run", kDivided, "-o", one, "--threads", "1"});
  ASSERT_EQ(single.status, 0) << single.output;
  for (const auto& [ranks, threads] : {std::pair{2, 2}, std::pair{3, 1}, std::pair{5, 1}}) {
    const std::string out = (dir / ("ranks" + std::to_string(ranks) + ".h5")).string();
    const CliResult r = run_shell(mpirun(
        ranks, "run " + quote(kDivided) + " -o " + quote(out) + " --threads " + std::to_string(threads)));
    ASSERT_EQ(r.status, 0) << r.output;
    EXPECT_EQ(first_dataset_difference(one, out), "") << ranks << " ranks";
    EXPECT_EQ(summary_of(r.output), summary_of(single.output)) << ranks << " ranks";
  }
}

// Correlated caregiver draws (the mutual model's defaults and a scenario's own pair) and a newcomer
// drawn the same way: each rank's slice is drawn as one process draws it.
TEST(Ranks, CorrelatedDrawsOfTheMutualModelEqualOneProcess) {
  TempDir dir;
  const std::string scenario = (data_dir() / "ranks" / "divided_mutual.yaml").string();
  const std::string one = (dir / "one.h5").string(), three = (dir / "three.h5").string();
  const CliResult single = run_attune({"run", scenario, "-o", one, "--threads", "1"});
  ASSERT_EQ(single.status, 0) << single.output;
  const CliResult r = run_shell(mpirun(3, "run " + quote(scenario) + " -o " + quote(three) + " --threads 1"));
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_EQ(first_dataset_difference(one, three), "");
  EXPECT_EQ(summary_of(r.output), summary_of(single.output));
}

TEST(Ranks, DatasetComparisonSeesADifference) {
  // The comparison above can fail: another seed changes the datasets.
  TempDir dir;
  const std::string a = (dir / "a.h5").string(), b = (dir / "b.h5").string();
  ASSERT_EQ(run_attune({"run", kDivided, "-o", a, "--quiet"}).status, 0);
  ASSERT_EQ(
      run_shell(mpirun(2, "run " + quote(kDivided) + " -o " + quote(b) + " --quiet --seed 4712")).status, 0);
  EXPECT_NE(first_dataset_difference(a, b), "");
}

// Stopped by SIGUSR1 (SLURM's walltime warning, forwarded by mpirun to every rank) partway, saved
// by every rank after the same day, resumed: the same bytes as one uninterrupted process.
TEST(Ranks, InterruptedAndResumedEqualsUninterrupted) {
  TempDir dir;
  const std::string whole = (dir / "whole.h5").string(), cut = (dir / "cut.h5").string();
  const CliResult w = run_attune({"run", kLong, "-o", whole, "--quiet", "--threads", "1"});
  ASSERT_EQ(w.status, 0) << w.output;
  const std::string run = "run " + quote(kLong) + " -o " + quote(cut) + " --quiet --threads 1";
  const CliResult stopped = run_shell(stopped_after(mpirun(3, run + " --checkpoint-every 7"), "2"));
  ASSERT_FALSE(fs::exists(cut)) << "the run ended before the signal; make it longer\n" << stopped.output;
  EXPECT_NE(stopped.output.find("--resume on 3 ranks"), std::string::npos) << stopped.output;
  for (const char* f : {"cut.h5.ckpt", "cut.h5.ckpt.rank1", "cut.h5.ckpt.rank2"})
    EXPECT_TRUE(fs::exists(dir / f)) << f;
  const std::string day = sim::read_attributes(cut + ".ckpt").at("next_day");
  const CliResult resumed = run_shell(mpirun(3, run + " --resume"));
  ASSERT_EQ(resumed.status, 0) << resumed.output;
  EXPECT_EQ(first_dataset_difference(whole, cut), "") << "stopped before day " << day;
  for (const char* f : {"cut.h5.ckpt", "cut.h5.ckpt.rank1", "cut.h5.ckpt.rank2"})
    EXPECT_FALSE(fs::exists(dir / f)) << f;
}

TEST(Ranks, ResumingOnAnotherNumberOfRanksIsRefused) {
  TempDir dir;
  const std::string out = (dir / "out.h5").string();
  const std::string run = "run " + quote(kLong) + " -o " + quote(out) + " --quiet --threads 1";
  run_shell(stopped_after(mpirun(2, run + " --checkpoint-every 5"), "1.5"));
  ASSERT_TRUE(fs::exists(out + ".ckpt.rank1"));
  const CliResult three = run_shell(mpirun(3, run + " --resume"));
  EXPECT_EQ(three.status, 2) << three.output;
  EXPECT_NE(three.output.find("written by a run on 2 rank(s); resume it on as many (mpirun -n 2), not on 3"),
            std::string::npos)
      << three.output;
  const CliResult one = run_shell(quote(attune_exe()) + " " + run + " --resume");
  EXPECT_EQ(one.status, 2) << one.output;
  EXPECT_NE(one.output.find("written by a run on 2 ranks"), std::string::npos) << one.output;
  EXPECT_FALSE(fs::exists(out));
}

#endif

}  // namespace
}  // namespace attune::test
