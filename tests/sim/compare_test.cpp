// `attune compare`: its statistics against values computed independently (NumPy and mpmath, and
// the worked examples of Newcombe 1998a/b), the grouping of tables, and the command line on run,
// sweep and protocol files, bad input included.
#include <gtest/gtest.h>

#include <cmath>
#include <map>

#include <fmt/format.h>

#include "sim/compare.hpp"
#include "sim/errors.hpp"
#include "sim/hdf5_file.hpp"
#include "support/paths.hpp"

namespace attune::test {
namespace {

namespace cmp = sim::compare;

constexpr double kTight = 1e-12;  // formulas evaluated the same way in two languages

// ---------------------------------------------------------------------------------------------
// Statistics. Reference values from the formulas written out anew in Python: NumPy for Wilson,
// Newcombe and the ratios, mpmath (40 digits) for everything with a t quantile (SciPy 1.10's
// t.ppf is off by 2.5e-11 relative: 2.2621571627409915 for t(0.975, 9), where the quantile is
// 2.26215716279820554), unless a published example is named.

TEST(CompareStats, WilsonIntervalMatchesTheScoreFormula) {
  const cmp::Interval w = cmp::wilson(7, 20);
  EXPECT_DOUBLE_EQ(w.estimate, 0.35);
  EXPECT_NEAR(w.low, 0.18119182410108206, kTight);
  EXPECT_NEAR(w.high, 0.56714572331476376, kTight);
  const cmp::Interval zero = cmp::wilson(0, 10);
  EXPECT_EQ(zero.low, 0.0);
  EXPECT_NEAR(zero.high, 0.2775327998628892, kTight);
  EXPECT_TRUE(std::isnan(cmp::wilson(0, 0).estimate));
}

TEST(CompareStats, StudentTQuantileAndMeanInterval) {
  EXPECT_NEAR(cmp::t_quantile(0.975, 9), 2.2621571627982055426, 1e-13);
  const cmp::Interval m = cmp::mean_interval({1, 2, 3, 4, 5, 6, 7, 8, 9, 10});
  EXPECT_DOUBLE_EQ(m.estimate, 5.5);
  EXPECT_NEAR(m.low, 3.3341494103318303696, kTight);
  EXPECT_NEAR(m.high, 7.6658505896681696304, kTight);
  EXPECT_TRUE(std::isnan(cmp::mean_interval({3}).low));
}

TEST(CompareStats, QuantileInterpolatesAsNumpy) {
  std::vector<double> x{5, 1, 4, 2, 3, 10};
  EXPECT_DOUBLE_EQ(cmp::quantile(x, 0.025), 1.125);  // numpy.percentile(x, 2.5)
  EXPECT_DOUBLE_EQ(cmp::quantile(x, 0.975), 9.375);
}

TEST(CompareStats, NewcombeHybridScoreReproducesNewcombe1998Example) {
  // Newcombe (1998a), Stat Med 17:873, example (a): 56/70 − 48/80, method 10: 0.0524 to 0.3339.
  const cmp::Effect e = cmp::proportion_contrast({{56, 70}, {48, 80}}, {1, -1});
  EXPECT_NEAR(e.difference, 0.2, kTight);
  EXPECT_NEAR(e.ci_low, 0.052431472402365065, kTight);
  EXPECT_NEAR(e.ci_high, 0.33387265403690602, kTight);
  EXPECT_NEAR(e.ci_low, 0.0524, 5e-5);
  EXPECT_NEAR(e.ci_high, 0.3339, 5e-5);
  EXPECT_EQ(e.effect_size_name, "cohen_h");
  EXPECT_NEAR(e.effect_size, 0.44214318800295338, kTight);
  EXPECT_NEAR(e.es_ci_low, 0.12136878376930854, kTight);
  EXPECT_NEAR(e.es_ci_high, 0.76291759223659827, kTight);
  EXPECT_NEAR(e.risk_ratio, 1.3333333333333335, kTight);
  EXPECT_NEAR(e.rr_ci_low, 1.076626422763193, kTight);
  EXPECT_NEAR(e.rr_ci_high, 1.6512485112663871, kTight);
  EXPECT_NEAR(e.log_odds_d, 0.5407595086603364, kTight);
  EXPECT_NEAR(e.lod_ci_low, 0.13446962221470651, kTight);
  EXPECT_NEAR(e.lod_ci_high, 0.94704939510596642, kTight);
  EXPECT_FALSE(e.corrected);
}

TEST(CompareStats, ZeroCountsGetHalfCellCorrections) {
  const cmp::Effect e = cmp::proportion_contrast({{0, 10}, {3, 10}}, {1, -1});
  EXPECT_TRUE(e.corrected);
  EXPECT_NEAR(e.log_odds_d, -1.2583433596251941, kTight);
  EXPECT_NEAR(e.risk_ratio, 0.14285714285714288, kTight);
  EXPECT_TRUE(std::isfinite(e.rr_ci_low) && std::isfinite(e.lod_ci_high));
  EXPECT_NEAR(e.difference, -0.3, kTight);
}

TEST(CompareStats, InteractionOfProportionsIsMoverWilson) {
  // (p_ij − p_i0) − (p_0j − p_00) with 45, 25, 30, 20 of 50 each.
  const cmp::Effect e = cmp::proportion_contrast({{45, 50}, {25, 50}, {30, 50}, {20, 50}}, {1, -1, -1, 1});
  EXPECT_NEAR(e.difference, 0.2, kTight);
  EXPECT_NEAR(e.ci_low, -0.047896725734915768, kTight);
  EXPECT_NEAR(e.ci_high, 0.44335657270376783, kTight);
}

TEST(CompareStats, PairedNewcombeReproducesNewcombe1998bExample) {
  // Newcombe (1998b), Stat Med 17:2635, example: a=36, b=12, c=2, d=0; method 10: 0.0569 to 0.3404.
  const cmp::Effect e = cmp::paired_proportion_contrast({36, 12, 2, 0});
  EXPECT_NEAR(e.difference, 0.2, kTight);
  EXPECT_NEAR(e.ci_low, 0.056929584003238748, kTight);
  EXPECT_NEAR(e.ci_high, 0.34042760297494068, kTight);
  EXPECT_NEAR(e.ci_low, 0.0569, 5e-5);
  EXPECT_NEAR(e.ci_high, 0.3404, 5e-5);
  EXPECT_NEAR(e.risk_ratio, 1.263157894736842, kTight);
  EXPECT_NEAR(e.rr_ci_low, 1.0638593886782022, kTight);
  EXPECT_NEAR(e.rr_ci_high, 1.4997920627635131, kTight);
  EXPECT_NEAR(e.log_odds_d, 0.98784876903104002, kTight);  // McNemar: ln(12/2)·√3/π
  EXPECT_NEAR(e.lod_ci_low, 0.16253851185768542, kTight);
  EXPECT_NEAR(e.lod_ci_high, 1.8131590262043944, kTight);
  EXPECT_NEAR(e.effect_size, 0.62122953451829099, kTight);
  EXPECT_NEAR(e.es_ci_low, 0.20736461124328487, kTight);
  EXPECT_NEAR(e.es_ci_high, 1.035094457793297, kTight);
}

TEST(CompareStats, WelchIntervalAndCohensD) {
  const std::vector<double> x{2.1, 3.4, 1.9, 5.6, 4.4, 3.3}, y{1.2, 2.2, 0.8, 1.9, 2.5, 1.1, 1.7};
  const cmp::Effect e = cmp::mean_contrast({x, y}, {1, -1});
  EXPECT_NEAR(e.difference, 1.8214285714285714, kTight);
  EXPECT_NEAR(e.ci_low, 0.34745523140620614333, kTight);  // df 6.675 (Welch–Satterthwaite)
  EXPECT_NEAR(e.ci_high, 3.2954019114509367138, kTight);
  EXPECT_EQ(e.effect_size_name, "cohen_d");
  EXPECT_NEAR(e.effect_size, 1.7374334018639792, kTight);
  // The bootstrap interval: deterministic, around d, and no narrower than a normal approximation
  // would make it by much (small samples make the percentile interval wide and skewed).
  const cmp::Effect again = cmp::mean_contrast({x, y}, {1, -1});
  EXPECT_EQ(e.es_ci_low, again.es_ci_low);
  EXPECT_EQ(e.es_ci_high, again.es_ci_high);
  EXPECT_LT(e.es_ci_low, e.effect_size);
  EXPECT_GT(e.es_ci_high, e.effect_size);
  EXPECT_TRUE(std::isnan(e.risk_ratio));
}

TEST(CompareStats, BootstrapIntervalOfDAgreesWithTheNormalApproximationForLargeSamples) {
  // Two normal-ish samples of 400 (deterministic): the percentile interval of d should be close to
  // d ± z·√((n1+n0)/(n1·n0) + d²/(2(n1+n0))) (Hedges & Olkin 1985).
  std::vector<double> x, y;
  for (int i = 0; i < 400; ++i) {
    x.push_back(0.5 + std::sin(i * 1.7) + 0.3 * std::cos(i * 0.37));
    y.push_back(std::sin(i * 2.3 + 1) + 0.3 * std::cos(i * 0.53));
  }
  const cmp::Effect e = cmp::mean_contrast({x, y}, {1, -1});
  const double se = std::sqrt(800.0 / (400.0 * 400.0) + e.effect_size * e.effect_size / 1600.0);
  EXPECT_NEAR(e.es_ci_low, e.effect_size - cmp::kZ95 * se, 0.03);
  EXPECT_NEAR(e.es_ci_high, e.effect_size + cmp::kZ95 * se, 0.03);
}

TEST(CompareStats, PairedTIntervalAndDz) {
  const std::vector<double> x{5.1, 4.8, 6.0, 5.5, 5.9, 4.7, 5.2}, y{4.9, 4.1, 5.8, 5.6, 5.0, 4.4, 5.0};
  const cmp::Effect e = cmp::paired_mean_contrast(x, y);
  EXPECT_NEAR(e.difference, 0.34285714285714292, kTight);
  EXPECT_NEAR(e.ci_low, 0.027607524001289526545, kTight);  // paired t, df 6
  EXPECT_NEAR(e.ci_high, 0.65810676171299618774, kTight);
  EXPECT_EQ(e.effect_size_name, "d_z");
  EXPECT_NEAR(e.effect_size, 1.0058377612088027, kTight);
  EXPECT_LT(e.es_ci_low, e.effect_size);
  EXPECT_GT(e.es_ci_high, e.effect_size);
}

TEST(CompareStats, InteractionOfMeansUsesWelchSatterthwaite) {
  const cmp::Effect e = cmp::mean_contrast(
      {{3, 4, 5, 6}, {1, 2, 2, 3, 4}, {2, 2.5, 3, 3.5}, {1, 1.5, 2, 2.5, 3.5}}, {1, -1, -1, 1}, 0);
  EXPECT_NEAR(e.difference, 1.45, kTight);
  EXPECT_NEAR(e.ci_low, -0.719737894127016223, kTight);
  EXPECT_NEAR(e.ci_high, 3.619737894127016223, kTight);
  EXPECT_TRUE(std::isnan(e.es_ci_low));  // no resamples asked for
}

TEST(CompareStats, ConstantSamplesGiveNoEffectSizeButNoCrash) {
  const cmp::Effect e = cmp::mean_contrast({{1, 1, 1}, {1, 1, 1}}, {1, -1});
  EXPECT_EQ(e.difference, 0.0);
  EXPECT_EQ(e.ci_low, 0.0);
  EXPECT_TRUE(std::isnan(e.effect_size));
  const cmp::Effect p = cmp::paired_mean_contrast({2, 3, 4}, {1, 2, 3});
  EXPECT_EQ(p.difference, 1.0);
  EXPECT_EQ(p.ci_low, 1.0);
  EXPECT_TRUE(std::isnan(p.effect_size));
}

// ---------------------------------------------------------------------------------------------
// Grouping a table

sim::Table arms_table(bool paired) {
  sim::Table t;
  auto& id = t.add("infant_id", sim::Column::int64);
  auto& arm = t.add("arm", sim::Column::text, 8);
  auto& fear = t.add("fear", sim::Column::float64);
  auto& cls = t.add("classification", sim::Column::text);
  const char* letters = "BBABDBCBBA";
  for (int a = 0; a < 2; ++a)
    for (int i = 0; i < 10; ++i) {
      id.ints.push_back(paired ? i : 10 * a + i);
      arm.texts.emplace_back(a == 0 ? "treated" : "control");
      fear.reals.push_back(0.1 * i + (a == 0 ? 0.05 * (i % 3) : 0.2));
      cls.texts.emplace_back(1, a == 0 ? letters[i] : letters[(i + 3) % 10]);
    }
  return t;
}

TEST(CompareTable, GroupsInTheGivenOrderWithClassSharesAndMeans) {
  cmp::Spec spec;
  spec.by = {"arm"};
  spec.levels = {{"control", "treated"}};
  spec.outcomes = {"classification", "fear"};
  spec.categories = {"B", "A", "C", "D"};
  const cmp::Result r = cmp::compare(arms_table(false), spec);
  ASSERT_EQ(r.outcomes.size(), 5u);
  EXPECT_FALSE(r.paired);
  EXPECT_EQ(r.outcomes[0].outcome, "B");
  EXPECT_EQ(r.outcomes[0].groups[0].group, "control");
  EXPECT_EQ(r.outcomes[0].groups[0].n, 10u);
  EXPECT_DOUBLE_EQ(r.outcomes[0].groups[0].value.estimate, 0.6);  // letters rotated: same shares
  EXPECT_EQ(r.outcomes[4].kind, cmp::OutcomeResult::mean);
  ASSERT_EQ(r.outcomes[4].contrasts.size(), 1u);
  EXPECT_EQ(r.outcomes[4].contrasts[0].group, "treated");
  EXPECT_EQ(r.outcomes[4].contrasts[0].reference, "control");
  const double treated = (4.5 + 0.05 * (0 + 1 + 2 + 0 + 1 + 2 + 0 + 1 + 2 + 0)) / 10, control = 0.45 + 0.2;
  EXPECT_NEAR(r.outcomes[4].contrasts[0].effect.difference, treated - control, 1e-12);
}

TEST(CompareTable, PairedRowsArePairedByKey) {
  cmp::Spec spec;
  spec.by = {"arm"};
  spec.pair_by = {"infant_id"};
  spec.outcomes = {"fear", "classification"};
  spec.categories = {"B"};
  const cmp::Result r = cmp::compare(arms_table(true), spec);
  EXPECT_TRUE(r.paired);
  // Default order: first appearance (treated first).
  const auto& fear = r.outcomes[0].contrasts.at(0);
  EXPECT_EQ(fear.reference, "treated");
  EXPECT_EQ(fear.n, 10u);
  EXPECT_EQ(fear.effect.effect_size_name, "d_z");
  const double mean_diff = 0.2 - 0.05 * 9 / 10;  // control − treated, pair by pair
  EXPECT_NEAR(fear.effect.difference, mean_diff, 1e-12);
  const auto& b = r.outcomes[1].contrasts.at(0);
  EXPECT_EQ(b.n, 10u);
  EXPECT_TRUE(std::isfinite(b.effect.ci_low));
}

TEST(CompareTable, RefusesOneGroupUnknownColumnsAndRepeatedKeys) {
  cmp::Spec spec;
  spec.by = {"arm"};
  spec.levels = {{"treated"}};
  spec.outcomes = {"fear"};
  EXPECT_THROW(cmp::compare(arms_table(false), spec), sim::InputError);
  spec.levels.clear();
  spec.outcomes = {"nope"};
  EXPECT_THROW(cmp::compare(arms_table(false), spec), sim::InputError);
  spec.outcomes = {"fear"};
  spec.by = {"nope"};
  EXPECT_THROW(cmp::compare(arms_table(false), spec), sim::InputError);
  spec.by = {"arm"};
  spec.pair_by = {"arm"};  // every row of a group has the same key
  EXPECT_THROW(cmp::compare(arms_table(false), spec), sim::InputError);
}

TEST(CompareTable, TwoFactorsGiveTheGridAndItsInteractions) {
  sim::Table t;
  auto& f1 = t.add("f1", sim::Column::float64);
  auto& f2 = t.add("f2", sim::Column::text);
  auto& y = t.add("y", sim::Column::float64);
  const std::vector<std::vector<double>> cells{
      {1, 2, 2, 3, 4}, {1, 1.5, 2, 2.5, 3.5}, {2, 2.5, 3, 3.5}, {3, 4, 5, 6}};
  const double f1_of[] = {2.0, 2.0, 0.5, 0.5};  // numeric levels sort ascending: 0.5 first
  const char* f2_of[] = {"lo", "hi", "lo", "hi"};
  for (std::size_t c = 0; c < 4; ++c)
    for (double v : cells[c])
      f1.reals.push_back(f1_of[c]), f2.texts.emplace_back(f2_of[c]), y.reals.push_back(v);
  cmp::Spec spec;
  spec.by = {"f1", "f2"};
  spec.outcomes = {"y"};
  spec.resamples = 0;
  const cmp::Result r = cmp::compare(t, spec);
  ASSERT_EQ(r.groups.size(), 4u);
  EXPECT_EQ(r.groups[0].group, "f1=0.5, f2=lo");
  EXPECT_EQ(r.groups[3].group, "f1=2, f2=hi");
  const auto& contrasts = r.outcomes[0].contrasts;
  ASSERT_EQ(contrasts.size(), 4u);  // three cells against the first, one interaction
  EXPECT_EQ(contrasts[3].type, "interaction");
  // (2,hi) − (2,lo) − (0.5,hi) + (0.5,lo) = mean{1,1.5,2,2.5,3.5} − mean{1,2,2,3,4} − 4.5 + 2.75.
  EXPECT_NEAR(contrasts[3].effect.difference, 2.1 - 2.4 - 4.5 + 2.75, 1e-12);
}

// ---------------------------------------------------------------------------------------------
// The command line

std::string write_phases_file(const TempDir& dir, bool with_table) {
  const std::string path = (dir / (with_table ? "phases.h5" : "nophases.h5")).string();
  sim::OutputFile out(path, false);
  out.attribute("schema_version", std::uint64_t{1});
  out.attribute("attune_version", "test");
  sim::Table infants;
  infants.add("infant_id", sim::Column::int64).ints = {0, 1, 2, 3};
  infants.add("profile", sim::Column::text, 8).texts = {"all", "all", "all", "all"};
  infants.add("fear", sim::Column::float64).reals = {0.1, 0.2, 0.3, 0.4};
  infants.add("classification", sim::Column::text).texts = {"B", "B", "A", "D"};
  out.write_table("infants", infants);
  if (with_table) {
    sim::Table p;
    auto& id = p.add("infant_id", sim::Column::int64);
    auto& cg = p.add("caregiver_id", sim::Column::int64);
    auto& arm = p.add("arm", sim::Column::text, 8);
    auto& protocol = p.add("protocol", sim::Column::text, 16);
    auto& phase = p.add("phase", sim::Column::text, 16);
    auto& index = p.add("phase_index", sim::Column::int64);
    auto& day = p.add("day", sim::Column::int64);
    auto& arousal = p.add("mean_arousal", sim::Column::float64);
    auto& ruptures = p.add("ruptures", sim::Column::int64);
    const char* phases[] = {"play", "still", "reunion"};
    for (int i = 0; i < 6; ++i)
      for (int k = 2; k >= 0; --k) {  // phases written out of order: phase_index decides
        id.ints.push_back(i);
        cg.ints.push_back(i);
        arm.texts.emplace_back("all");
        protocol.texts.emplace_back("still_face");
        phase.texts.emplace_back(phases[k]);
        index.ints.push_back(k);
        day.ints.push_back(30);
        arousal.reals.push_back(0.2 + 0.3 * (k == 1) + 0.1 * (k == 2) + 0.01 * i * (k + 1));
        ruptures.ints.push_back(k + (i % 2));
      }
    out.write_table("protocol/phases", p);
  }
  out.commit();
  return path;
}

TEST(CompareCli, PhasesArePairedWithinAProtocolInPhaseOrder) {
  TempDir dir;
  const std::string file = write_phases_file(dir, true);
  const CliResult r = run_attune({"compare", file, "--by", "phase", "--json"});
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("\"paired\": true"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("\"outcome\": \"mean_arousal\", \"column\": \"mean_arousal\", \"stratum\": "
                          "\"protocol=still_face\""),
            std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("\"group\": \"still\", \"reference\": \"play\""), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("\"effect_size_name\": \"d_z\""), std::string::npos);
  EXPECT_EQ(r.output.find("\"outcome\": \"phase_index\""), std::string::npos)
      << "an identifier as an outcome";
  EXPECT_EQ(r.output.find("\"outcome\": \"day\""), std::string::npos) << "an identifier as an outcome";
  EXPECT_NE(r.output.find("\"outcome\": \"ruptures\""), std::string::npos) << "an int64 measure";
  const CliResult text = run_attune({"compare", file, "--by", "phase"});
  ASSERT_EQ(text.status, 0) << text.output;
  EXPECT_NE(text.output.find("still − play"), std::string::npos) << text.output;
}

TEST(CompareCli, PairedArmsOfARealExperimentInTheOrderOfTheScenario) {
  TempDir dir;
  const std::string out = (dir / "arms.h5").string();
  const CliResult made = run_attune(
      {"run",
       (source_dir() / "scenarios" / "reference" / "experiments" / "repair_vs_attunement.yaml").string(),
       "-o", out, "--quiet", "--threads", "1", "--set", "population.infants=20", "--set", "time.days=4"});
  ASSERT_EQ(made.status, 0) << made.output;
  const CliResult r = run_attune({"compare", out, "--json", "--outcomes", "B,fear", "--bootstrap", "100"});
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("\"by\": \"arm\", \"paired\": true"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("{\"name\": \"typical\", \"n\": 20},\n  {\"name\": \"low_attunement\""),
            std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("\"ci_method\": \"newcombe_paired_10\""), std::string::npos);
  EXPECT_NE(r.output.find("\"group\": \"fast_repair\", \"reference\": \"typical\", \"type\": \"difference\", "
                          "\"n\": 20"),
            std::string::npos)
      << r.output;
}

TEST(CompareCli, SweepByOneAndTwoFactors) {
  TempDir dir;
  const std::string sweep = (dir / "sweep.h5").string();
  const CliResult made = run_attune(
      {"sweep", (data_dir() / "sweeps" / "small.yaml").string(), "-o", sweep, "--quiet", "--threads", "1"});
  ASSERT_EQ(made.status, 0) << made.output;
  const CliResult one = run_attune({"compare", sweep, "--json", "--bootstrap", "200"});
  ASSERT_EQ(one.status, 0) << one.output;
  EXPECT_NE(one.output.find("\"by\": \"caregiver.rupture_rate\""), std::string::npos) << one.output;
  EXPECT_NE(one.output.find("{\"name\": \"0.5\", \"n\": 32}"), std::string::npos) << one.output;
  const CliResult two = run_attune({"compare", sweep, "--by", "caregiver.rupture_rate,caregiver.rejection",
                                    "--outcomes", "B,fear", "--json", "--bootstrap", "0"});
  ASSERT_EQ(two.status, 0) << two.output;
  EXPECT_NE(two.output.find("\"type\": \"interaction\""), std::string::npos) << two.output;
  EXPECT_NE(two.output.find("\"group\": \"caregiver.rupture_rate=2, caregiver.rejection=1.5\""),
            std::string::npos)
      << two.output;
  EXPECT_EQ(two.output.find("\"outcome\": \"A\""), std::string::npos) << "only B was asked for";
}

TEST(CompareCli, BadInputExitsTwoWithAClearMessage) {
  TempDir dir;
  const std::string phases = write_phases_file(dir, true), plain = write_phases_file(dir, false);
  write_text(dir / "text.h5", "not hdf5");
  {
    sim::OutputFile out((dir / "foreign.h5").string(), false);
    out.attribute("creator", "someone else");
    out.commit();
  }
  struct Case {
    std::vector<std::string> args;
    std::string expected;
  };
  const std::vector<Case> cases{
      {{"compare", (dir / "missing.h5").string()}, "no such file"},
      {{"compare", (dir / "text.h5").string()}, "not an HDF5 file"},
      {{"compare", (dir / "foreign.h5").string()}, "not an attune file"},
      {{"compare", plain, "--by", "colour"}, "--by colour: no such column or factor; allowed: profile"},
      {{"compare", plain}, "only"},  // one profile: nothing to compare
      {{"compare", plain, "--by", "phase"}, "no protocol table"},
      {{"compare", phases, "--by", "phase", "--outcomes", "mean_arousal,height"},
       "--outcomes: 'height' is not an outcome of this file; allowed:"},
      {{"compare", phases, "--by", "a,b,c"}, "one name or two"},
  };
  for (const auto& c : cases) {
    const CliResult r = run_attune(c.args);
    EXPECT_EQ(r.status, 2) << fmt::format("{}", fmt::join(c.args, " ")) << "\n" << r.output;
    EXPECT_NE(r.output.find(c.expected), std::string::npos) << r.output;
  }
}

}  // namespace
}  // namespace attune::test
