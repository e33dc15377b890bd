// Populations (sim/population.hpp): profile shares, per-caregiver draws that do not depend on
// the population's size or on other parameters, the care network as a graph, and correlated
// caregiver parameters (population.correlations, a Gaussian copula): each parameter keeps its own
// distribution, the pair gets the rank correlation the normal-score correlation implies, scenarios
// without correlations draw exactly what they drew before, and impossible or malformed
// correlations are refused where they were written.
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

constexpr double kSigmas = 5.0;

Scenario scenario(const std::string& yaml, const std::vector<Override>& overrides = {}) {
  return parse_scenario(yaml, "test.yaml", overrides, app::model_spec());
}

std::size_t key_index(std::string_view key) {
  const auto table = app::model_spec().params.caregiver;
  for (std::size_t k = 0; k < table.size(); ++k)
    if (table[k].key == key) return k;
  throw std::runtime_error("no caregiver parameter " + std::string(key));
}

constexpr const char* kThreeProfiles = R"(
seed: 3
population: {infants: 6000}
profiles:
  - name: a
    weight: 1
    caregiver: {attunement: 0.9}
  - name: b
    weight: 2
    caregiver: {attunement: 0.5}
  - name: c
    weight: 5
    caregiver: {attunement: {dist: uniform, min: 0.1, max: 0.2}}
)";

TEST(BuildPopulation, ProfileSharesFollowTheWeights) {
  const Scenario s = scenario(kThreeProfiles);
  const Population pop = build_population(s, app::model_spec().params);
  ASSERT_EQ(pop.caregivers(), 6000u);
  std::size_t count[3] = {0, 0, 0};
  for (auto p : pop.caregiver_profile) ++count[p];
  const double n = 6000, expected[3] = {1.0 / 8, 2.0 / 8, 5.0 / 8};
  for (int i = 0; i < 3; ++i)
    EXPECT_NEAR(static_cast<double>(count[i]) / n, expected[i],
                kSigmas * std::sqrt(expected[i] * (1 - expected[i]) / n))
        << "profile " << i;
}

TEST(BuildPopulation, EachCaregiverIsDrawnFromItsOwnProfile) {
  const Scenario s = scenario(kThreeProfiles, {{"population.infants", "500"}});
  const Population pop = build_population(s, app::model_spec().params);
  const std::size_t a = key_index("attunement");
  for (std::size_t c = 0; c < pop.caregivers(); ++c) {
    const double v = pop.caregiver(c)[a];
    switch (pop.caregiver_profile[c]) {
      case 0:
        ASSERT_EQ(v, 0.9) << c;
        break;
      case 1:
        ASSERT_EQ(v, 0.5) << c;
        break;
      default:
        ASSERT_TRUE(v >= 0.1 && v < 0.2) << c << ": " << v;
    }
  }
}

TEST(BuildPopulation, ACaregiversDrawsDoNotDependOnThePopulationSize) {
  const Scenario small = scenario(kThreeProfiles, {{"population.infants", "10"}});
  const Scenario large = scenario(kThreeProfiles, {{"population.infants", "1000"}});
  const auto tables = app::model_spec().params;
  const Population p10 = build_population(small, tables), p1000 = build_population(large, tables);
  for (std::size_t c : {0u, 5u, 9u}) {
    SCOPED_TRACE(c);
    EXPECT_EQ(p10.caregiver_profile[c], p1000.caregiver_profile[c]);
    const auto a = p10.caregiver(c), b = p1000.caregiver(c);
    ASSERT_EQ(a.size(), b.size());
    for (std::size_t k = 0; k < a.size(); ++k) EXPECT_EQ(a[k], b[k]) << tables.caregiver[k].key;
  }
}

