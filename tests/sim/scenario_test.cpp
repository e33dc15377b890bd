// Scenario loading (sim/scenario.hpp): defaults filled in, the resolved YAML loads back to the
// same scenario, and --set overrides reach every kind of key.
#include <gtest/gtest.h>

#include <cstring>

#include "sim/cli/simulation.hpp"
#include "sim/errors.hpp"
#include "support/paths.hpp"

namespace attune::sim {
namespace {

Scenario parse(const std::string& yaml, const std::vector<Override>& overrides = {}) {
  return parse_scenario(yaml, "test.yaml", overrides, app::model_spec());
}

std::size_t key_index(std::span<const ParamInfo> table, std::string_view key) {
  for (std::size_t k = 0; k < table.size(); ++k)
    if (table[k].key == key) return k;
  throw std::runtime_error("no parameter " + std::string(key));
}

bool same_bits(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }

void expect_same(const Distribution& a, const Distribution& b) {
  EXPECT_EQ(a.kind, b.kind);
  EXPECT_TRUE(same_bits(a.a, b.a)) << a.a << " vs " << b.a;
  EXPECT_TRUE(same_bits(a.b, b.b)) << a.b << " vs " << b.b;
}

void expect_same(const Scenario& a, const Scenario& b) {
  EXPECT_EQ(a.name, b.name);
  EXPECT_EQ(a.description, b.description);
  EXPECT_EQ(a.seed, b.seed);
  EXPECT_EQ(a.schedule.days, b.schedule.days);
  EXPECT_EQ(a.schedule.sessions_per_day, b.schedule.sessions_per_day);
  EXPECT_TRUE(same_bits(a.schedule.session_s, b.schedule.session_s));
  EXPECT_TRUE(same_bits(a.schedule.dt, b.schedule.dt));
  EXPECT_EQ(a.infants, b.infants);
  ASSERT_EQ(a.profiles.size(), b.profiles.size());
  for (std::size_t p = 0; p < a.profiles.size(); ++p) {
    SCOPED_TRACE(a.profiles[p].name);
    EXPECT_EQ(a.profiles[p].name, b.profiles[p].name);
    EXPECT_EQ(a.profiles[p].description, b.profiles[p].description);
    EXPECT_TRUE(same_bits(a.profiles[p].weight, b.profiles[p].weight));
    ASSERT_EQ(a.profiles[p].caregiver.size(), b.profiles[p].caregiver.size());
    for (std::size_t k = 0; k < a.profiles[p].caregiver.size(); ++k)
      expect_same(a.profiles[p].caregiver[k], b.profiles[p].caregiver[k]);
  }
  ASSERT_EQ(a.infant.size(), b.infant.size());
  for (std::size_t k = 0; k < a.infant.size(); ++k) EXPECT_TRUE(same_bits(a.infant[k], b.infant[k])) << k;
  EXPECT_EQ(a.daily, b.daily);
}

TEST(ParseScenario, AnEmptyScenarioHasEveryDefault) {
  const Scenario s = parse("");
  const auto spec = app::model_spec();
  EXPECT_EQ(s.seed, 1u);
  EXPECT_EQ(s.infants, 1000);
  EXPECT_EQ(s.schedule.days, 365);
  EXPECT_EQ(s.schedule.sessions_per_day, 4);
  EXPECT_EQ(s.schedule.session_s, 300.0);
  EXPECT_EQ(s.schedule.dt, 1.0);
  ASSERT_EQ(s.profiles.size(), 1u);
  EXPECT_EQ(s.profiles[0].name, "all");
  EXPECT_EQ(s.profiles[0].weight, 1.0);
  ASSERT_EQ(s.profiles[0].caregiver.size(), spec.params.caregiver.size());
  for (std::size_t k = 0; k < spec.params.caregiver.size(); ++k)
    expect_same(s.profiles[0].caregiver[k], Distribution::default_for(spec.params.caregiver[k]));
  ASSERT_EQ(s.infant.size(), spec.params.infant.size());
  for (std::size_t k = 0; k < spec.params.infant.size(); ++k)
    EXPECT_EQ(s.infant[k], spec.params.infant[k].value);
  EXPECT_TRUE(s.daily.empty());
  expect_same(s, parse("{}"));
}

TEST(ParseScenario, KeysNotMentionedKeepTheirDefaults) {
  const Scenario s = parse("time: {days: 7}\ncaregiver: {attunement: 0.8}\ninfant: {infant_noise: 0.3}\n");
  const auto spec = app::model_spec();
  EXPECT_EQ(s.schedule.days, 7);
  EXPECT_EQ(s.schedule.session_s, 300.0);
  const auto& cg = s.profiles[0].caregiver;
  expect_same(cg[key_index(spec.params.caregiver, "attunement")], Distribution::fixed(0.8));
  const std::size_t rupture = key_index(spec.params.caregiver, "rupture_rate");
  expect_same(cg[rupture], Distribution::default_for(spec.params.caregiver[rupture]));
  EXPECT_EQ(s.infant[key_index(spec.params.infant, "infant_noise")], 0.3);
  EXPECT_EQ(s.infant[key_index(spec.params.infant, "stressor_rate")], 1.0);
}

TEST(ParseScenario, ProfilesStartFromTheSharedCaregiverBlock) {
  const Scenario s = parse(R"(
caregiver: {rupture_rate: 3}
profiles:
  - name: one
  - name: two
    weight: 0.25
    caregiver: {rupture_rate: {dist: uniform, min: 1, max: 2}}
)");
  const std::size_t k = key_index(app::model_spec().params.caregiver, "rupture_rate");
  ASSERT_EQ(s.profiles.size(), 2u);
  EXPECT_EQ(s.profiles[0].weight, 1.0) << "the default weight";
  expect_same(s.profiles[0].caregiver[k], Distribution::fixed(3));
  EXPECT_EQ(s.profiles[1].weight, 0.25);
  expect_same(s.profiles[1].caregiver[k], Distribution{DistKind::uniform, 1, 2});
}

constexpr const char* kRich = R"(name: rich
description: |
  Every kind of distribution,
  two profiles, and daily output.
seed: 18446744073709551615
time: {days: 12, sessions_per_day: 3, session_s: 250, dt: 0.5}
population: {infants: 77}
caregiver:
  attunement: {dist: beta, mean: 0.123456789012345678, concentration: 3.5}
  rupture_rate: {dist: lognormal, mean: 1.1, log_sd: 0.3}
  repair_rate: {dist: normal, mean: 2.5, sd: 0.75}
  rejection: {dist: uniform, min: 0, max: 2.25}
  baseline_stress: {dist: fixed, value: 0.1}
profiles:
  - name: calm
    weight: 0.7
  - name: flooded
    description: caregivers under high stress
    weight: 0.3
    caregiver:
      baseline_stress: 1e-05
infant:
  forgetting: 0.9
  regulation_initial: 0.02
output:
  daily: [signal_gain, cortisol]
)";

TEST(ToYaml, ResolvedScenarioLoadsBackToTheSameScenario) {
  const auto spec = app::model_spec();
  const Scenario s = parse(kRich);
  const std::string first = to_yaml(s, spec);
  const Scenario again = parse(first);
  expect_same(s, again);
  EXPECT_EQ(to_yaml(again, spec), first);
  EXPECT_EQ(s.seed, 18446744073709551615ull);
  EXPECT_EQ(s.description, "Every kind of distribution,\ntwo profiles, and daily output.")
      << "trailing newlines are trimmed";
  EXPECT_EQ(s.profiles[1].description, "caregivers under high stress");
}

TEST(ToYaml, RoundTripsEveryShippedScenario) {
  const auto spec = app::model_spec();
  for (const auto& entry : std::filesystem::recursive_directory_iterator(test::source_dir() / "scenarios")) {
    if (entry.path().extension() != ".yaml") continue;
    SCOPED_TRACE(entry.path().string());
    const Scenario s = load_scenario(entry.path().string(), {}, spec);
    // Written with the scenario's own model's tables (`model: mutual` files among them).
    const ModelSpec& own = model_spec(app::model_of(s));
    const std::string first = to_yaml(s, own);
    const Scenario again = parse(first);
    expect_same(s, again);
    EXPECT_EQ(to_yaml(again, own), first);
  }
}

TEST(ToYaml, ADescriptionWithoutAFinalNewlineSurvives) {
  const Scenario s = parse("description: \"one line, no newline\"\n");
  const Scenario again = parse(to_yaml(s, app::model_spec()));
  EXPECT_EQ(again.description, "one line, no newline");
}

TEST(LoadScenario, NamesAnUnnamedScenarioAfterItsFile) {
  test::TempDir dir;
  test::write_text(dir / "my_study.yaml", "seed: 4\n");
  const Scenario s = load_scenario((dir / "my_study.yaml").string(), {}, app::model_spec());
  EXPECT_EQ(s.name, "my_study");
  EXPECT_EQ(s.source, (dir / "my_study.yaml").string());
  EXPECT_EQ(s.seed, 4u);
}

TEST(Overrides, ANumberReplacesADistribution) {
  const auto spec = app::model_spec();
  const std::size_t a = key_index(spec.params.caregiver, "attunement");
  const Scenario s = parse(kRich, {{"caregiver.attunement", "0.8"}});
  for (const auto& p : s.profiles) expect_same(p.caregiver[a], Distribution::fixed(0.8));
}

TEST(Overrides, AMappingSetsADistribution) {
  const auto spec = app::model_spec();
  const std::size_t a = key_index(spec.params.caregiver, "attunement");
  const Scenario s = parse("", {parse_override("caregiver.attunement={dist: uniform, min: 0.2, max: 0.4}")});
  expect_same(s.profiles[0].caregiver[a], Distribution{DistKind::uniform, 0.2, 0.4});
}

// A mapping without 'dist' edits the distribution it replaces, keeping what it does not name.
TEST(Overrides, AMappingWithoutDistEditsTheInheritedDistribution) {
  const auto spec = app::model_spec();
  const std::size_t a = key_index(spec.params.caregiver, "attunement");
  const std::size_t r = key_index(spec.params.caregiver, "rupture_rate");
  const Scenario s = parse(kRich, {{"caregiver.attunement.concentration", "50"},
                                   {"profiles.flooded.caregiver.rupture_rate.log_sd", "0.9"}});
  for (const auto& p : s.profiles) {
    SCOPED_TRACE(p.name);
    const double mean = 0.123456789012345678;
    expect_same(p.caregiver[a], Distribution{DistKind::beta, mean, 50});
  }
  expect_same(s.profiles[0].caregiver[r], Distribution{DistKind::lognormal, 1.1, 0.3});
  expect_same(s.profiles[1].caregiver[r], Distribution{DistKind::lognormal, 1.1, 0.9});
  EXPECT_THROW(parse(kRich, {{"caregiver.attunement.sd", "0.1"}}), ScenarioError) << "beta has no sd";
}

TEST(Overrides, ProfilesAreAddressedByNameOrIndex) {
  const auto spec = app::model_spec();
  const std::size_t b = key_index(spec.params.caregiver, "baseline_stress");
  const Scenario s = parse(kRich, {{"profiles.flooded.caregiver.baseline_stress", "2.5"},
                                   {"profiles.0.weight", "4"},
                                   {"profiles.calm.caregiver.rejection", "1.5"}});
  EXPECT_EQ(s.profiles[0].weight, 4.0);
  EXPECT_EQ(s.profiles[1].weight, 0.3);
  expect_same(s.profiles[1].caregiver[b], Distribution::fixed(2.5));
  expect_same(s.profiles[0].caregiver[key_index(spec.params.caregiver, "rejection")],
              Distribution::fixed(1.5));
  SCOPED_TRACE("the other profile is untouched");
  expect_same(s.profiles[0].caregiver[b], Distribution::fixed(0.1));
}

TEST(Overrides, ReachTimeSeedPopulationInfantAndOutput) {
  const auto spec = app::model_spec();
  const Scenario s = parse(kRich, {{"seed", "99"},
                                   {"time.days", "3"},
                                   {"population.infants", "20"},
                                   {"infant.forgetting", "0.5"},
                                   {"output.daily", "[fear]"}});
  EXPECT_EQ(s.seed, 99u);
  EXPECT_EQ(s.schedule.days, 3);
  EXPECT_EQ(s.schedule.session_s, 250.0) << "siblings of an overridden key stay";
  EXPECT_EQ(s.infants, 20);
  EXPECT_EQ(s.infant[key_index(spec.params.infant, "forgetting")], 0.5);
  EXPECT_EQ(s.infant[key_index(spec.params.infant, "regulation_initial")], 0.02);
  EXPECT_EQ(s.daily, std::vector<std::string>{"fear"});
}

TEST(Overrides, ApplyInOrderAndCanAddKeysTheFileLacks) {
  const Scenario s = parse("", {{"time.days", "5"}, {"time.days", "6"}, {"caregiver.rejection", "2"}});
  EXPECT_EQ(s.schedule.days, 6);
}

TEST(Overrides, ErrorsNameTheOverride) {
  try {
    parse(kRich, {{"infant.forgetting", "1.5"}});
    FAIL() << "expected a ScenarioError";
  } catch (const ScenarioError& e) {
    EXPECT_EQ(e.key_path, "infant.forgetting");
    EXPECT_NE(std::string(e.what()).find("test.yaml (--set infant.forgetting=1.5): infant.forgetting: "),
              std::string::npos)
        << e.what();
  }
  try {
    parse(kRich, {{"profiles.flooded.weight", "0"}});
    FAIL() << "expected a ScenarioError";
  } catch (const ScenarioError& e) {
    EXPECT_EQ(e.key_path, "profiles.1.weight");
    EXPECT_NE(std::string(e.what()).find("test.yaml (--set profiles.flooded.weight=0): profiles.1.weight: "),
              std::string::npos)
        << e.what();
  }
  EXPECT_THROW(parse(kRich, {{"profiles.7.weight", "1"}}), InputError);
  EXPECT_THROW(parse(kRich, {{"seed.deeper", "1"}}), InputError);
  EXPECT_THROW(parse(kRich, {{"time..days", "1"}}), InputError);
}

TEST(ParseOverride, SplitsAtTheFirstEquals) {
  const Override o = parse_override("description=a=b");
  EXPECT_EQ(o.path, "description");
  EXPECT_EQ(o.value, "a=b");
  EXPECT_THROW(parse_override("no_equals"), InputError);
  EXPECT_THROW(parse_override("=5"), InputError);
}

TEST(ScenarioError, CarriesTheKeyPath) {
  try {
    parse("caregiver:\n  attunement: 2\n");
    FAIL() << "expected a ScenarioError";
  } catch (const ScenarioError& e) {
    EXPECT_EQ(e.key_path, "caregiver.attunement");
    EXPECT_EQ(std::string(e.what()).rfind("test.yaml:2:15: caregiver.attunement: 2 is out of range", 0), 0u)
        << e.what();
  }
}

TEST(EditDistance, CountsInsertionsDeletionsAndSubstitutions) {
  EXPECT_EQ(edit_distance("atunement", "attunement"), 1u);
  EXPECT_EQ(edit_distance("kitten", "sitting"), 3u);
  EXPECT_EQ(edit_distance("", "abc"), 3u);
  EXPECT_EQ(edit_distance("seed", "seed"), 0u);
}

}  // namespace
}  // namespace attune::sim
