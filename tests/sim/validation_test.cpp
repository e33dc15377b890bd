// The validation library (sim/validation.hpp): measures on small tables with exact expected
// values, judging, pattern files with errors, and `attune validate` end to end on a tiny pattern.
#include "sim/validation.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <numbers>

#include "models/catalog.hpp"
#include "sim/cli/simulation.hpp"
#include "sim/errors.hpp"
#include "support/paths.hpp"

namespace attune::sim::validation {
namespace {

using test::data_dir;

const std::string kDir = (data_dir() / "validation" / "tiny").string();

Pattern pattern(const std::string& measure_and_target) {
  return parse_pattern(
      "name: t\nlevel: micro\ncite: c\nsource: s\n"
      "scenario: {reference: scenarios/reference/tiny.yaml}\n" +
          measure_and_target,
      "t.yaml", kDir);
}

Column& ints(Table& t, const char* name, std::vector<std::int64_t> v) {
  Column& c = t.add(name, Column::int64);
  c.ints = std::move(v);
  return c;
}
Column& reals(Table& t, const char* name, std::vector<double> v) {
  Column& c = t.add(name, Column::float64);
  c.reals = std::move(v);
  return c;
}
Column& texts(Table& t, const char* name, std::vector<std::string> v) {
  Column& c = t.add(name, Column::text, 24);
  c.texts = std::move(v);
  return c;
}

Scenario scenario_with_stressor() {
  Scenario s;
  s.model = "reference";
  Protocol p;
  p.name = "stressor";
  for (auto [name, d] : {std::pair{"baseline", 300.0}, {"stressor", 120.0}, {"recovery", 3000.0}}) {
    Phase ph;
    ph.name = name;
    ph.duration_s = d;
    p.phases.push_back(ph);
  }
  s.experiment.protocols.push_back(p);
  return s;
}

TEST(ValidationMeasure, MeanOverFilteredRowsTimesScale) {
  const Pattern p = pattern(
      "measure: {kind: mean, column: repairs_per_min, where: {profile: [typical, other]}, scale: 2}\n"
      "target: {at_least: 0}\n");
  RunResult r;
  texts(r.infants, "profile", {"typical", "high", "typical", "other"});
  reals(r.infants, "repairs_per_min", {1.0, 100.0, 2.0, NAN});  // NaN is left out
  const auto v = measure(p, Scenario{}, r);
  ASSERT_EQ(v.size(), 1u);
  EXPECT_DOUBLE_EQ(v[0].value, 3.0);  // mean(1, 2) × 2
  EXPECT_EQ(v[0].n, 2u);
}

TEST(ValidationMeasure, ColumnPerModel) {
  const Pattern p = pattern(
      "measure: {kind: mean, column: {reference: a, mutual: b}}\n"
      "target: {at_least: 0}\n");
  RunResult r;
  reals(r.infants, "a", {1.0, 3.0});
  reals(r.infants, "b", {10.0, 30.0});
  Scenario s;
  s.model = "reference";
  EXPECT_DOUBLE_EQ(measure(p, s, r)[0].value, 2.0);
  s.model = "mutual";
  EXPECT_DOUBLE_EQ(measure(p, s, r)[0].value, 20.0);
}

TEST(ValidationMeasure, ClassSharesInPercent) {
  const Pattern p = pattern(
      "measure: {kind: class_shares}\ntarget: {B: {at_least: 0}, A: {at_least: 0}, C: {at_least: 0}, D: "
      "{at_least: 0}}\n");
  RunResult r;
  texts(r.infants, "classification", {"B", "B", "A", "D"});
  const auto v = measure(p, Scenario{}, r);
  ASSERT_EQ(v.size(), 4u);
  EXPECT_DOUBLE_EQ(v[0].value, 50.0);
  EXPECT_DOUBLE_EQ(v[1].value, 25.0);
  EXPECT_DOUBLE_EQ(v[2].value, 0.0);
  EXPECT_DOUBLE_EQ(v[3].value, 25.0);
}

TEST(ValidationMeasure, PointBiserial) {
  const Pattern p =
      pattern("measure: {kind: point_biserial, column: attunement, classes: B}\ntarget: {at_least: 0}\n");
  RunResult r;
  reals(r.infants, "attunement", {1, 2, 3, 4});
  texts(r.infants, "classification", {"A", "D", "B", "B"});
  const auto v = measure(p, Scenario{}, r);
  EXPECT_NEAR(v[0].value, 2.0 / std::sqrt(5.0), 1e-15);
  // t = r √(n−2)/√(1−r²) = 2√2 ... with 2 df: p = 1 − t/√(t²+2).
  const double t = v[0].value * std::sqrt(2.0 / (1 - v[0].value * v[0].value));
  EXPECT_NEAR(v[0].p, 1 - t / std::sqrt(t * t + 2), 1e-12);
}

TEST(ValidationMeasure, PhaseContrastIsPairedByInfant) {
  const Pattern p = pattern(
      "measure:\n  kind: phase_contrast\n  protocol: sf\n  contrasts:\n"
      "    - {name: up, column: x, phase: still, reference: play}\n"
      "target: {up: {direction: greater, p_below: 0.1}}\n");
  RunResult r;
  // Three infants; rows deliberately out of order; another protocol's rows are ignored.
  ints(r.phases, "infant_id", {2, 0, 1, 0, 1, 2, 0});
  ints(r.phases, "caregiver_id", {2, 0, 1, 0, 1, 2, 0});
  texts(r.phases, "arm", {"all", "all", "all", "all", "all", "all", "all"});
  texts(r.phases, "protocol", {"sf", "sf", "sf", "sf", "sf", "sf", "other"});
  texts(r.phases, "phase", {"play", "play", "play", "still", "still", "still", "still"});
  reals(r.phases, "x", {10, 0, 5, 1, 7, 13, 99});  // differences 1, 2, 3
  const auto v = measure(p, Scenario{}, r);
  EXPECT_DOUBLE_EQ(v[0].value, 2.0);
  EXPECT_EQ(v[0].n, 3u);
  EXPECT_NEAR(v[0].p, 1 - std::sqrt(6.0 / 7.0), 1e-12);  // t = 2√3, 2 df
  std::string why;
  EXPECT_TRUE(meets(p.components[0].target, v[0], &why)) << why;
}

TEST(ValidationMeasure, MissingColumnIsAFailureNamingIt) {
  const Pattern p = pattern(
      "measure:\n  kind: phase_contrast\n  protocol: sf\n  contrasts:\n"
      "    - {name: up, column: positive_share, phase: still, reference: play}\n"
      "target: {up: {direction: greater, p_below: 0.1}}\n");
  RunResult r;
  ints(r.phases, "infant_id", {0});
  ints(r.phases, "caregiver_id", {0});
  texts(r.phases, "arm", {"all"});
  texts(r.phases, "protocol", {"sf"});
  texts(r.phases, "phase", {"play"});
  const auto v = measure(p, Scenario{}, r);  // one contrast's column missing: that contrast fails
  std::string why;
  EXPECT_FALSE(meets(p.components[0].target, v[0], &why));
  EXPECT_EQ(why, "the model records no 'positive_share' in /protocol/phases");
  const Pattern shares = pattern("measure: {kind: class_shares}\ntarget: {B: {at_least: 0}}\n");
  EXPECT_THROW(measure(shares, Scenario{}, r), Unmeasurable);  // no classification at all
}

TEST(ValidationMeasure, SamplePeakTimeFromOnset) {
  const Pattern p = pattern(
      "measure: {kind: sample_peak_time, protocol: stressor, phase: stressor}\ntarget: {accept: [15, 45]}\n");
  RunResult r;
  // Two infants; the mean curve peaks at t = 1500 s, 20 minutes after the onset at 300 s. The
  // baseline sample at 0 is higher but before the onset.
  ints(r.samples, "infant_id", {0, 0, 0, 0, 1, 1, 1, 1});
  texts(r.samples, "arm", std::vector<std::string>(8, "all"));
  texts(r.samples, "protocol", std::vector<std::string>(8, "stressor"));
  texts(r.samples, "phase",
        {"baseline", "stressor", "recovery", "recovery", "baseline", "stressor", "recovery", "recovery"});
  reals(r.samples, "t_s", {0, 300, 1500, 2700, 0, 300, 1500, 2700});
  reals(r.samples, "cortisol", {9, 1, 3, 2, 9, 1, 2, 2.9});  // means: 9, 1, 2.5, 2.45
  const auto v = measure(p, scenario_with_stressor(), r);
  EXPECT_DOUBLE_EQ(v[0].value, 20.0);
  EXPECT_EQ(v[0].n, 2u);
}

TEST(ValidationMeasure, GroupContrastOfClassesAsLogOddsD) {
  const Pattern p = pattern(
      "measure: {kind: group_contrast, group_by: arm, group: high, reference: low}\n"
      "target: {D: {value: 0.77, tolerance: 0.25}}\n");
  RunResult r;
  ints(r.infants, "infant_id", {0, 1, 2, 3, 4, 5, 6, 7});
  texts(r.infants, "arm", {"high", "high", "high", "high", "low", "low", "low", "low"});
  texts(r.infants, "classification", {"D", "D", "B", "A", "D", "B", "B", "C"});
  const auto v = measure(p, Scenario{}, r);
  // OR = (2·3)/(2·1) = 3.
  EXPECT_NEAR(v[0].value, std::log(3.0) * std::sqrt(3.0) / std::numbers::pi, 1e-12);
  const double se = std::sqrt(1 / 2.0 + 1 / 2.0 + 1 / 1.0 + 1 / 3.0);  // Woolf
  EXPECT_NEAR(v[0].p, std::erfc(std::log(3.0) / se / std::sqrt(2.0)), 1e-9);
}

TEST(ValidationMeasure, GroupContrastOfCortisolRise) {
  const Pattern p = pattern(
      "measure: {kind: group_contrast, group_by: classification, group: D, reference: B, protocol: stressor, "
      "phase: stressor}\n"
      "target: {cortisol_rise: {direction: greater, p_below: 0.05}}\n");
  RunResult r;
  ints(r.infants, "infant_id", {0, 1, 2, 3, 4});
  texts(r.infants, "arm", std::vector<std::string>(5, "all"));
  texts(r.infants, "classification", {"D", "D", "B", "B", "A"});
  // Per infant: baseline (last sample before 300 s) and samples from 300 s on.
  std::vector<std::int64_t> id;
  std::vector<double> t, z;
  auto add = [&](std::int64_t i, std::vector<double> zs) {
    const double ts[] = {0, 240, 300, 900};
    for (std::size_t k = 0; k < zs.size(); ++k) id.push_back(i), t.push_back(ts[k]), z.push_back(zs[k]);
  };
  add(0, {5, 1, 2, 4});  // rise 3
  add(1, {0, 2, 7, 3});  // rise 5
  add(2, {0, 1, 2, 1});  // rise 1
  add(3, {0, 1, 1, 3});  // rise 2
  add(4, {0, 0, 9, 9});  // A: not in either group
  ints(r.samples, "infant_id", id);
  texts(r.samples, "arm", std::vector<std::string>(id.size(), "all"));
  texts(r.samples, "protocol", std::vector<std::string>(id.size(), "stressor"));
  texts(r.samples, "phase", std::vector<std::string>(id.size(), "x"));
  reals(r.samples, "t_s", t);
  reals(r.samples, "cortisol", z);
  const auto v = measure(p, scenario_with_stressor(), r);
  EXPECT_DOUBLE_EQ(v[0].value, 4.0 - 1.5);
  // Welch: variances 2 and 0.5, n 2 each: se = √1.25, df = 1.25² / (1 + 0.0625) ; t = 2.5/√1.25.
  EXPECT_GT(v[0].p, 0.0);
  EXPECT_LT(v[0].p, 1.0);
}

TEST(ValidationMeasure, Kappa) {
  const Pattern p = pattern("measure: {kind: kappa}\ntarget: {at_least: 0.6}\n");
  RunResult r;
  r.agreement.counts[0][0] = 40, r.agreement.counts[1][1] = 10, r.agreement.counts[0][1] = 10;
  // observed .8333; expected (50·40 + 10·20)/60² = .6111; kappa = (.8333 − .6111)/(1 − .6111)
  const auto v = measure(p, Scenario{}, r);
  EXPECT_NEAR(v[0].value, (50.0 / 60 - 2200.0 / 3600) / (1 - 2200.0 / 3600), 1e-12);
  EXPECT_EQ(v[0].n, 60u);
}

TEST(ValidationJudge, ReasonsSayWhichSideAndByHowMuch) {
  Target t;
  t.value = 0.3, t.low = 0.2, t.high = 0.4;
  std::string why;
  EXPECT_TRUE(meets(t, Value{0.25, NAN, 1}, &why));
  EXPECT_FALSE(meets(t, Value{0.47, NAN, 1}, &why));
  EXPECT_EQ(why, "above 0.4 by 0.07");
  EXPECT_FALSE(meets(t, Value{0.15, NAN, 1}, &why));
  EXPECT_EQ(why, "below 0.2 by 0.05");
  Target d;
  d.direction = -1, d.alpha = 0.01;
  EXPECT_TRUE(meets(d, Value{-0.2, 0.001, 300}, &why));
  EXPECT_FALSE(meets(d, Value{0.2, 0.001, 300}, &why));
  EXPECT_NE(why.find("wrong direction"), std::string::npos);
  EXPECT_FALSE(meets(d, Value{-0.2, 0.02, 300}, &why));
  EXPECT_NE(why.find("not significant"), std::string::npos);
  EXPECT_FALSE(meets(t, Value{NAN, NAN, 0}, &why));
}

TEST(ValidationPattern, ReadsTargetsAndDefaults) {
  const Pattern p = pattern("measure: {kind: class_shares}\ntarget: {B: {value: 51.6, tolerance: 5}}\n");
  EXPECT_EQ(p.seeds, (std::vector<std::uint64_t>{1, 2, 3}));
  ASSERT_EQ(p.components.size(), 1u);
  EXPECT_EQ(p.components[0].name, "B");
  EXPECT_DOUBLE_EQ(p.components[0].target.low, 46.6);
  EXPECT_DOUBLE_EQ(p.components[0].target.high, 56.6);
  ASSERT_NE(p.scenario_for("reference"), nullptr);
  EXPECT_EQ(p.scenario_for("mutual"), nullptr);
}

// A model's note (why it fails the pattern) appears in the report only beside a failure of that
// model, never beside a pass it no longer explains.
TEST(ValidationPattern, NotesShowOnlyBesideAFailure) {
  const std::vector<Pattern> patterns{parse_pattern(
      "name: t\nlevel: micro\ncite: c\nsource: s\n"
      "scenario: {reference: scenarios/reference/tiny.yaml, mutual: scenarios/reference/tiny.yaml}\n"
      "measure: {kind: class_shares}\ntarget: {B: {value: 51.6, tolerance: 5}}\n"
      "notes: {reference: too few secure, mutual: never shown}\n",
      "t.yaml", kDir)};
  const Pattern& p = patterns[0];
  ASSERT_EQ(p.notes.size(), 2u);
  EXPECT_EQ(p.notes[0], (std::pair<std::string, std::string>{"reference", "too few secure"}));
  std::vector<PatternResult> results(2);
  for (int i = 0; i < 2; ++i) {
    results[i].pattern = &p;
    results[i].model = i == 0 ? "reference" : "mutual";
    results[i].status = i == 0 ? PatternResult::fail : PatternResult::pass;
  }
  const std::string md = format_markdown(patterns, results, {"reference", "mutual"}, false, 1.0, 1.0);
  EXPECT_NE(md.find("**Why `reference` fails it, as far as known:** too few secure"), std::string::npos)
      << md;
  EXPECT_EQ(md.find("never shown"), std::string::npos) << md;
  EXPECT_EQ(failure_note(results[0]), "too few secure");  // what JSON and HDF5 carry as "why"
  EXPECT_EQ(failure_note(results[1]), "");
  EXPECT_THROW(
      pattern("measure: {kind: class_shares}\ntarget: {B: {value: 51.6, tolerance: 5}}\nnotes: [x]\n"),
      std::exception);
}

// A pattern without a scenario for a model is not counted against it in the summary lines.
TEST(ValidationPattern, SummaryCountsOnlyApplicablePatterns) {
  const auto make = [](const std::string& scenarios) {
    return parse_pattern("name: t\nlevel: micro\ncite: c\nsource: s\nscenario: {" + scenarios +
                             "}\nmeasure: {kind: class_shares}\ntarget: {B: {value: 51.6, tolerance: 5}}\n",
                         "t.yaml", kDir);
  };
  const std::vector<Pattern> patterns{
      make("reference: scenarios/reference/tiny.yaml, mutual: scenarios/reference/tiny.yaml"),
      make("reference: scenarios/reference/tiny.yaml")};
  std::vector<PatternResult> results(4);
  for (int i = 0; i < 4; ++i) {
    results[i].pattern = &patterns[static_cast<std::size_t>(i / 2)];
    results[i].model = i % 2 == 0 ? "reference" : "mutual";
    results[i].status = i == 3 ? PatternResult::not_applicable : PatternResult::pass;
  }
  results[2].status = PatternResult::fail;
  const std::string md = format_markdown(patterns, results, {"reference", "mutual"}, false, 1.0, 1.0);
  EXPECT_NE(md.find("- `reference` passes 1 of 2 patterns.\n"), std::string::npos) << md;
  EXPECT_NE(md.find("- `mutual` passes 1 of 1 patterns (1 more not applicable).\n"), std::string::npos) << md;
}

TEST(ValidationPattern, ErrorsNameFileLineAndKey) {
  try {
    load_pattern((data_dir() / "validation" / "bad_key" / "typo.yaml").string());
    FAIL() << "no error";
  } catch (const ScenarioError& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("typo.yaml:9:"), std::string::npos) << m;
    EXPECT_NE(m.find("measure.wher"), std::string::npos) << m;
    EXPECT_NE(m.find("did you mean 'where'"), std::string::npos) << m;
  }
  EXPECT_THROW(pattern("measure: {kind: median, column: x}\ntarget: {at_least: 0}\n"), ScenarioError);
  EXPECT_THROW(pattern("measure: {kind: kappa}\ntarget: {value: 0.7}\n"), ScenarioError);  // no region
  EXPECT_THROW(pattern("measure: {kind: kappa}\ntarget: {direction: up, p_below: 0.05}\n"), ScenarioError);
  EXPECT_THROW(pattern("measure: {kind: kappa}\ntarget: {value: 0.9, accept: [0, 0.5]}\n"), ScenarioError);
  EXPECT_THROW(parse_pattern("name: t\nlevel: mega\ncite: c\nsource: s\nscenario: {}\nmeasure: {kind: "
                             "kappa}\ntarget: {at_least: 0}\n",
                             "t.yaml", kDir),
               ScenarioError);
  try {  // a seed repeated in seeds: would count its run twice
    pattern("seeds: [2, 7, 2]\nmeasure: {kind: kappa}\ntarget: {at_least: 0}\n");
    FAIL() << "no error";
  } catch (const ScenarioError& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("t.yaml:6:"), std::string::npos) << m;
    EXPECT_NE(m.find("seeds.2: seed 2 is given twice"), std::string::npos) << m;
  }
  try {  // a note for a model with no scenario here (a misspelt model) could never be shown
    pattern("measure: {kind: kappa}\ntarget: {at_least: 0}\nnotes: {refrence: why}\n");
    FAIL() << "no error";
  } catch (const ScenarioError& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("t.yaml:8:"), std::string::npos) << m;
    EXPECT_NE(m.find("notes.refrence: no scenario for model 'refrence' in this pattern (models with one: "
                     "reference)"),
              std::string::npos)
        << m;
  }
  EXPECT_THROW(
      parse_pattern("name: t\nlevel: micro\ncite: c\nsource: s\nscenario: {reference: nowhere.yaml}\n"
                    "measure: {kind: kappa}\ntarget: {at_least: 0}\n",
                    "t.yaml", kDir),
      ScenarioError);
}

