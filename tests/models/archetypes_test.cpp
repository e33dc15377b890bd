// MODEL.md's archetypes: each shipped archetype scenario, run through the whole pipeline with 100
// infants, gives its majority class. Seeds are fixed, so the figures are reproducible; the
// thresholds leave room for legitimate changes of the model (with 100 infants the shares were
// B 99%, A 73%, C 88%, D 86% and neglect A 100%; shocks per infant 0.26 for secure, 106 for
// neglect).
#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>

#include "sim/cli/simulation.hpp"
#include "support/paths.hpp"

namespace attune::test {
namespace {

struct Archetype {
  const char* file;
  char majority;
  double min_share;
  double min_mean_shocks = 0;  // developmental shocks per infant over the run
  double max_mean_shocks = 1e9;
};

void PrintTo(const Archetype& a, std::ostream* os) { *os << a.file; }

class ArchetypeScenario : public ::testing::TestWithParam<Archetype> {};

struct ArchetypeRun {
  sim::Table infants;
  std::vector<sim::ClassCount> classes;
};

ArchetypeRun run_archetype(const char* file) {
  const auto path = source_dir() / "scenarios" / "reference" / "archetypes" / (std::string(file) + ".yaml");
  const sim::Scenario s =
      sim::load_scenario(path.string(), {{"population.infants", "100"}}, app::model_spec());
  app::RunSettings settings;
  settings.threads = 1;
  ArchetypeRun run{app::simulate(s, settings).infants, {}};
  run.classes = sim::class_distribution(run.infants, app::summary_spec());
  return run;
}

double mean_of(const sim::Table& t, const char* column) {
  const sim::Column* c = t.find(column);
  if (!c || c->kind != sim::Column::int64) throw std::runtime_error(std::string("no count column ") + column);
  return static_cast<double>(std::accumulate(c->ints.begin(), c->ints.end(), std::int64_t{0})) /
         static_cast<double>(c->ints.size());
}

TEST_P(ArchetypeScenario, GivesItsMajorityClass) {
  const Archetype a = GetParam();
  const ArchetypeRun run = run_archetype(a.file);
  ASSERT_EQ(run.infants.rows(), 100u);
  const auto top = std::max_element(run.classes.begin(), run.classes.end(),
                                    [](const auto& x, const auto& y) { return x.count < y.count; });
  std::string shares;
  for (const auto& c : run.classes) shares += std::string(1, c.letter) + " " + std::to_string(c.count) + "  ";
  EXPECT_EQ(top->letter, a.majority) << shares;
  EXPECT_GE(top->fraction, a.min_share) << shares;
  const double shocks = mean_of(run.infants, "shocks");
  EXPECT_GE(shocks, a.min_mean_shocks);
  EXPECT_LE(shocks, a.max_mean_shocks);
}

INSTANTIATE_TEST_SUITE_P(Archetypes, ArchetypeScenario,
                         ::testing::Values(Archetype{"secure", 'B', 0.9, 0, 2},
                                           Archetype{"avoidant", 'A', 0.6}, Archetype{"resistant", 'C', 0.7},
                                           Archetype{"disorganized", 'D', 0.7},
                                           Archetype{"neglect", 'A', 0.9, 20}),
                         [](const auto& tp) { return std::string(tp.param.file); });

}  // namespace
}  // namespace attune::test