// Every parameter has its own stream: changing one parameter's distribution leaves the others'
// draws untouched, and the default spreads give every caregiver different values.
TEST(BuildPopulation, ChangingOneParametersDistributionLeavesTheOthersAlone) {
  const Scenario base = scenario("population: {infants: 50}");
  const Scenario changed =
      scenario("population: {infants: 50}\ncaregiver: {attunement: {dist: uniform, min: 0, max: 1}}");
  const auto tables = app::model_spec().params;
  const Population p = build_population(base, tables), q = build_population(changed, tables);
  const std::size_t a = key_index("attunement"), r = key_index("rupture_rate"),
                    b = key_index("baseline_stress");
  std::size_t attunement_differs = 0;
  for (std::size_t c = 0; c < 50; ++c) {
    attunement_differs += p.caregiver(c)[a] != q.caregiver(c)[a];
    EXPECT_EQ(p.caregiver(c)[r], q.caregiver(c)[r]) << c;
    EXPECT_EQ(p.caregiver(c)[b], q.caregiver(c)[b]) << c;
  }
  EXPECT_EQ(attunement_differs, 50u);
  EXPECT_NE(p.caregiver(0)[r], p.caregiver(1)[r]);
}

TEST(BuildPopulation, TheSeedChangesTheDraws) {
  const auto tables = app::model_spec().params;
  const Population p = build_population(scenario("seed: 1\npopulation: {infants: 5}"), tables);
  const Population q = build_population(scenario("seed: 2\npopulation: {infants: 5}"), tables);
  EXPECT_NE(p.caregiver(3)[key_index("rupture_rate")], q.caregiver(3)[key_index("rupture_rate")]);
}

TEST(BuildPopulation, TheCareNetworkLinksCaregiverIToInfantI) {
  const Population pop = build_population(scenario("population: {infants: 7}"), app::model_spec().params);
  EXPECT_EQ(pop.infants(), 7u);
  EXPECT_EQ(pop.caregivers(), 7u);
  EXPECT_EQ(boost::num_vertices(pop.network), 14u);
  EXPECT_EQ(boost::num_edges(pop.network), 7u);
  ASSERT_EQ(pop.relationships.size(), 7u);
  for (std::uint32_t i = 0; i < 7; ++i) {
    SCOPED_TRACE(i);
    const auto cv = pop.caregiver_vertex[i], iv = pop.infant_vertex[i];
    EXPECT_EQ(pop.network[cv].kind, AgentKind::caregiver);
    EXPECT_EQ(pop.network[cv].id, i);
    EXPECT_EQ(pop.network[iv].kind, AgentKind::infant);
    EXPECT_EQ(pop.network[iv].id, i);
    EXPECT_EQ(boost::out_degree(cv, pop.network), 1u);
    EXPECT_EQ(boost::in_degree(iv, pop.network), 1u);
    const auto [e, found] = boost::edge(cv, iv, pop.network);
    ASSERT_TRUE(found) << "edges point from caregiver to infant";
    EXPECT_EQ(pop.network[e].relationship, i);
    EXPECT_EQ(pop.relationships[i].caregiver, i);
    EXPECT_EQ(pop.relationships[i].infant, i);
    EXPECT_EQ(pop.relationships_of_infant(i), std::vector<std::uint32_t>{i});
  }
}

TEST(AddRelationship, GivesAnInfantASecondCaregiver) {
  Population pop = build_population(scenario("population: {infants: 4}"), app::model_spec().params);
  const std::uint32_t id = add_relationship(pop, 3, 0);
  EXPECT_EQ(id, 4u);
  EXPECT_EQ(boost::num_edges(pop.network), 5u);
  EXPECT_EQ(pop.relationships[id].caregiver, 3u);
  EXPECT_EQ(pop.relationships[id].infant, 0u);
  EXPECT_EQ(pop.relationships_of_infant(0), (std::vector<std::uint32_t>{0, 4})) << "in the order added";
  EXPECT_EQ(pop.relationships_of_infant(3), std::vector<std::uint32_t>{3});
  EXPECT_EQ(boost::out_degree(pop.caregiver_vertex[3], pop.network), 2u);
  EXPECT_EQ(boost::in_degree(pop.infant_vertex[0], pop.network), 2u);
}

// Correlated caregiver parameters.

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
  const Scenario none = scenario(
      "model: mutual\npopulation: {correlations: {sensitivity: {dismissing: 0, preoccupied: 0, "
      "baseline_stress: 0}, anomalous: {unresolved: 0, dismissing: 0, preoccupied: 0}}}");
  EXPECT_TRUE(none.correlations.empty());
}

}  // namespace
}  // namespace attune::sim
