// Populations (sim/population.hpp): profile shares, per-caregiver draws that do not depend on
// the population's size or on other parameters, and the care network as a graph.
#include <gtest/gtest.h>

#include <cmath>

#include "sim/cli/simulation.hpp"
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

}  // namespace
}  // namespace attune::sim
