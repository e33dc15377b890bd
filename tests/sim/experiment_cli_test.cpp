// Experiments through the real command line: bad experimental sections exit 2 with a located
// message; a run killed with SIGKILL or stopped with SIGTERM resumes to the same datasets.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "sim/hdf5_file.hpp"
#include "support/child.hpp"
#include "support/paths.hpp"
#include "support/tables.hpp"

namespace attune::test {
namespace {

using namespace std::chrono_literals;

struct BadSection {
  const char* file;   // under tests/data/experiments/
  std::string where;  // "file:line:column: key.path:"
  std::string what;
};

void PrintTo(const BadSection& b, std::ostream* os) { *os << b.file; }

class ExperimentBadInput : public ::testing::TestWithParam<BadSection> {};

TEST_P(ExperimentBadInput, ExitsWithStatus2AndALocatedMessage) {
  const BadSection& b = GetParam();
  const CliResult r = run_attune({"check", (data_dir() / "experiments" / b.file).string()});
  EXPECT_EQ(r.status, 2) << r.output;
  EXPECT_NE(r.output.find(b.where), std::string::npos) << "expected: " << b.where << "\n" << r.output;
  EXPECT_NE(r.output.find(b.what), std::string::npos) << "expected: " << b.what << "\n" << r.output;
}

const BadSection kCases[] = {
    {"arm_key_typo.yaml", "arm_key_typo.yaml:4:21: arms.1.wieght: ", "did you mean 'weight'?"},
    {"arm_set_not_a_person.yaml",
     "arm_set_not_a_person.yaml:4:11: arms.1.set.time.days: ", "set takes caregiver.KEY and infant.KEY"},
    {"arm_set_out_of_range.yaml", "arm_set_out_of_range.yaml:5:29: ", "1.5 is out of range; allowed [0, 1]"},
    {"one_arm.yaml", "one_arm.yaml:2:3: arms: ", "at least two arms"},
    // The map form: `list` missing (found by the scenario fuzzer: it crashed), and too short.
    {"arms_paired_without_list.yaml",
     "arms_paired_without_list.yaml:3:3: arms: ", "give the arms under 'list:'"},
    {"arms_paired_one_arm.yaml", "arms_paired_one_arm.yaml:5:5: arms.list: ", "at least two arms"},
    {"intervention_unknown_arm.yaml", "intervention_unknown_arm.yaml:6:12: interventions.0.arms.0: ",
     "no arm 'treatd' (arms: control, treated)"},
    {"intervention_empty.yaml",
     "intervention_empty.yaml:2:5: interventions.0: ", "needs set: {...} or caregiver: replace | add"},
    {"intervention_after_end.yaml",
     "intervention_after_end.yaml:3:10: interventions.0.day: ", "30 is out of range; allowed 0 to 29"},
    {"intervention_bad_newcomer.yaml", "intervention_bad_newcomer.yaml:3:16: interventions.0.caregiver: ",
     "'adopt' is not allowed (allowed: replace"},
    {"protocol_bad_caregiver.yaml", "protocol_bad_caregiver.yaml:6:51: protocols.0.phases.1.caregiver: ",
     "'frozen' is not allowed (allowed: present, absent, still_face)"},
    {"protocol_too_long.yaml", "protocol_too_long.yaml:5:7: protocols.0.phases: ", "longer than the 21600 s"},
    {"phase_fraction_of_step.yaml",
     "phase_fraction_of_step.yaml:5:34: protocols.0.phases.0.duration_s: ", "not a whole number of steps"},
    {"stranger_distribution.yaml",
     "stranger_distribution.yaml:5:19: protocols.0.stranger.attunement: ", "one standardized adult"},
    {"reunion_without_caregiver.yaml",
     "reunion_without_caregiver.yaml:5:68: protocols.0.phases.0.reunion: ", "needs the caregiver present"},
    {"phase_flag_not_bool.yaml",
     "phase_flag_not_bool.yaml:5:50: protocols.0.phases.0.soothing: ", "expected true or false, got 'maybe'"},
};

INSTANTIATE_TEST_SUITE_P(Sections, ExperimentBadInput, ::testing::ValuesIn(kCases));

constexpr const char* kLong = R"(name: long
seed: 11
time: {days: 60, sessions_per_day: 4, session_s: 300, dt: 1}
population: {infants: 150}
output: {daily: [signal_gain, fear, cortisol]}
arms:
  - {name: control}
  - {name: treated, from_day: 20, set: {caregiver.attunement: 0.9}}
protocols:
  - name: sf
    day: 30
    phases:
      - {name: play, duration_s: 120}
      - {name: still, duration_s: 120, caregiver: still_face}
)";

std::string differences(const std::string& a, const std::string& b) {
  std::string d = first_file_difference(a, b, {"infants", "protocol/phases"});
  for (const char* field : {"signal_gain", "fear", "cortisol"}) {
    std::size_t r1, d1, r2, d2;
    if (sim::read_daily(a, field, r1, d1) != sim::read_daily(b, field, r2, d2))
      d += std::string(" daily ") + field;
  }
  return d;
}

// Stops the run (signal) once a checkpoint exists, then resumes it with --resume.
void stop_and_resume(int signal, int expected_status) {
  TempDir dir;
  const auto scenario = dir / "long.yaml";
  write_text(scenario, kLong);
  const std::string whole = (dir / "whole.h5").string(), out = (dir / "out.h5").string();
  ASSERT_EQ(run_attune({"run", scenario.string(), "-o", whole, "--quiet", "--threads", "2"}).status, 0);
  {
    Child child({"run", scenario.string(), "-o", out, "--quiet", "--threads", "1", "--checkpoint-every", "3"},
                dir / "stdout.txt", dir / "stderr.txt");
    const auto deadline = std::chrono::steady_clock::now() + 60s;
    while (!fs::exists(out + ".ckpt") && child.running() && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(5ms);
    ASSERT_TRUE(fs::exists(out + ".ckpt")) << read_text(dir / "stderr.txt");
    child.send(signal);
    EXPECT_EQ(child.wait(), expected_status) << read_text(dir / "stderr.txt");
  }
  EXPECT_FALSE(fs::exists(out));
  const CliResult again =
      run_attune({"run", scenario.string(), "-o", out, "--quiet", "--threads", "2", "--resume"});
  ASSERT_EQ(again.status, 0) << again.output;
  EXPECT_FALSE(fs::exists(out + ".ckpt")) << "the checkpoint is removed once the run is complete";
  EXPECT_EQ(differences(whole, out), "");
}

TEST(RunCheckpoint, AfterSigkillResumesToTheSameDatasets) { stop_and_resume(SIGKILL, -SIGKILL); }

TEST(RunCheckpoint, AfterSigtermResumesToTheSameDatasets) { stop_and_resume(SIGTERM, 130); }

TEST(RunCheckpoint, ResumeWithoutACheckpointAndAStaleCheckpointAreRefused) {
  TempDir dir;
  const auto scenario = dir / "long.yaml";
  write_text(scenario, kLong);
  const std::string out = (dir / "out.h5").string();
  CliResult r = run_attune({"run", scenario.string(), "-o", out, "--resume"});
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.output.find("no checkpoint to resume from"), std::string::npos) << r.output;
  write_text(out + ".ckpt", "not a checkpoint");
  r = run_attune({"run", scenario.string(), "-o", out});
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.output.find("--resume"), std::string::npos) << r.output;
  r = run_attune({"run", scenario.string(), "-o", out, "--resume"});
  EXPECT_EQ(r.status, 2) << r.output;
  EXPECT_FALSE(fs::exists(out));
}

}  // namespace
}  // namespace attune::test
