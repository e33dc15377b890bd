// The mutual model's archetypes (scenarios/archetypes/, MODEL2.md §5.4): each shipped archetype
// scenario, run through the whole pipeline with 40 infants for 180 days (about 1.5 s each in
// Release), gives its modal class. The scenario's own seed is used, so the figures reproduce; the
// bounds leave room for legitimate recalibration of the model. With these sizes the shares were
// B 100%, A 95%, C 100%, D 100% and neglect A 100% (1.65 shocks per infant; none for the others).
#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>

#include "sim/cli/simulation.hpp"
#include "support/paths.hpp"

namespace attune::test {
namespace {

struct MutualArchetype {
  const char* file;
  char modal;
  double min_share;
  double min_mean_shocks = 0;  // developmental shocks per infant over the run
  double max_mean_shocks = 1e9;
};

void PrintTo(const MutualArchetype& a, std::ostream* os) { *os << a.file; }

class MutualArchetypeScenario : public ::testing::TestWithParam<MutualArchetype> {};

constexpr int kInfants = 40;

sim::Table run_archetype(const char* file) {
  const auto path = source_dir() / "scenarios" / "archetypes" / (std::string(file) + ".yaml");
  const sim::Scenario s = sim::load_scenario(
      path.string(), {{"population.infants", std::to_string(kInfants)}, {"time.days", "180"}},
      app::model_spec());
  app::RunSettings settings;
  settings.threads = 1;
  return app::simulate(s, settings).infants;
}

double mean_shocks(const sim::Table& t) {
  const sim::Column* c = t.find("shocks");
  if (!c || c->kind != sim::Column::int64) throw std::runtime_error("no count column shocks");
  return static_cast<double>(std::accumulate(c->ints.begin(), c->ints.end(), std::int64_t{0})) /
         static_cast<double>(c->ints.size());
}

TEST_P(MutualArchetypeScenario, GivesItsModalClass) {
  const MutualArchetype a = GetParam();
  const sim::Table infants = run_archetype(a.file);
  ASSERT_EQ(infants.rows(), static_cast<std::size_t>(kInfants));
  const auto classes = sim::class_distribution(infants, app::summary_spec());
  const auto top = std::max_element(classes.begin(), classes.end(),
                                    [](const auto& x, const auto& y) { return x.count < y.count; });
  std::string shares;
  for (const auto& c : classes) shares += std::string(1, c.letter) + " " + std::to_string(c.count) + "  ";
  EXPECT_EQ(top->letter, a.modal) << shares;
  EXPECT_GE(top->fraction, a.min_share) << shares;
  const double shocks = mean_shocks(infants);
  EXPECT_GE(shocks, a.min_mean_shocks);
  EXPECT_LE(shocks, a.max_mean_shocks);
}

// 0.75 of 40 infants: a modal class that fell to 30 would be a changed archetype, not noise
// (the binomial sd of a 95% share is 3.4 points at n = 40).
INSTANTIATE_TEST_SUITE_P(MutualArchetypes, MutualArchetypeScenario,
                         ::testing::Values(MutualArchetype{"secure", 'B', 0.75, 0, 0.5},
                                           MutualArchetype{"avoidant", 'A', 0.75},
                                           MutualArchetype{"resistant", 'C', 0.75},
                                           MutualArchetype{"disorganized", 'D', 0.75},
                                           MutualArchetype{"neglect", 'A', 0.75, 0.3}),
                         [](const auto& tp) { return std::string(tp.param.file); });

}  // namespace
}  // namespace attune::test
