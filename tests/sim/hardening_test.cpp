// The failures of issue 10 ("hardening"), each as it was found, through the real command line
// where the user met it: every number that enters is checked (exit 2 with file, line and key),
// every written file is complete or absent, and no input crashes attune. docs/RELIABILITY.md.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "sim/distribution.hpp"
#include "sim/errors.hpp"
#include "sim/hdf5_file.hpp"
#include "sim/random.hpp"
#include "sim/runner.hpp"
#include "support/paths.hpp"

namespace attune::test {
namespace {

std::string hardening(const char* name) { return (data_dir() / "hardening" / name).string(); }
std::string tiny() { return hardening("tiny.yaml"); }

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// `attune check` with overrides: bad input is exit 2 with "attune: error:" and `expect` in the text.
void expect_refused(const std::vector<std::string>& args, const std::string& expect) {
  const CliResult r = run_attune(args);
  EXPECT_EQ(r.status, 2) << r.output;
  EXPECT_TRUE(contains(r.output, "attune: error: ")) << r.output;
  EXPECT_TRUE(contains(r.output, expect)) << "expected: " << expect << "\n" << r.output;
  EXPECT_FALSE(contains(r.output, "valid\n")) << r.output;
}

// 1. A tiny dt overflowed the step count (llround) and then the dyad-step count (int64).
TEST(Hardening, StepCountsCannotOverflow) {
  for (const char* dt : {"1e-300", "1e-15", "1e-9", "5e-324"}) {
    SCOPED_TRACE(dt);
    expect_refused({"check", tiny(), "--set", std::string("time.dt=") + dt}, "time.dt: dt = ");
    TempDir dir;
    const CliResult r =
        run_attune({"run", tiny(), "-o", (dir / "x.h5").string(), "--set", std::string("time.dt=") + dt});
    EXPECT_EQ(r.status, 2) << r.output;
    EXPECT_TRUE(dir.list().empty());
  }
  // Each factor allowed, the product not: months of work is refused before it starts.
  expect_refused({"check", tiny(), "--set", "population.infants=100000000", "--set", "time.dt=0.01", "--set",
                  "time.days=365", "--set", "time.session_s=300", "--set", "time.sessions_per_day=4"},
                 "dyad-steps");
}

// 2. Distribution parameters, each in range, whose draws were NaN or almost never in range.
TEST(Hardening, DistributionsWhoseDrawsAreNotFiniteAreRefusedWithTheirLocation) {
  expect_refused(
      {"check", tiny(), "--set", "caregiver.attunement={dist: beta, mean: 0.5, concentration: 0.001}"},
      "caregiver.attunement.concentration: 0.001 with mean 0.5");
  expect_refused(
      {"check", tiny(), "--set", "caregiver.rupture_rate={dist: lognormal, mean: 1, log_sd: 1e308}"},
      "caregiver.rupture_rate.log_sd: 1e+308 is out of range");
  expect_refused({"check", tiny(), "--set", "caregiver.attunement={dist: normal, mean: 0.5, sd: 1e300}"},
                 "caregiver.attunement.sd: 1e+300 is too wide for attunement");
  expect_refused({"check", tiny(), "--set", "caregiver.attunement={dist: normal, mean: 0.5, sd: 1e9}"},
                 "narrow its sd");
  TempDir dir;
  const CliResult r = run_attune({"run", tiny(), "-o", (dir / "x.h5").string(), "--set",
                                  "caregiver.attunement={dist: beta, mean: 0.5, concentration: 0.001}"});
  EXPECT_EQ(r.status, 2) << r.output;
  EXPECT_TRUE(contains(r.output, "(--set caregiver.attunement=")) << r.output;
}

// What the loader lets through, the sampler draws finitely: the extremes of each form.
TEST(Hardening, TheLeastConcentratedAllowedBetaDrawsFiniteValues) {
  const sim::ParamInfo info{"p", "", "", "", 0.5, 0, 1, false, false, sim::DistKind::beta, 10};
  const sim::Distribution d{sim::DistKind::beta, 0.5, 0.08};  // shape 0.04 each, the minimum
  for (std::uint64_t i = 0; i < 20000; ++i) {
    const double x = sim::sample(d, info, sim::Stream(7, i, sim::Purpose::design));
    ASSERT_TRUE(std::isfinite(x) && x >= 0 && x <= 1) << i << ": " << x;
  }
}

// 3. A folder was an empty (valid) scenario; a device was read until memory ran out.
TEST(Hardening, OnlyARegularFileOfSensibleSizeIsAScenario) {
  TempDir dir;
  expect_refused({"check", dir.path().string()}, "is a folder, not a scenario file");
  expect_refused({"check", "/dev/zero"}, "is not a regular file");
  expect_refused({"check", "/dev/urandom"}, "is not a regular file");
  const auto big = dir / "big.yaml";
  {
    std::ofstream out(big);
    const std::string line = "# " + std::string(1000, 'x') + "\n";
    for (int i = 0; i < 17 * 1024; ++i) out << line;
  }
  expect_refused({"check", big.string()}, "larger than 16 MiB");
}

// 4. Duplicate keys: the first silently won.
TEST(Hardening, ADuplicateKeyIsAnErrorAtItsSecondLine) {
  expect_refused(
      {"check", hardening("duplicate_key.yaml")},
      "duplicate_key.yaml:6:3: caregiver.attunement: key 'attunement' is given twice in this mapping "
      "(first on line 4)");
  expect_refused({"check", hardening("duplicate_name.yaml")}, "duplicate_name.yaml:3:1: name: key 'name'");
  expect_refused({"check", tiny(), "--set", "caregiver={attunement: 0.1, attunement: 0.2}"}, "given twice");
}

// 5. A list index too large for a number: "failed: stoul", exit 1.
TEST(Hardening, AHugeListIndexInSetIsBadInput) {
  expect_refused({"check", (data_dir() / "valid_profiles.yaml").string(), "--set",
                  "profiles.99999999999999999999999.weight=1"},
                 "no list item '99999999999999999999999'");
}

// 6. A full disk during a run (here a file-size limit: the same EFBIG/ENOSPC from write): an
// error, exit 1, nothing left behind, and no crash at exit.
TEST(Hardening, AFullDiskIsAnErrorNotACrash) {
  TempDir dir;
  const auto out = dir / "x.h5";
  const CliResult r =
      run_shell("trap '' XFSZ; ulimit -f 64; exec " + quote(attune_exe()) + " run " + quote(tiny()) +
                " --set population.infants=20000 --quiet -o " + quote(out.string()));
  EXPECT_EQ(r.status, 1) << r.output;
  EXPECT_TRUE(contains(r.output, "attune: failed: ")) << r.output;
  EXPECT_FALSE(contains(r.output, "HDF5-DIAG")) << r.output;
  EXPECT_TRUE(dir.list().empty()) << "a partial or temporary file was left";
}

// Shards 0/2 and 1/2 of a small sweep, in `dir`.
void make_shards(const TempDir& dir) {
  const std::string sweep = (data_dir() / "sweeps" / "small.yaml").string();
  for (const char* shard : {"0/2", "1/2"}) {
    const std::string part = (dir / (std::string("part-") + shard[0] + ".h5")).string();
    const CliResult r =
        run_attune({"sweep", sweep, "--shard", shard, "-o", part, "--quiet", "--threads", "1"});
    ASSERT_EQ(r.status, 0) << r.output;
  }
}

// Overwrites `n` bytes at `offset` of a file with garbage (a damaged disk block or transfer).
void damage(const fs::path& path, std::size_t n, std::size_t offset) {
  std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
  f.seekp(static_cast<std::streamoff>(offset));
  const std::string garbage(n, '\x5a');
  f.write(garbage.data(), static_cast<std::streamsize>(garbage.size()));
}

// 7. A merge that failed part-way left a partial file at the target, which info accepted. Parts
// damaged at every kilobyte: each merge either succeeds or leaves nothing at all.
TEST(Hardening, AFailedMergeLeavesNoOutput) {
  TempDir dir;
  make_shards(dir);
  const auto good = read_text(dir / "part-1.h5");
  const auto out = dir / "merged.h5";
  int failed_while_copying = 0;
  for (std::size_t offset = 1000; offset + 500 < good.size(); offset += 1000) {
    SCOPED_TRACE(offset);
    write_text(dir / "part-1.h5", good);
    damage(dir / "part-1.h5", 500, offset);
    const CliResult r = run_attune(
        {"merge", (dir / "part-0.h5").string(), (dir / "part-1.h5").string(), "-o", out.string(), "--force"});
    if (r.status == 0) {
      EXPECT_EQ(run_attune({"info", out.string()}).status, 0);
      fs::remove(out);
      continue;
    }
    EXPECT_TRUE(contains(r.output, "part-1.h5")) << r.output;
    EXPECT_FALSE(contains(r.output, "HDF5-DIAG")) << r.output;
    if (contains(r.output, "of infants")) ++failed_while_copying;
    EXPECT_FALSE(fs::exists(out)) << r.output;
    EXPECT_EQ(dir.list(), (std::vector<std::string>{"part-0.h5", "part-1.h5"}))
        << "a temporary file was left";
  }
  EXPECT_GT(failed_while_copying, 0) << "no damage hit the rows copied after the output was created";
}

TEST(Hardening, MergeRefusesToWriteOverOneOfItsParts) {
  TempDir dir;
  make_shards(dir);
  const auto part0 = dir / "part-0.h5";
  const auto before = read_text(part0);
  const CliResult r =
      run_attune({"merge", part0.string(), (dir / "part-1.h5").string(), "-o", part0.string(), "--force"});
  EXPECT_EQ(r.status, 2) << r.output;
  EXPECT_TRUE(contains(r.output, "is also an input")) << r.output;
  EXPECT_EQ(read_text(part0), before);
}

// 8. A scenario name that is not UTF-8 went into a UTF-8 attribute (and broke the report).
TEST(Hardening, TextThatIsNotUtf8IsRefusedAndNeverWrittenAsUtf8) {
  expect_refused({"check", hardening("latin1_name.yaml")},
                 "latin1_name.yaml:1:11: the text is not valid UTF-8");
  // The name may also come from the file name, which is bytes: it is written with U+FFFD.
  TempDir dir;
  const auto scenario = dir / "caf\xe9.yaml";
  write_text(scenario, read_text(tiny()).replace(read_text(tiny()).find("name: tiny"), 10, "# unnamed"));
  const auto out = dir / "x.h5";
  const CliResult r = run_attune({"run", scenario.string(), "-o", out.string(), "--quiet"});
  ASSERT_EQ(r.status, 0) << r.output;
  const auto attrs = sim::read_attributes(out.string());
  ASSERT_TRUE(attrs.count("scenario")) << "attributes changed?";
  for (const auto& [key, value] : attrs) EXPECT_EQ(value.find('\xe9'), std::string::npos) << key;
}

// The report on a damaged file or a file with odd text: a message and exit 1, no traceback.
TEST(Hardening, TheReportNeverEndsInATraceback) {
  TempDir dir;
  const auto out = dir / "x.h5";
  ASSERT_EQ(
      run_attune({"run", tiny(), "--set", "population.infants=3000", "-o", out.string(), "--quiet"}).status,
      0);
  damage(out, 4000, static_cast<std::size_t>(fs::file_size(out)) - 6000);
  const CliResult r = run_shell("cd " + quote(source_dir().string()) +
                                " && PYTHONPATH=analysis /usr/bin/python3 -m attune_analysis report " +
                                quote(out.string()) + " -o " + quote((dir / "r.html").string()));
  EXPECT_NE(r.status, 0) << r.output;
  EXPECT_FALSE(contains(r.output, "Traceback")) << r.output;
  EXPECT_TRUE(contains(r.output, "x.h5")) << r.output;
  EXPECT_FALSE(fs::exists(dir / "r.html"));
}

// 10. Memory: 10^8 infants (about 110 GB) ended in std::bad_alloc minutes into the run. Now the
// loader estimates it and refuses, saying how to override; a sweep of 10^9 runs is refused too.
TEST(Hardening, MemoryIsEstimatedAndRefusedBeforeTheRun) {
  const std::string check =
      quote(attune_exe()) + " check " + quote(tiny()) + " --set population.infants=100000000";
  CliResult r = run_shell("ATTUNE_MAX_MEMORY=16G " + check);
  EXPECT_EQ(r.status, 2) << r.output;
  EXPECT_TRUE(contains(r.output, "population: this run needs about 11")) << r.output;
  EXPECT_TRUE(contains(r.output, "16.0 GiB is available")) << r.output;
  r = run_shell("ATTUNE_MAX_MEMORY=1T " + check);
  EXPECT_EQ(r.status, 0) << r.output;
  r = run_shell("ATTUNE_MAX_MEMORY=lots " + check);
  EXPECT_EQ(r.status, 2) << r.output;
  // The command-line override, and the estimate in the message naming it.
  r = run_shell(check + " --max-memory 1T");
  EXPECT_EQ(r.status, 0) << r.output;
  r = run_shell(check + " --max-memory 16G");
  EXPECT_EQ(r.status, 2) << r.output;
  EXPECT_TRUE(contains(r.output, "--max-memory")) << r.output;
  TempDir dir;
  r = run_shell("ATTUNE_MAX_MEMORY=16G " + quote(attune_exe()) + " run " + quote(tiny()) +
                " --set population.infants=100000000 -o " + quote((dir / "x.h5").string()));
  EXPECT_EQ(r.status, 2) << r.output;
  EXPECT_TRUE(dir.list().empty());
  expect_refused(
      {"check", (data_dir() / "sweeps" / "small.yaml").string(), "--set", "sweep.replicates=1000000", "--set",
       "sweep.factors={caregiver.rupture_rate: [0.5, 1, 2], caregiver.rejection: [0, 1, 1.5, 2]}"},
      "runs; at most 10000000 in one sweep");
}

// 11. Signals: SIGHUP ended a run with 129 and a .tmp file left behind.
TEST(Hardening, SighupStopsCleanly) {
  TempDir dir;
  const auto out = dir / "x.h5";
  const std::string cmd = quote(attune_exe()) + " run " + quote(hardening("many_days.yaml")) +
                          " --quiet -o " + quote(out.string()) +
                          " & pid=$!; sleep 1; kill -HUP $pid; wait $pid";
  const CliResult r = run_shell(cmd);
  EXPECT_EQ(r.status, 130) << r.output;
  EXPECT_TRUE(dir.list().empty()) << "a .tmp file was left";
}

// Ctrl-C mid-day: with StopAt::now the runner abandons the day within one unit's work.
TEST(Hardening, TheRunnerCanStopWithinADay) {
  std::atomic<bool> stop{false};
  std::atomic<int> advanced{0};
  auto advance = [&](std::size_t u, int) {
    if (u == 10) stop = true;
    ++advanced;
  };
  EXPECT_THROW(sim::run_days(
                   1000, 0, 5, sim::kSerial, advance, [](int) {}, &stop, sim::StopAt::now),
               sim::Interrupted);
  EXPECT_EQ(advanced.load(), 11) << "units after the stop were still advanced";
  stop = false;
  advanced = 0;
  int days_done = 0;
  EXPECT_THROW(sim::run_days(
                   1000, 0, 5, sim::kSerial, advance, [&](int) { ++days_done; }, &stop),
               sim::Interrupted);
  EXPECT_EQ(days_done, 1) << "StopAt::day_end finishes the day (a checkpoint needs a whole day)";
}

// 12. Messages that name the file and the reason.
TEST(Hardening, DeepYamlIsANamedError) {
  TempDir dir;
  const auto deep = dir / "deep.yaml";
  write_text(deep, std::string(100000, '[') + std::string(100000, ']') + "\n");
  expect_refused({"check", deep.string()}, "deep.yaml: malformed YAML: nested more than");
}

TEST(Hardening, InfoOnATextSchemaVersionIsBadInput) {
  TempDir dir;
  const auto path = dir / "odd.h5";
  {
    sim::OutputFile f(path.string(), false);
    f.attribute("schema_version", std::string("one"));
    f.commit();
  }
  const CliResult r = run_attune({"info", path.string()});
  EXPECT_EQ(r.status, 2) << r.output;
  EXPECT_TRUE(contains(r.output, "schema_version one is not one this attune reads")) << r.output;
}

TEST(Hardening, DamagedSweepTablesAreNamedInTheMessage) {
  TempDir dir;
  make_shards(dir);
  const auto part = dir / "part-0.h5";
  damage(part, 500, 8000);  // the runs table (found by trying): "HDF5: cannot create or open runs"
  const CliResult r = run_attune({"info", part.string()});
  EXPECT_NE(r.status, 0) << r.output;
  EXPECT_FALSE(contains(r.output, "HDF5-DIAG")) << r.output;
  EXPECT_TRUE(contains(r.output, part.string())) << r.output;
}

TEST(Hardening, AnOutputFolderThatCannotBeWrittenSaysWhy) {
  if (geteuid() == 0) GTEST_SKIP() << "root may write anywhere";
  TempDir dir;
  fs::permissions(dir.path(), fs::perms::owner_read | fs::perms::owner_exec);
  const CliResult r = run_attune({"run", tiny(), "-o", (dir / "x.h5").string(), "--quiet"});
  fs::permissions(dir.path(), fs::perms::owner_all);
  EXPECT_EQ(r.status, 2) << r.output;
  EXPECT_TRUE(contains(r.output, "Permission denied")) << r.output;
}

// 13. -o equal to the scenario, with --force, overwrote the scenario; any non-attune file likewise.
TEST(Hardening, ForceNeverReplacesAnInputOrAFileAttuneDidNotWrite) {
  TempDir dir;
  const auto scenario = dir / "s.yaml";
  write_text(scenario, read_text(tiny()));
  CliResult r = run_attune({"run", scenario.string(), "-o", scenario.string(), "--force", "--quiet"});
  EXPECT_EQ(r.status, 2) << r.output;
  EXPECT_TRUE(contains(r.output, "is also an input")) << r.output;
  EXPECT_EQ(read_text(scenario), read_text(tiny()));
  const auto notes = dir / "notes.h5";
  write_text(notes, "my notes\n");
  r = run_attune({"run", scenario.string(), "-o", notes.string(), "--force", "--quiet"});
  EXPECT_EQ(r.status, 2) << r.output;
  EXPECT_TRUE(contains(r.output, "not an attune result or state file")) << r.output;
  EXPECT_EQ(read_text(notes), "my notes\n");
  fs::create_symlink(scenario, dir / "link.h5");
  r = run_attune({"run", scenario.string(), "-o", (dir / "link.h5").string(), "--force", "--quiet"});
  EXPECT_EQ(r.status, 2) << r.output;
  EXPECT_EQ(read_text(scenario), read_text(tiny()));
  r = run_attune(
      {"sweep", (data_dir() / "sweeps" / "small.yaml").string(), "-o", notes.string(), "--force", "--quiet"});
  EXPECT_EQ(r.status, 2) << r.output;
  EXPECT_EQ(read_text(notes), "my notes\n");
}

TEST(Hardening, ThreadCountsBeyondReasonAreBadInput) {
  TempDir dir;
  const CliResult r = run_attune({"run", tiny(), "-o", (dir / "x.h5").string(), "--threads", "100000"});
  EXPECT_EQ(r.status, 2) << r.output;
  EXPECT_TRUE(contains(r.output, "--threads 100000: allowed 0 (all cores) to 1024")) << r.output;
  EXPECT_TRUE(dir.list().empty());
}

}  // namespace
}  // namespace attune::test
