// Correlated caregiver parameters (population.correlations, a Gaussian copula): each parameter
// keeps its own distribution, the pair gets the rank correlation the normal-score correlation
// implies, scenarios without correlations draw exactly what they drew before, and impossible or
// malformed correlations are refused where they were written.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numbers>
#include <numeric>

#include "sim/cli/simulation.hpp"
#include "sim/errors.hpp"
#include "sim/population.hpp"

namespace attune::sim {
namespace {

Scenario scenario(const std::string& yaml, const std::vector<Override>& overrides = {}) {
  return parse_scenario(yaml, "test.yaml", overrides, app::model_spec());
}

std::size_t key_index(std::string_view key) {
  const auto table = app::model_spec().params.caregiver;
  for (std::size_t k = 0; k < table.size(); ++k)
    if (table[k].key == key) return k;
  throw std::runtime_error("no caregiver parameter " + std::string(key));
}

std::vector<double> ranks(const std::vector<double>& v) {
  std::vector<std::size_t> order(v.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return v[a] < v[b]; });
  std::vector<double> r(v.size());
  for (std::size_t i = 0; i < order.size(); ++i) r[order[i]] = static_cast<double>(i);
  return r;
}

double pearson(const std::vector<double>& x, const std::vector<double>& y) {
  const double n = static_cast<double>(x.size());
  const double mx = std::accumulate(x.begin(), x.end(), 0.0) / n;
  const double my = std::accumulate(y.begin(), y.end(), 0.0) / n;
  double sxy = 0, sxx = 0, syy = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) * (x[i] - mx);
    syy += (y[i] - my) * (y[i] - my);
  }
  return sxy / std::sqrt(sxx * syy);
}

std::vector<double> column(const Population& pop, std::size_t k) {
  std::vector<double> v;
  for (std::size_t c = 0; c < pop.caregivers(); ++c) v.push_back(pop.caregiver(c)[k]);
  return v;
}

constexpr const char* kPair = R"(
seed: 11
population:
  infants: 20000
  correlations: {attunement: {baseline_stress: -0.5}}
)";

TEST(Correlations, GiveTheRankCorrelationOfTheGaussianCopula) {
  const Population pop = build_population(scenario(kPair), app::model_spec().params);
  const auto a = column(pop, key_index("attunement")), b = column(pop, key_index("baseline_stress"));
  // Spearman's rho of a Gaussian copula with correlation r is (6/π)·asin(r/2); its sampling sd at
  // n = 20,000 is about 0.006.
  const double expected = 6.0 / std::numbers::pi * std::asin(-0.5 / 2.0);
  EXPECT_NEAR(pearson(ranks(a), ranks(b)), expected, 0.025);
}

TEST(Correlations, LeaveEachParametersDistributionAsItWas) {
  const Population with = build_population(scenario(kPair), app::model_spec().params);
  const Population without =
      build_population(scenario(kPair, {{"population.correlations.attunement.baseline_stress", "0"}}),
                       app::model_spec().params);
  for (const char* key : {"attunement", "baseline_stress"}) {
    auto x = column(with, key_index(key)), y = column(without, key_index(key));
    std::sort(x.begin(), x.end());
    std::sort(y.begin(), y.end());
    // Quantiles of two samples of 20,000 from one distribution: the 10th, 50th and 90th
    // percentiles agree to within a few hundredths of the spread.
    for (double q : {0.1, 0.5, 0.9}) {
      const auto i = static_cast<std::size_t>(q * static_cast<double>(x.size()));
      EXPECT_NEAR(x[i], y[i], 0.03 * (y[y.size() * 95 / 100] - y[y.size() * 5 / 100])) << key << " q" << q;
    }
  }
}

TEST(Correlations, LeaveUncorrelatedParametersBitForBit) {
  const Population with = build_population(scenario(kPair), app::model_spec().params);
  const Population without =
      build_population(scenario(kPair, {{"population.correlations.attunement.baseline_stress", "0"}}),
                       app::model_spec().params);
  const auto table = app::model_spec().params.caregiver;
  for (std::size_t k = 0; k < table.size(); ++k) {
    if (table[k].key == "attunement" || table[k].key == "baseline_stress") continue;
    EXPECT_EQ(column(with, k), column(without, k)) << table[k].key;
  }
  // and with no correlation, each draw is the plain one from its own stream
  const Scenario s = scenario(kPair, {{"population.correlations.attunement.baseline_stress", "0"}});
  const std::size_t k = key_index("attunement");
  EXPECT_EQ(without.caregiver(7)[k],
            sample(s.profiles[0].caregiver[k], table[k], Stream(s.seed, 7, Purpose::caregiver_draw, k)));
}

TEST(Correlations, ReachNewcomersAndKeepACaregiversRank) {
  const Scenario s = scenario(kPair);
  const CaregiverDraws draws(s, app::model_spec().params);
  const std::size_t k = key_index("attunement");
  std::vector<Distribution> shifted = s.profiles[0].caregiver;
  shifted[k] = Distribution{DistKind::uniform, 0.0, 1.0};
  // Under a uniform distribution a caregiver's value is her copula rank itself; the same rank
  // gives her value under the original distribution.
  for (std::uint64_t c : {0u, 5u, 999u}) {
    const double u = draws.draw(shifted, c, k);
    EXPECT_DOUBLE_EQ(draws.draw(s.profiles[0].caregiver, c, k),
                     quantile(s.profiles[0].caregiver[k], app::model_spec().params.caregiver[k], u));
  }
}

