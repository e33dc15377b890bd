// `attune run` never loses a result: an existing output survives byte for byte unless --force is
// given, and bad input never creates an output (or leaves a temporary file behind).
#include <gtest/gtest.h>

#include "sim/hdf5_file.hpp"
#include "support/paths.hpp"

namespace attune::test {
namespace {

const std::string kPrecious = "precious results\n\x01\x02 binary tail";

std::string valid_scenario() { return (data_dir() / "valid_profiles.yaml").string(); }

TEST(CliOutputSafety, ExistingOutputWithoutForceIsRefusedAndLeftByteIdentical) {
  TempDir dir;
  const auto out = dir / "result.h5";
  write_text(out, kPrecious);
  const CliResult r = run_attune({"run", valid_scenario(), "-o", out.string(), "--quiet"});
  EXPECT_EQ(r.status, 2) << r.output;
  EXPECT_NE(r.output.find("already exists; use --force"), std::string::npos) << r.output;
  EXPECT_EQ(read_text(out), kPrecious);
  EXPECT_EQ(dir.list(), std::vector<std::string>{"result.h5"}) << "no temporary file may be left";
}

// --force replaces a file attune wrote (and only such a file: hardening_test.cpp).
TEST(CliOutputSafety, ForceReplacesTheExistingOutput) {
  TempDir dir;
  const auto out = dir / "result.h5";
  ASSERT_EQ(
      run_attune({"run", valid_scenario(), "-o", out.string(), "--quiet", "--set", "population.infants=3"})
          .status,
      0);
  const CliResult r = run_attune({"run", valid_scenario(), "-o", out.string(), "--quiet", "--force"});
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_EQ(sim::read_table(out.string(), "infants").rows(), 12u);
  EXPECT_EQ(dir.list(), std::vector<std::string>{"result.h5"});
}

TEST(CliOutputSafety, BadScenarioNeverCreatesTheOutput) {
  TempDir dir;
  const auto out = dir / "result.h5";
  for (const char* bad : {"attunement_out_of_range.yaml", "unclosed_bracket.yaml", "no_such_scenario.yaml"}) {
    SCOPED_TRACE(bad);
    const CliResult r = run_attune({"run", (data_dir() / bad).string(), "-o", out.string(), "--quiet"});
    EXPECT_EQ(r.status, 2) << r.output;
    EXPECT_TRUE(dir.list().empty()) << "something was written";
  }
  const CliResult r =
      run_attune({"run", valid_scenario(), "-o", out.string(), "--quiet", "--set", "time.days=0"});
  EXPECT_EQ(r.status, 2) << r.output;
  EXPECT_TRUE(dir.list().empty());
}

// Some input errors surface only once the run has begun (a normal distribution that almost never
// falls in its range is found while drawing caregivers): the temporary file must go too.
TEST(CliOutputSafety, AnInputErrorFoundDuringTheRunLeavesNoOutput) {
  TempDir dir;
  const auto out = dir / "result.h5";
  const CliResult r = run_attune({"run", valid_scenario(), "-o", out.string(), "--quiet", "--set",
                                  "caregiver.attunement={dist: normal, mean: 0.5, sd: 1e9}"});
  EXPECT_EQ(r.status, 2) << r.output;
  EXPECT_NE(r.output.find("narrow its sd"), std::string::npos) << r.output;
  EXPECT_TRUE(dir.list().empty());
}

TEST(CliOutputSafety, BadScenarioLeavesAnExistingOutputAlone) {
  TempDir dir;
  const auto out = dir / "result.h5";
  write_text(out, kPrecious);
  const CliResult r = run_attune(
      {"run", (data_dir() / "attunement_out_of_range.yaml").string(), "-o", out.string(), "--force"});
  EXPECT_EQ(r.status, 2) << r.output;
  EXPECT_EQ(read_text(out), kPrecious);
}

TEST(CliOutputSafety, MissingOutputFolderIsAnInputError) {
  TempDir dir;
  const auto out = dir / "no" / "such" / "folder" / "result.h5";
  const CliResult r = run_attune({"run", valid_scenario(), "-o", out.string(), "--quiet"});
  EXPECT_EQ(r.status, 2) << r.output;
  EXPECT_NE(r.output.find("does not exist"), std::string::npos) << r.output;
  EXPECT_TRUE(dir.list().empty());
}

TEST(CliOutputSafety, AFolderIsNotAnOutputFile) {
  TempDir dir;
  const CliResult r = run_attune({"run", valid_scenario(), "-o", dir.path().string(), "--quiet", "--force"});
  EXPECT_EQ(r.status, 2) << r.output;
  EXPECT_NE(r.output.find("is a folder"), std::string::npos) << r.output;
  EXPECT_TRUE(dir.list().empty());
}

TEST(CliRun, WritesProvenanceAndTheResolvedScenario) {
  TempDir dir;
  const auto out = dir / "result.h5";
  const CliResult r = run_attune({"run", valid_scenario(), "-o", out.string(), "--quiet", "--seed", "9"});
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_TRUE(r.output.empty()) << "--quiet prints nothing: " << r.output;
  const auto attrs = sim::read_attributes(out.string());
  EXPECT_EQ(attrs.at("schema_version"), std::to_string(sim::kSchemaVersion));
  EXPECT_EQ(attrs.at("seed"), "9");
  EXPECT_EQ(attrs.at("model"), "reference");
  EXPECT_EQ(attrs.at("scenario_source"), valid_scenario());
  EXPECT_NE(attrs.at("scenario").find("seed: 9\n"), std::string::npos);
  EXPECT_FALSE(attrs.at("git_commit").empty());
  EXPECT_FALSE(attrs.at("created_utc").empty());

  const CliResult info = run_attune({"info", out.string()});
  ASSERT_EQ(info.status, 0) << info.output;
  EXPECT_NE(info.output.find("rows: 12"), std::string::npos) << info.output;
  EXPECT_NE(info.output.find("fear, signal_gain"), std::string::npos) << "daily series: " << info.output;
}

}  // namespace
}  // namespace attune::test
