// Every catalogued model runs through the same engine paths: a run with daily series, a trace, a
// protocol with reunions, paired arms, a new caregiver, and checkpoint + resume; results do not
// depend on the thread count.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <set>

#include "models/catalog.hpp"
#include "models/mutual/outcomes.hpp"
#include "sim/cli/simulation.hpp"
#include "sim/errors.hpp"
#include "sim/hdf5_file.hpp"
#include "support/paths.hpp"
#include "support/tables.hpp"

namespace attune::test {
namespace {

// Only keys every model has: the population, time, experiment sections with no model keys.
std::string scenario_text(const std::string& model) {
  return fmt::format(R"(name: contract
model: {}
seed: 5
time: {{days: 20, sessions_per_day: 4, session_s: 300, dt: 1}}
population: {{infants: 24}}
trace: {{infants: [1], days: [3]}}
arms:
  paired: true
  list:
    - {{name: first}}
    - {{name: second}}
interventions:
  - {{name: newcomer, day: 12, arms: [second], caregiver: add}}
protocols:
  - name: ssp
    day: 8
    phases:
      - {{name: play, duration_s: 120}}
      - {{name: still, duration_s: 120, caregiver: still_face}}
      - {{name: away, duration_s: 120, caregiver: absent, stranger: true}}
      - {{name: back, duration_s: 120, reunion: true, sample_every_s: 30}}
)",
                     model);
}

sim::Scenario load(const std::string& model, const std::vector<sim::Override>& sets = {}) {
  return sim::parse_scenario(scenario_text(model), "contract.yaml", sets, app::model_spec());
}

class ModelContract : public ::testing::TestWithParam<std::string> {};

TEST_P(ModelContract, RunsEveryEnginePathIndependentlyOfThreads) {
  const sim::Scenario s = load(GetParam());
  EXPECT_EQ(s.model, GetParam());
  const sim::Model& model = app::model_of(s);
  app::RunSettings one, two;
  one.threads = 1;
  two.threads = 2;
  const auto a = app::simulate(s, one);
  const auto b = app::simulate(s, two);
  EXPECT_EQ(first_difference(a.infants, b.infants), "");
  EXPECT_EQ(first_difference(a.trace, b.trace), "");
  EXPECT_EQ(first_difference(a.phases, b.phases), "");
  // 24 infants × 2 arms, plus the newcomer's 24 rows in the second arm.
  EXPECT_EQ(a.infants.rows(), 72u);
  EXPECT_EQ(a.infants.columns.size(), sim::infants_table_layout(model).columns.size());
  EXPECT_EQ(a.trace.rows(), 4u * 300);  // one infant (first arm's copy), one day
  EXPECT_EQ(a.phases.rows(), 48u * 4);
  EXPECT_EQ(a.samples.rows(), 48u * 4);
  EXPECT_EQ(a.observed.rows(), 48u);
  EXPECT_EQ(a.agreement.n(), 48);
  const auto& cls = a.infants.find("classification")->texts;
  for (const auto& c : cls) {
    bool known = false;
    for (const auto& k : model.classes()) known = known || c == std::string(1, k.letter);
    EXPECT_TRUE(known) << c;
  }
}

TEST_P(ModelContract, ResumesFromACheckpointToTheSameResults) {
  const sim::Scenario s = load(GetParam(), {{"trace", "{}"}});
  TempDir dir;
  app::RunSettings whole;
  whole.threads = 2;
  whole.checkpoint_every = 10;
  whole.checkpoint = (dir / "ckpt").string();
  const auto a = app::simulate(s, whole);
  app::RunSettings resumed;
  resumed.threads = 1;
  resumed.resume = whole.checkpoint;
  const auto b = app::simulate(s, resumed);
  EXPECT_EQ(first_difference(a.infants, b.infants), "");
  EXPECT_EQ(first_difference(a.phases, b.phases), "");
  EXPECT_EQ(first_difference(a.samples, b.samples), "");
}

// A sweep runs the scenario's model and records it: its /infants columns, and the `model`
// attribute that `info`, `compare` and `merge` read (it once said "reference" for every sweep).
TEST_P(ModelContract, SweepsRecordTheirModel) {
  TempDir dir;
  const fs::path scenario = dir / "sweep.yaml", out = dir / "sweep.h5";
  std::ofstream(scenario) << fmt::format(R"(name: contract_sweep
model: {}
seed: 5
time: {{days: 3, sessions_per_day: 2, session_s: 120, dt: 1}}
population: {{infants: 4}}
sweep: {{design: factorial, replicates: 2, factors: {{time.days: [2, 3]}}}}
)",
                                         GetParam());
  const CliResult r = run_attune({"sweep", scenario.string(), "-o", out.string(), "--quiet"});
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_EQ(sim::read_attributes(out.string()).at("model"), GetParam());
  const sim::Table infants = sim::read_table(out.string(), "infants");
  EXPECT_EQ(infants.rows(), 4u * 4);
  const sim::Scenario s = load(GetParam());
  EXPECT_EQ(infants.columns.size(),
            sim::infants_table_layout(app::model_of(s)).columns.size() + 1);  // + run_id
}

INSTANTIATE_TEST_SUITE_P(Catalog, ModelContract, ::testing::ValuesIn(models::model_names()),
                         [](const auto& p) { return p.param; });

// An outcome that describes the caregiver (the mutual model's AAI class) comes from the tie's own
// caregiver: every row, the newcomers' included, matches the rule applied to that row's drawn
// dimensions.
TEST(ModelContractMutual, EachTieReportsItsOwnCaregiversStateOfMind) {
  const auto r = app::simulate(load("mutual", {{"trace", "{}"}}), {});
  const auto& d = r.infants.find("dismissing")->reals;
  const auto& p = r.infants.find("preoccupied")->reals;
  const auto& u = r.infants.find("unresolved")->reals;
  const auto& som = r.infants.find("state_of_mind")->texts;
  const auto& autonomous = r.infants.find("autonomous")->ints;
  ASSERT_EQ(som.size(), 72u);
  std::set<std::string> seen;
  for (std::size_t row = 0; row < som.size(); ++row) {
    mutual::CaregiverParams c;
    c.dismissing = d[row], c.preoccupied = p[row], c.unresolved = u[row];
    const char expected = mutual::state_of_mind(mutual::InfantParams{}, c);
    EXPECT_EQ(som[row], std::string(1, expected)) << "row " << row;
    EXPECT_EQ(autonomous[row], expected == 'F' ? 1 : 0) << "row " << row;
    seen.insert(som[row]);
  }
  EXPECT_GE(seen.size(), 3u);  // 72 draws from the default population span the classes
}

TEST(ModelCatalog, AnUnknownModelIsABadInputNamingTheKnownOnes) {
  try {
    sim::parse_scenario("model: nonesuch\n", "m.yaml", {}, app::model_spec());
    FAIL() << "accepted an unknown model";
  } catch (const sim::ScenarioError& e) {
    EXPECT_NE(std::string(e.what()).find("m.yaml:1:8: model: unknown model 'nonesuch' (allowed: reference"),
              std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace attune::test
