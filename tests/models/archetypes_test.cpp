// The shipped archetypes of both models: each archetype scenario, run through the whole pipeline,
// gives its majority class. Seeds are fixed, so the figures are reproducible; the thresholds leave
// room for legitimate changes of the model.
// - reference (scenarios/reference/archetypes/, MODEL.md), 100 infants for the scenario's year:
//   B 99%, A 73%, C 88%, D 86% and neglect A 100%; shocks per infant 0.26 for secure, 106 for
//   neglect.
// - mutual (scenarios/archetypes/, MODEL2.md §5.4), 40 infants for 180 days (about 1.5 s each in
//   Release): B 100%, A 95%, C 100%, D 100% and neglect A 100% (1.65 shocks per infant; none for
//   the others). 0.75 of 40 infants: a majority that fell to 30 would be a changed archetype, not
//   noise (the binomial sd of a 95% share is 3.4 points at n = 40).
#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>

#include "sim/cli/simulation.hpp"
#include "support/paths.hpp"

namespace attune::test {
namespace {

struct Archetype {
  const char* model;  // "reference" or "mutual": where the file lives and how large the run is
  const char* file;
  char majority;
  double min_share;
  double min_mean_shocks = 0;  // developmental shocks per infant over the run
  double max_mean_shocks = 1e9;
};

void PrintTo(const Archetype& a, std::ostream* os) { *os << a.model << '/' << a.file; }

class ArchetypeScenario : public ::testing::TestWithParam<Archetype> {};

bool is_reference(const Archetype& a) { return std::string(a.model) == "reference"; }
std::size_t infants_of(const Archetype& a) { return is_reference(a) ? 100 : 40; }

sim::Table run_archetype(const Archetype& a) {
  const auto folder = is_reference(a) ? source_dir() / "scenarios" / "reference" / "archetypes"
                                      : source_dir() / "scenarios" / "archetypes";
  std::vector<sim::Override> sets{{"population.infants", std::to_string(infants_of(a))}};
  if (!is_reference(a)) sets.push_back({"time.days", "180"});
  const sim::Scenario s =
      sim::load_scenario((folder / (std::string(a.file) + ".yaml")).string(), sets, app::model_spec());
  app::RunSettings settings;
  settings.threads = 1;
  return app::simulate(s, settings).infants;
}

double mean_of(const sim::Table& t, const char* column) {
  const sim::Column* c = t.find(column);
  if (!c || c->kind != sim::Column::int64) throw std::runtime_error(std::string("no count column ") + column);
  return static_cast<double>(std::accumulate(c->ints.begin(), c->ints.end(), std::int64_t{0})) /
         static_cast<double>(c->ints.size());
}

TEST_P(ArchetypeScenario, GivesItsMajorityClass) {
  const Archetype a = GetParam();
  const sim::Table infants = run_archetype(a);
  ASSERT_EQ(infants.rows(), infants_of(a));
  const auto classes = sim::class_distribution(infants, app::summary_spec());
  const auto top = std::max_element(classes.begin(), classes.end(),
                                    [](const auto& x, const auto& y) { return x.count < y.count; });
  std::string shares;
  for (const auto& c : classes) shares += std::string(1, c.letter) + " " + std::to_string(c.count) + "  ";
  EXPECT_EQ(top->letter, a.majority) << shares;
  EXPECT_GE(top->fraction, a.min_share) << shares;
  const double shocks = mean_of(infants, "shocks");
  EXPECT_GE(shocks, a.min_mean_shocks);
  EXPECT_LE(shocks, a.max_mean_shocks);
}

INSTANTIATE_TEST_SUITE_P(Archetypes, ArchetypeScenario,
                         ::testing::Values(Archetype{"reference", "secure", 'B', 0.9, 0, 2},
                                           Archetype{"reference", "avoidant", 'A', 0.6},
                                           Archetype{"reference", "resistant", 'C', 0.7},
                                           Archetype{"reference", "disorganized", 'D', 0.7},
                                           Archetype{"reference", "neglect", 'A', 0.9, 20},
                                           Archetype{"mutual", "secure", 'B', 0.75, 0, 0.5},
                                           Archetype{"mutual", "avoidant", 'A', 0.75},
                                           Archetype{"mutual", "resistant", 'C', 0.75},
                                           Archetype{"mutual", "disorganized", 'D', 0.75},
                                           Archetype{"mutual", "neglect", 'A', 0.75, 0.3}),
                         [](const auto& tp) { return std::string(tp.param.model) + "_" + tp.param.file; });

}  // namespace
}  // namespace attune::test