TEST(Quantile, IsTheInverseOfEachDistribution) {
  const ParamInfo unit{"p", "p", "1", "", 0.5, 0, 1};
  EXPECT_DOUBLE_EQ(quantile(Distribution{DistKind::uniform, 0.2, 0.6}, unit, 0.25), 0.3);
  EXPECT_NEAR(quantile(Distribution{DistKind::beta, 0.5, 4}, unit, 0.5), 0.5, 1e-12);  // symmetric
  // Beta(1, 1) (mean .5, concentration 2) is the uniform distribution.
  EXPECT_NEAR(quantile(Distribution{DistKind::beta, 0.5, 2}, unit, 0.3), 0.3, 1e-12);
  EXPECT_NEAR(quantile(Distribution{DistKind::normal, 0.5, 0.1}, unit, 0.5), 0.5, 1e-12);
  // N(0, 1) truncated to [0, 1]: its median m has Φ(m) halfway between Φ(0) and Φ(1).
  const auto phi = [](double x) { return 0.5 * std::erfc(-x / std::sqrt(2.0)); };
  EXPECT_NEAR(phi(quantile(Distribution{DistKind::normal, 0.0, 1.0}, unit, 0.5)), 0.5 * (phi(0) + phi(1)),
              1e-12);
  const ParamInfo positive{"q", "q", "1", "", 1, 0, kInf};
  // Lognormal with mean 2 and log-sd 0.5: the median is 2·exp(−0.125).
  EXPECT_NEAR(quantile(Distribution{DistKind::lognormal, 2.0, 0.5}, positive, 0.5), 2.0 * std::exp(-0.125),
              1e-12);
  EXPECT_DOUBLE_EQ(quantile(Distribution::fixed(0.4), unit, 0.9), 0.4);
  EXPECT_DOUBLE_EQ(quantile(Distribution{DistKind::uniform, 0, 1}, unit, 1.0),
                   1.0 - 1e-15);  // never 1 itself
}

TEST(Cholesky, FactorsAndRefusesImpossibleMatrices) {
  const auto l = cholesky({1, 0.6, 0.6, 1}, 2);
  ASSERT_EQ(l.size(), 4u);
  EXPECT_DOUBLE_EQ(l[0], 1.0);
  EXPECT_DOUBLE_EQ(l[2], 0.6);
  EXPECT_DOUBLE_EQ(l[3], 0.8);
  // a and b, a and c strongly together, but b and c strongly apart: no such population exists.
  EXPECT_TRUE(cholesky({1, 0.9, 0.9, 0.9, 1, -0.9, 0.9, -0.9, 1}, 3).empty());
}

void expect_scenario_error(const std::string& yaml, const std::string& fragment) {
  try {
    scenario(yaml);
    FAIL() << "accepted: " << yaml;
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
  }
}

TEST(Correlations, BadInputIsLocated) {
  expect_scenario_error("population: {correlations: {attunement: {baseline_stress: 1}}}",
                        "population.correlations.attunement.baseline_stress");
  expect_scenario_error("population: {correlations: {attunement: {baseline_stress: 1}}}", "allowed (-1, 1)");
  expect_scenario_error("population: {correlations: {attunment: {baseline_stress: 0.2}}}",
                        "did you mean 'attunement'");
  expect_scenario_error("population: {correlations: {attunement: {attunement: 0.2}}}", "with itself");
  expect_scenario_error("population: {correlations: {attunement: 0.2}}", "expected a mapping");
  expect_scenario_error(
      "population: {correlations: {attunement: {baseline_stress: 0.2}, baseline_stress: {attunement: 0.3}}}",
      "give each pair once");
  expect_scenario_error(
      "population:\n  correlations:\n    attunement: {baseline_stress: 0.9, rupture_rate: 0.9}\n"
      "    baseline_stress: {rupture_rate: -0.9}\n",
      "test.yaml:3:5: population.correlations: these correlations cannot hold together");
}

TEST(Correlations, AreWrittenIntoTheResolvedScenarioOnlyWhenThereAreAny) {
  const auto spec = app::model_spec();
  const std::string plain = to_yaml(scenario("seed: 2"), spec);
  EXPECT_EQ(plain.find("correlations"), std::string::npos);
  const std::string text = to_yaml(scenario(kPair), spec);
  const Scenario again = parse_scenario(text, "resolved.yaml", {}, spec);
  ASSERT_EQ(again.correlations.size(), 1u);
  EXPECT_EQ(again.correlations[0].a, key_index("attunement"));
  EXPECT_EQ(again.correlations[0].b, key_index("baseline_stress"));
  EXPECT_DOUBLE_EQ(again.correlations[0].rho, -0.5);
}

TEST(Correlations, TheMutualModelsDefaultsHoldTogetherAndCanBeRemoved) {
  const ParamTables params = app::model_named("mutual").params();
  ASSERT_FALSE(params.correlations.empty());
  const Scenario s = scenario("model: mutual\nseed: 4");
  EXPECT_EQ(s.correlations.size(), params.correlations.size());
  EXPECT_NO_THROW(CaregiverDraws(s, params));
  const Scenario none =
      scenario("model: mutual\npopulation: {correlations: {sensitivity: {dismissing: 0, preoccupied: 0}}}");
  EXPECT_TRUE(none.correlations.empty());
}

}  // namespace
}  // namespace attune::sim