// The shipped suite: every pattern file loads, every model in the catalog has a scenario for
// every pattern, and each scenario loads for the model it is filed under.
TEST(ValidationSuite, ShippedPatternsAndScenariosLoad) {
  const auto patterns = load_patterns((test::source_dir() / "validation").string());
  EXPECT_GE(patterns.size(), 9u);
  for (const auto& model : models::model_names())
    for (const auto& p : patterns) {
      const std::string* path = p.scenario_for(model);
      ASSERT_NE(path, nullptr) << p.file << " has no scenario for " << model;
      const Scenario s = load_scenario(*path, p.quick, app::model_spec());
      EXPECT_EQ(s.model, model) << *path;
    }
}

TEST(ValidateCommand, BadPatternFileExitsTwoNamingFileLineAndKey) {
  const auto r =
      test::run_attune({"validate", "--quick", "--dir", (data_dir() / "validation" / "bad_key").string()});
  EXPECT_EQ(r.status, 2) << r.output;
  EXPECT_NE(r.output.find("typo.yaml:9:"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("measure.wher"), std::string::npos) << r.output;
}

TEST(ValidateCommand, TinyPatternsRunAndAreJudged) {
  test::TempDir tmp;
  const auto out = tmp / "v.json";
  const auto r = test::run_attune(
      {"validate", "--quick", "--model", "reference", "--dir", kDir, "--threads", "2", "-o", out.string()});
  EXPECT_EQ(r.status, 1) << r.output;  // `impossible` fails
  EXPECT_NE(r.output.find("share_in_range"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("FAIL: below 199 by"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("reference: 1 passed, 1 failed, 0 not applicable"), std::string::npos) << r.output;
  const std::string json = test::read_text(out);
  EXPECT_NE(json.find("\"status\": \"pass\""), std::string::npos) << json;
  EXPECT_NE(json.find("\"status\": \"fail\""), std::string::npos) << json;
  // A failure carries its pattern file's note for that model; a pass carries none.
  EXPECT_NE(json.find("\"why\": \"No share can be 200 percent.\""), std::string::npos) << json;
  EXPECT_NE(json.find("\"status\": \"pass\", \"reason\": \"\", \"why\": \"\""), std::string::npos) << json;
  // The two patterns share one run of the scenario (same scenario, overrides and seed).
  EXPECT_EQ(r.output.find("tiny.yaml seed 4"), r.output.rfind("tiny.yaml seed 4")) << r.output;
}

// -o refuses to replace a file unless --force, and --force replaces only validate's own JSON.
TEST(ValidateCommand, ForceReplacesOnlyItsOwnJson) {
  test::TempDir tmp;
  const auto out = tmp / "v.json";
  const std::vector<std::string> args{"validate", "--quick",   "--model", "reference", "--dir",
                                      kDir,       "--threads", "2",       "-o",        out.string()};
  ASSERT_EQ(test::run_attune(args).status, 1);
  const std::string first = test::read_text(out);
  EXPECT_EQ(first.rfind(kJsonMark, 0), 0U) << first;
  auto again = test::run_attune(args);
  EXPECT_EQ(again.status, 2) << again.output;
  EXPECT_NE(again.output.find("already exists; use --force"), std::string::npos) << again.output;
  auto forced = args;
  forced.emplace_back("--force");
  again = test::run_attune(forced);
  EXPECT_EQ(again.status, 1) << again.output;
  EXPECT_EQ(test::read_text(out).rfind(kJsonMark, 0), 0U);

  const auto foreign = tmp / "notes.json";
  { std::ofstream(foreign) << "{\"mine\": true}\n"; }
  auto other = forced;
  other[other.size() - 2] = foreign.string();
  const auto r = test::run_attune(other);
  EXPECT_EQ(r.status, 2) << r.output;
  EXPECT_NE(r.output.find("not an attune result"), std::string::npos) << r.output;
  EXPECT_EQ(test::read_text(foreign), "{\"mine\": true}\n") << "a file attune did not write is left alone";
}

// --seeds replaces every pattern's own seeds (the patterns' files say 4, 5); with --quick, the first.
TEST(ValidateCommand, SeedsReplaceThePatternsSeeds) {
  test::TempDir tmp;
  const auto out = tmp / "v.json";
  auto r = test::run_attune({"validate", "--quick", "--model", "reference", "--dir", kDir, "--threads", "2",
                             "--seeds", "9,10", "-o", out.string()});
  EXPECT_EQ(r.status, 1) << r.output;
  EXPECT_NE(r.output.find("tiny.yaml seed 9"), std::string::npos) << r.output;
  EXPECT_EQ(r.output.find("tiny.yaml seed 4"), std::string::npos) << r.output;
  EXPECT_EQ(r.output.find("tiny.yaml seed 10"), std::string::npos) << "--quick runs the first seed only";
  EXPECT_NE(test::read_text(out).find("\"seeds\": [9]"), std::string::npos) << test::read_text(out);

  r = test::run_attune(
      {"validate", "--model", "reference", "--dir", kDir, "--threads", "2", "--seeds", "9,10", "--markdown"});
  EXPECT_EQ(r.status, 1) << r.output;
  EXPECT_NE(r.output.find("tiny.yaml seed 10"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("seeds 9, 10"), std::string::npos) << "the Markdown names the seeds run";
  EXPECT_EQ(r.output.find("seeds 4, 5"), std::string::npos) << r.output;
}

// --pattern runs only the patterns named; an unknown name is bad input listing the known ones.
TEST(ValidateCommand, PatternChoosesPatternsByName) {
  auto r = test::run_attune({"validate", "--quick", "--model", "reference", "--dir", kDir, "--threads", "2",
                             "--pattern", "share_in_range"});
  EXPECT_EQ(r.status, 0) << "the failing pattern was not run: " << r.output;
  EXPECT_NE(r.output.find("reference: 1 passed, 0 failed"), std::string::npos) << r.output;
  EXPECT_EQ(r.output.find("impossible"), std::string::npos) << r.output;

  r = test::run_attune({"validate", "--quick", "--dir", kDir, "--pattern", "share_in_range,nosuch"});
  EXPECT_EQ(r.status, 2) << r.output;
  EXPECT_NE(r.output.find("--pattern: no pattern named 'nosuch'"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("known: share_in_range, impossible"), std::string::npos) << r.output;
}

TEST(ValidateCommand, NegativeOrHugeThreadsAreBadInput) {
  for (const char* threads : {"-1", "2000"}) {
    const auto r = test::run_attune({"validate", "--quick", "--dir", kDir, "--threads", threads});
    EXPECT_EQ(r.status, 2) << threads << ": " << r.output;
    EXPECT_NE(r.output.find("allowed 0 (all cores) to 1024"), std::string::npos) << r.output;
  }
}

TEST(ValidateCommand, RepeatedOrBadSeedsAreBadInput) {
  for (const char* seeds : {"3,3", "x", "-1"}) {
    const auto r = test::run_attune({"validate", "--quick", "--dir", kDir, "--seeds", seeds});
    EXPECT_EQ(r.status, 2) << seeds << ": " << r.output;
    EXPECT_NE(r.output.find("--seeds"), std::string::npos) << seeds << ": " << r.output;
  }
}

TEST(ValidateCommand, UnknownModelIsBadInput) {
  const auto r = test::run_attune({"validate", "--quick", "--model", "nosuch", "--dir", kDir});
  EXPECT_EQ(r.status, 2) << r.output;
}

}  // namespace
}  // namespace attune::sim::validation
