// `attune sweep --resume` after the sweep was killed (SIGKILL) or interrupted (SIGINT, SIGTERM)
// part way: the file stays readable with what was finished, and resuming completes it to exactly
// the datasets of an uninterrupted sweep. The sweeps run as real child processes, stopped once
// the file (read while the sweep writes it) shows a finished run.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <map>
#include <stdexcept>
#include <thread>

#include <fmt/format.h>

#include "sim/hdf5_file.hpp"
#include "support/child.hpp"
#include "support/paths.hpp"
#include "support/tables.hpp"

namespace attune::test {
namespace {

using namespace std::chrono_literals;

const char* const kDatasets[] = {"design", "runs", "infants", "run_summary"};
constexpr std::size_t kRuns = 64;  // 16 points × 4 replicates

std::string interrupt_yaml() { return (data_dir() / "sweeps" / "interrupt.yaml").string(); }

// Options the resume hint must repeat: a master seed and an override with spaces in it.
const std::vector<std::string> kOptions = {"--seed", "31", "--set",
                                           "caregiver.repair_rate={dist: lognormal, mean: 2.0, log_sd: 0.5}"};

std::vector<std::string> sweep_args(const fs::path& out, std::vector<std::string> extra,
                                    const std::string& scenario = interrupt_yaml()) {
  std::vector<std::string> args = {"sweep", scenario, "-o", out.string()};
  args.insert(args.end(), kOptions.begin(), kOptions.end());
  args.insert(args.end(), extra.begin(), extra.end());
  return args;
}

const sim::Column& column(const sim::Table& t, std::string_view name) {
  const sim::Column* c = t.find(name);
  if (!c) throw std::runtime_error(fmt::format("no column {}", name));
  return *c;
}

// Rows [first, first + n) of `t`.
sim::Table rows_of(const sim::Table& t, std::size_t first, std::size_t n) {
  sim::Table out;
  const auto from = static_cast<std::ptrdiff_t>(first);
  const auto to = static_cast<std::ptrdiff_t>(first + n);
  for (const auto& c : t.columns) {
    auto& o = out.add(c.name, c.kind, c.text_width);
    if (c.kind == sim::Column::int64) o.ints.assign(c.ints.begin() + from, c.ints.begin() + to);
    if (c.kind == sim::Column::float64) o.reals.assign(c.reals.begin() + from, c.reals.begin() + to);
    if (c.kind == sim::Column::text) o.texts.assign(c.texts.begin() + from, c.texts.begin() + to);
  }
  return out;
}

sim::Table infants_of_run(const sim::Table& infants, const sim::Table& runs, std::size_t r) {
  return rows_of(infants, static_cast<std::size_t>(column(runs, "infants_first_row").ints.at(r)),
                 static_cast<std::size_t>(column(runs, "infants_rows").ints.at(r)));
}

struct Counts {
  std::size_t done = 0, failed = 0, pending = 0;
  std::size_t infant_rows = 0;  // recorded for the done runs
};

Counts count(const sim::Table& runs) {
  Counts n;
  const auto& status = column(runs, "status").texts;
  for (std::size_t r = 0; r < status.size(); ++r) {
    if (status[r] == "done") {
      ++n.done;
      n.infant_rows += static_cast<std::size_t>(column(runs, "infants_rows").ints[r]);
    }
    n.failed += status[r] == "failed";
    n.pending += status[r] == "pending";
  }
  return n;
}

// How many runs, from the first, are finished with all their rows on disk: the prefix that
// --resume keeps (docs/SWEEPS.md). /runs may run ahead of /infants and /run_summary after a kill.
std::size_t recorded_prefix(const sim::Table& runs, std::size_t infant_rows, std::size_t summary_rows) {
  const auto& status = column(runs, "status").texts;
  std::size_t r = 0, infants = 0, summaries = 0;
  for (; r < status.size() && status[r] != "pending"; ++r) {
    const auto rows = static_cast<std::size_t>(column(runs, "infants_rows").ints[r]);
    const std::size_t summary = status[r] == "done" ? 1 : 0;
    if (infants + rows > infant_rows || summaries + summary > summary_rows) break;
    infants += rows;
    summaries += summary;
  }
  return r;
}

std::size_t recorded_prefix(const fs::path& out) {
  return recorded_prefix(sim::read_table(out.string(), "runs"),
                         sim::read_table(out.string(), "infants").rows(),
                         sim::read_table(out.string(), "run_summary").rows());
}

// The four datasets of an uninterrupted sweep of the same scenario and options (once a process).
const std::map<std::string, sim::Table>& uninterrupted() {
  static const std::map<std::string, sim::Table> tables = [] {
    TempDir dir;
    const auto out = dir / "reference.h5";
    const CliResult r = run_attune(sweep_args(out, {"--threads", "2", "--quiet"}));
    if (r.status != 0) throw std::runtime_error("the reference sweep failed: " + r.output);
    std::map<std::string, sim::Table> t;
    for (const char* name : kDatasets) t[name] = sim::read_table(out.string(), name);
    return t;
  }();
  return tables;
}

void expect_same_as_uninterrupted(const fs::path& out) {
  for (const char* name : kDatasets) {
    SCOPED_TRACE(fmt::format("/{}", name));
    EXPECT_EQ(first_difference(sim::read_table(out.string(), name), uninterrupted().at(name)), "");
  }
}

// Waits until the sweep streams (its header is on stdout, printed once the file is in SWMR mode)
// and the file, read while it is being written, holds a finished run with all its rows. The sweep
// records finished runs at most twice a second, so it is first held stopped for 0.6 s: the first
// run it finishes after that is recorded at once, however fast the machine.
::testing::AssertionResult a_run_is_recorded(Child& child, const fs::path& out, const fs::path& stdout_file) {
  const auto deadline = std::chrono::steady_clock::now() + 60s;
  bool held = false;
  int reads = 0;
  std::string last;  // what the last read saw
  while (std::chrono::steady_clock::now() < deadline) {
    if (!child.running())
      return ::testing::AssertionFailure()
             << "the sweep ended (status " << child.wait() << ") before it could be stopped, after " << reads
             << " reads of the file; the last: " << last;
    if (!held && read_text(stdout_file).find("# sweep:") != std::string::npos) {
      std::this_thread::sleep_for(20ms);
      child.send(SIGSTOP);
      std::this_thread::sleep_for(600ms);
      child.send(SIGCONT);
      held = true;
    }
    if (held) {
      ++reads;
      try {
        const std::size_t recorded = recorded_prefix(out);
        if (recorded > 0) return ::testing::AssertionSuccess();
        last = "no run recorded";
      } catch (const std::exception& e) {
        last = e.what();  // caught between two writes: read again
      }
    }
    std::this_thread::sleep_for(2ms);
  }
  return ::testing::AssertionFailure() << "no run recorded within a minute; the last read: " << last;
}

TEST(SweepResume, AfterSigkillTheFileIsReadableAndResumeCompletesItIdentically) {
  const auto& reference = uninterrupted();
  TempDir dir;
  const auto out = dir / "sweep.h5";
  {
    Child child(sweep_args(out, {"--threads", "1"}), dir / "stdout.txt", dir / "stderr.txt");
    ASSERT_TRUE(a_run_is_recorded(child, out, dir / "stdout.txt"));
    child.send(SIGKILL);
    EXPECT_EQ(child.wait(), -SIGKILL);
  }

  // Readable as it was left (SWMR): the finished runs are a prefix of the run order, and those
  // whose rows reached the disk have exactly the rows of an uninterrupted sweep.
  const sim::Table runs = sim::read_table(out.string(), "runs");
  const sim::Table infants = sim::read_table(out.string(), "infants");
  const sim::Table summary = sim::read_table(out.string(), "run_summary");
  ASSERT_EQ(runs.rows(), kRuns);
  const Counts n = count(runs);
  EXPECT_GE(n.done, 1u);
  EXPECT_GE(n.pending, 1u);
  EXPECT_EQ(n.failed, 0u);
  for (std::size_t r = 0; r < kRuns; ++r)
    EXPECT_EQ(column(runs, "status").texts[r], r < n.done ? "done" : "pending") << "run " << r;
  const std::size_t recorded = recorded_prefix(runs, infants.rows(), summary.rows());
  EXPECT_GE(recorded, 1u) << "a run was seen recorded before the kill";
  for (std::size_t r = 0; r < recorded; ++r) {
    SCOPED_TRACE(fmt::format("run {}", r));
    EXPECT_EQ(first_difference(rows_of(runs, r, 1), rows_of(reference.at("runs"), r, 1)), "");
    EXPECT_EQ(first_difference(infants_of_run(infants, runs, r),
                               infants_of_run(reference.at("infants"), reference.at("runs"), r)),
              "");
    EXPECT_EQ(first_difference(rows_of(summary, r, 1), rows_of(reference.at("run_summary"), r, 1)), "");
  }
  const CliResult info = run_attune({"info", out.string()});
  EXPECT_EQ(info.status, 0) << info.output;
  EXPECT_NE(info.output.find(fmt::format("{} runs: {} done, 0 failed, {} pending", kRuns, n.done, n.pending)),
            std::string::npos)
      << info.output;

  // Resumed (on another thread count), it skips the finished runs and ends as if never stopped.
  const CliResult r = run_attune(sweep_args(out, {"--threads", "2", "--resume"}));
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find(fmt::format("resuming: {} of {} runs already on disk", recorded, kRuns)),
            std::string::npos)
      << r.output;
  expect_same_as_uninterrupted(out);
}

// SIGINT or SIGTERM: the sweep stops, closes its file, exits with 130 and says how to resume;
// the command it prints, run as printed in a shell, completes the file. Logs go beside `out`.
void interrupt_and_resume(int signal, const std::string& scenario, const fs::path& out) {
  uninterrupted();  // before the sweep, so as not to compete with it for the cores
  const fs::path dir = out.parent_path();
  const auto stderr_file = dir / "stderr.txt";
  {
    Child child(sweep_args(out, {"--threads", "1"}, scenario), dir / "stdout.txt", stderr_file);
    ASSERT_TRUE(a_run_is_recorded(child, out, dir / "stdout.txt"));
    child.send(signal);
    EXPECT_EQ(child.wait(), 130) << read_text(stderr_file);
  }

  // Closed properly: it opens without SWMR, and holds exactly the finished runs.
  sim::h5::quiet_hdf5();
  const hid_t f = H5Fopen(out.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  EXPECT_GE(f, 0) << "the file does not open normally";
  if (f >= 0) H5Fclose(f);
  const sim::Table runs = sim::read_table(out.string(), "runs");
  ASSERT_EQ(runs.rows(), kRuns);
  const Counts n = count(runs);
  EXPECT_GE(n.done, 1u);
  EXPECT_GE(n.pending, 1u);
  EXPECT_EQ(n.failed, 0u);
  EXPECT_EQ(sim::read_table(out.string(), "infants").rows(), n.infant_rows);
  EXPECT_EQ(sim::read_table(out.string(), "run_summary").rows(), n.done);

  const std::string err = read_text(stderr_file);
  EXPECT_NE(err.find(fmt::format("{} of {} runs are safely in {}", n.done, kRuns, out.string())),
            std::string::npos)
      << err;
  const std::string hint = "Resume with: ";
  const auto at = err.find(hint);
  ASSERT_NE(at, std::string::npos) << err;
  const std::string command = err.substr(at + hint.size(), err.find('\n', at) - at - hint.size());
  ASSERT_EQ(command.rfind("attune sweep ", 0), 0u) << command;
  const auto log = dir / "resume.txt";
  const std::string shell =
      quote(attune_exe()) + command.substr(std::strlen("attune")) + " > " + quote(log.string()) + " 2>&1";
  const int status = std::system(shell.c_str());
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << shell << "\n" << read_text(log);
  EXPECT_NE(read_text(log).find(fmt::format("resuming: {} of {} runs already on disk", n.done, kRuns)),
            std::string::npos)
      << read_text(log);
  expect_same_as_uninterrupted(out);
}

TEST(SweepResume, SigintExitsWith130AndThePrintedCommandResumesToTheSameResult) {
  TempDir dir;
  interrupt_and_resume(SIGINT, interrupt_yaml(), dir / "sweep.h5");
}

TEST(SweepResume, SigtermExitsWith130AndThePrintedCommandResumesToTheSameResult) {
  TempDir dir;
  interrupt_and_resume(SIGTERM, interrupt_yaml(), dir / "sweep.h5");
}

// The printed command must survive paths with spaces and quotes (a folder named "My Sweeps").
TEST(SweepResume, ThePrintedResumeCommandQuotesPathsWithSpacesAndQuotes) {
  TempDir dir;
  const fs::path folder = dir / "My Sweeps";
  fs::create_directory(folder);
  const fs::path scenario = folder / "it's interrupted.yaml";
  fs::copy_file(interrupt_yaml(), scenario);
  interrupt_and_resume(SIGINT, scenario.string(), folder / "the sweep.h5");
}

// A second `attune sweep --resume` on a file a sweep is still writing must be refused (exit 2,
// "in use") rather than write into it too; the first sweep then completes undisturbed.
TEST(SweepResume, ResumingAFileThatASweepIsStillWritingIsRefused) {
  uninterrupted();
  TempDir dir;
  const auto out = dir / "sweep.h5";
  Child child(sweep_args(out, {"--threads", "1"}), dir / "stdout.txt", dir / "stderr.txt");
  ASSERT_TRUE(a_run_is_recorded(child, out, dir / "stdout.txt"));
  const CliResult second = run_attune(sweep_args(out, {"--threads", "1", "--resume", "--quiet"}));
  EXPECT_EQ(second.status, 2) << second.output;
  EXPECT_NE(second.output.find("in use"), std::string::npos) << second.output;
  EXPECT_EQ(child.wait(), 0) << read_text(dir / "stderr.txt");
  expect_same_as_uninterrupted(out);
}

TEST(SweepResume, ResumingAFinishedSweepChangesNothing) {
  TempDir dir;
  const auto out = dir / "sweep.h5";
  const std::string small = (data_dir() / "sweeps" / "small.yaml").string();
  ASSERT_EQ(run_attune({"sweep", small, "-o", out.string(), "--quiet"}).status, 0);
  std::map<std::string, sim::Table> before;
  for (const char* name : kDatasets) before[name] = sim::read_table(out.string(), name);
  const CliResult r = run_attune({"sweep", small, "-o", out.string(), "--resume"});
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("resuming: 12 of 12 runs already on disk"), std::string::npos) << r.output;
  for (const char* name : kDatasets) {
    SCOPED_TRACE(name);
    EXPECT_EQ(first_difference(sim::read_table(out.string(), name), before.at(name)), "");
  }
}

}  // namespace
}  // namespace attune::test
