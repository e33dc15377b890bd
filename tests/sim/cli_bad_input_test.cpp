// Bad input through the real command line: exit status 2 and a message that names the file,
// line and column, the key path, and what was wrong (with a suggestion for a typo). Fixtures
// live in tests/data/.
#include <gtest/gtest.h>

#include <cctype>
#include <string>
#include <vector>

#include "support/paths.hpp"

namespace attune::test {
namespace {

struct BadInput {
  const char* name;
  std::vector<std::string> args;  // after `attune check`; "@file" is tests/data/file
  std::string where;              // "file:line:column: key.path:" (or what the message must start with)
  std::string what;               // the rest of the message that must appear
};

void PrintTo(const BadInput& b, std::ostream* os) { *os << b.name; }

std::vector<std::string> resolve(const std::vector<std::string>& args) {
  std::vector<std::string> out;
  for (const auto& a : args) out.push_back(a[0] == '@' ? (data_dir() / a.substr(1)).string() : a);
  return out;
}

class CliBadInput : public ::testing::TestWithParam<BadInput> {};

TEST_P(CliBadInput, ExitsWithStatus2AndALocatedMessage) {
  const BadInput& b = GetParam();
  std::vector<std::string> args{"check"};
  for (const auto& a : resolve(b.args)) args.push_back(a);
  const CliResult r = run_attune(args);
  EXPECT_EQ(r.status, 2) << r.output;
  EXPECT_NE(r.output.find("attune: error: "), std::string::npos) << r.output;
  EXPECT_NE(r.output.find(b.where), std::string::npos) << "expected location and key: " << b.where << "\n"
                                                       << r.output;
  EXPECT_NE(r.output.find(b.what), std::string::npos) << "expected: " << b.what << "\n" << r.output;
  EXPECT_EQ(r.output.find("valid\n"), std::string::npos) << "nothing may be printed as valid";
}

// Columns point at the offending value (or at the key, for an unknown key).
const BadInput kCases[] = {
    {"unknown_key_with_suggestion",
     {"@unknown_caregiver_key.yaml"},
     "unknown_caregiver_key.yaml:4:3: caregiver.atunement: ",
     "unknown key; did you mean 'attunement'?"},
    {"unknown_top_level_key",
     {"@unknown_top_level_key.yaml"},
     "unknown_top_level_key.yaml:2:1: seeds: ",
     "did you mean 'seed'?"},
    {"list_where_a_number_goes",
     {"@list_for_number.yaml"},
     "list_for_number.yaml:3:17: infant.infant_noise: ",
     "expected a number, got a list"},
    {"attunement_out_of_range",
     {"@attunement_out_of_range.yaml"},
     "attunement_out_of_range.yaml:3:15: caregiver.attunement: ",
     "1.3 is out of range; allowed [0, 1]"},
    {"negative_rupture_rate",
     {"@negative_rupture_rate.yaml"},
     "negative_rupture_rate.yaml:3:17: caregiver.rupture_rate: ",
     "-1 is out of range"},
    {"dt_longer_than_session",
     {"@dt_longer_than_session.yaml"},
     "dt_longer_than_session.yaml:4:7: time.dt: ",
     "longer than a session"},
    {"session_not_multiple_of_dt",
     {"@session_not_multiple_of_dt.yaml"},
     "session_not_multiple_of_dt.yaml:4:7: time.dt: ",
     "not a whole number of steps"},
    {"sessions_overfill_the_day",
     {"@sessions_overfill_day.yaml"},
     "sessions_overfill_day.yaml:3:3: time: ",
     "do not fit in a day"},
    {"beta_on_unbounded_parameter",
     {"@beta_on_unbounded.yaml"},
     "beta_on_unbounded.yaml:3:24: caregiver.rupture_rate.dist: ",
     "beta is for parameters within [0, 1]"},
    {"unknown_distribution",
     {"@unknown_distribution.yaml"},
     "unknown_distribution.yaml:3:22: caregiver.attunement.dist: ",
     "unknown distribution 'gamma'"},
    {"profile_weight_zero",
     {"@profile_weight_zero.yaml"},
     "profile_weight_zero.yaml:6:13: profiles.1.weight: ",
     "must be > 0"},
    {"duplicate_profile_names",
     {"@duplicate_profile_names.yaml"},
     "duplicate_profile_names.yaml:4:11: profiles.1.name: ",
     "profile name 'low' is used twice"},
    {"profile_name_too_long",
     {"@profile_name_too_long.yaml"},
     "profile_name_too_long.yaml:3:11: profiles.0.name: ",
     "is not a valid name"},
    {"empty_profiles", {"@empty_profiles.yaml"}, "empty_profiles.yaml:2:11: profiles: ", "non-empty list"},
    {"unknown_daily_field",
     {"@unknown_daily_field.yaml"},
     "unknown_daily_field.yaml:3:24: output.daily.1: ",
     "unknown daily field 'happiness'"},
    {"caregiver_key_under_infant",
     {"@caregiver_key_under_infant.yaml"},
     "caregiver_key_under_infant.yaml:3:3: infant.attunement: ",
     "put it under 'caregiver:'"},
    {"infant_key_at_top_level",
     {"@infant_key_at_top_level.yaml"},
     "infant_key_at_top_level.yaml:2:1: infant_noise: ",
     "put infant_noise under 'infant:'"},
    {"regulation_above_ceiling",
     {"@regulation_above_ceiling.yaml"},
     "regulation_above_ceiling.yaml:3:3: infant: ",
     "regulation_initial must not exceed regulation_max"},
    {"fractional_infants",
     {"@fractional_infants.yaml"},
     "fractional_infants.yaml:3:12: population.infants: ",
     "expected a whole number, got '2.5'"},
    {"negative_seed", {"@negative_seed.yaml"}, "negative_seed.yaml:2:7: seed: ", "got '-4'"},
    {"set_without_equals",
     {"@valid_profiles.yaml", "--set", "caregiver.attunement"},
     "--set caregiver.attunement: ",
     "expected KEY.PATH=VALUE"},
    {"set_out_of_range_names_the_override",
     {"@valid_profiles.yaml", "--set", "caregiver.attunement=1.3"},
     "valid_profiles.yaml (--set caregiver.attunement=1.3): caregiver.attunement: ",
     "out of range"},
    {"set_key_the_distribution_lacks",
     {"@valid_profiles.yaml", "--set", "caregiver.attunement.sd=0.1"},
     "valid_profiles.yaml (--set caregiver.attunement.sd=0.1): caregiver.attunement.sd: ",
     "unknown key"},
    {"set_unknown_profile",
     {"@valid_profiles.yaml", "--set", "profiles.nobody.weight=2"},
     "--set profiles.nobody.weight: ",
     "no list item 'nobody'"},
    {"set_value_not_yaml",
     {"@valid_profiles.yaml", "--set", "caregiver.attunement=[0.5"},
     "--set caregiver.attunement=[0.5: ",
     "not valid YAML"},
    {"missing_file", {"@no_such_scenario.yaml"}, "no_such_scenario.yaml: ", "cannot open the scenario file"},
};

INSTANTIATE_TEST_SUITE_P(Cases, CliBadInput, ::testing::ValuesIn(kCases),
                         [](const auto& tp) { return std::string(tp.param.name); });

// True when `text` holds "<file>:<line>:<column>: <then>" with a line in [first, last].
bool has_location(const std::string& text, const std::string& file, int first, int last,
                  const std::string& then) {
  for (auto at = text.find(file + ":"); at != std::string::npos; at = text.find(file + ":", at + 1)) {
    std::size_t i = at + file.size() + 1;
    auto digits = [&] {
      const std::size_t from = i;
      while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) ++i;
      return i > from ? std::stoi(text.substr(from, i - from)) : -1;
    };
    const int line = digits();
    if (line < first || line > last || i >= text.size() || text[i++] != ':' || digits() < 1) continue;
    if (text.compare(i, 2 + then.size(), ": " + then) == 0) return true;
  }
  return false;
}

// yaml-cpp reports where it gave up: for a bracket opened on line 2 and never closed that is
// line 3, so the line may be either.
TEST(CliBadInput, MalformedYamlGivesALineAndColumn) {
  const CliResult r = run_attune({"check", (data_dir() / "unclosed_bracket.yaml").string()});
  EXPECT_EQ(r.status, 2) << r.output;
  EXPECT_TRUE(has_location(r.output, "unclosed_bracket.yaml", 2, 3, "malformed YAML")) << r.output;
  EXPECT_FALSE(
      has_location("unclosed_bracket.yaml:7:1: malformed YAML", "unclosed_bracket.yaml", 2, 3, "malformed"))
      << "the check itself must be able to fail";
}

// A profile addressed by name in --set is still an override: the message must say so rather than
// point into the file.
TEST(CliBadInput, SetAddressingAProfileByNameIsReportedAsTheOverride) {
  const CliResult r = run_attune(
      {"check", (data_dir() / "valid_profiles.yaml").string(), "--set", "profiles.high_stress.weight=0"});
  EXPECT_EQ(r.status, 2) << r.output;
  EXPECT_NE(r.output.find("valid_profiles.yaml (--set profiles.high_stress.weight=0): profiles.1.weight: "),
            std::string::npos)
      << r.output;
}

TEST(CliBadInput, BadCommandLineOptionsExitWith2) {
  EXPECT_EQ(run_attune({"check"}).status, 2) << "a missing SCENARIO";
  EXPECT_EQ(run_attune({"frobnicate"}).status, 2) << "an unknown subcommand";
  const auto scenario = (data_dir() / "valid_profiles.yaml").string();
  EXPECT_EQ(run_attune({"check", scenario, "--seed", "minus-one"}).status, 2);
  // CLI11 alone wraps -1 to 2^64 - 1 and clamps 2^64 to it: both would run with a seed nobody asked for.
  for (const char* seed : {"--seed=-1", "--seed=18446744073709551616", "--seed=1.5"}) {
    const CliResult r = run_attune({"check", scenario, seed});
    EXPECT_EQ(r.status, 2) << seed << ": " << r.output;
    EXPECT_NE(r.output.find("is not a whole number from 0 to 18446744073709551615"), std::string::npos)
        << r.output;
  }
  EXPECT_EQ(run_attune({"check", scenario, "--seed=18446744073709551615"}).status, 0) << "the largest seed";
  TempDir dir;
  const CliResult r = run_attune({"run", scenario, "-o", (dir / "x.h5").string(), "--threads", "-1"});
  EXPECT_EQ(r.status, 2) << r.output;
  EXPECT_TRUE(dir.list().empty());
}

TEST(CliCheck, AcceptsAValidScenarioWithOverridesAndSeed) {
  const CliResult r = run_attune({"check", (data_dir() / "valid_profiles.yaml").string(), "--set",
                                  "profiles.high_stress.weight=2", "--seed", "77"});
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("valid_profiles.yaml: valid"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("\nseed: 77\n"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("- name: high_stress\n    weight: 2\n"), std::string::npos) << r.output;
}

}  // namespace
}  // namespace attune::test
