// Experiments (docs/EXPERIMENTS.md): protocols, arms, interventions, new caregivers and chained
// states, run in-process on small populations.
#include <gtest/gtest.h>

#include <cmath>
#include <map>

#include "sim/cli/simulation.hpp"
#include "sim/errors.hpp"
#include "support/paths.hpp"
#include "support/stats.hpp"
#include "support/tables.hpp"

namespace attune::test {
namespace {

constexpr const char* kBase = R"(name: base
seed: 77
time: {days: 12, sessions_per_day: 4, session_s: 300, dt: 1}
population: {infants: 60}
caregiver:
  attunement: {dist: beta, mean: 0.6, concentration: 5}
  baseline_stress: {dist: lognormal, mean: 0.5, log_sd: 0.8}
  rejection: {dist: uniform, min: 0, max: 2}
output:
  daily: [signal_gain, fear]
)";

sim::Scenario scenario(const std::string& extra, const std::vector<sim::Override>& sets = {}) {
  return sim::parse_scenario(std::string(kBase) + extra, "test.yaml", sets, app::model_spec());
}

app::RunResult run(const sim::Scenario& s, int threads = 1) {
  app::RunSettings settings;
  settings.threads = threads;
  return app::simulate(s, settings);
}

const sim::Column& column(const sim::Table& t, std::string_view name) {
  const sim::Column* c = t.find(name);
  if (!c) throw std::runtime_error("no column " + std::string(name));
  return *c;
}

TEST(Protocol, OfOrdinaryPhasesIsExactlyTheSessionItReplaces) {
  const auto plain = run(scenario(""));
  // Two ordinary phases adding up to one 300 s session, carried over.
  const auto with = run(scenario(R"(protocols:
  - name: nothing
    day: 5
    session: 2
    phases:
      - {name: a, duration_s: 100}
      - {name: b, duration_s: 200}
)"));
  EXPECT_EQ(first_difference(plain.infants, with.infants), "");
  EXPECT_EQ(with.phases.rows(), 60u * 2);
}

// `--set protocols=[]` drops a scenario's procedures, so that a short run of a scenario whose
// protocols fall after its end is possible; it runs exactly as a scenario without any.
TEST(Protocol, AnEmptyListIsNoProtocol) {
  const std::string late = R"(protocols:
  - name: late
    day: 11
    phases: [{name: a, duration_s: 300}]
)";
  EXPECT_THROW(scenario(late, {{"time.days", "5"}}), sim::ScenarioError);
  const sim::Scenario none = scenario(late, {{"time.days", "5"}, {"protocols", "[]"}});
  EXPECT_TRUE(none.experiment.protocols.empty());
  const auto a = run(none);
  const auto b = run(scenario("", {{"time.days", "5"}}));
  EXPECT_EQ(first_difference(a.infants, b.infants), "");
  EXPECT_EQ(a.phases.rows(), 0u);
  EXPECT_THROW(scenario("protocols: 3\n"), sim::ScenarioError);  // still a list or nothing
}

TEST(Protocol, WithoutCarryOverLeavesTheRunUnchanged) {
  const auto plain = run(scenario(""));
  const auto with = run(scenario(R"(protocols:
  - name: stress
    day: 3
    carry_over: false
    phases:
      - {name: alone, duration_s: 600, caregiver: absent, arousal_pulse: 4}
      - {name: back, duration_s: 600}
)"));
  EXPECT_EQ(first_difference(plain.infants, with.infants), "");
  // ...but the protocol itself did happen: alone, nothing is coordinated, and ten minutes of
  // unattended distress after the pulse become shocks.
  const auto& coordinated = column(with.phases, "coordinated_fraction").reals;
  const auto& shocks = column(with.phases, "shocks").reals;
  double alone_shocks = 0;
  for (std::size_t r = 0; r < with.phases.rows(); r += 2) {
    EXPECT_EQ(coordinated[r], 0.0);
    alone_shocks += shocks[r];
  }
  EXPECT_GT(alone_shocks, 30);
}

// The same in the mutual model (it ignored the flag until 2 December 2026, so that the default
// scenario's 12-month stressor added fear and disorganization to the classes it reported).
TEST(Protocol, WithoutCarryOverLeavesTheMutualRunUnchanged) {
  const std::string base =
      "name: m\nmodel: mutual\nseed: 5\ntime: {days: 8, sessions_per_day: 4}\n"
      "population: {infants: 40}\n";
  const std::string stress = R"(protocols:
  - name: stress
    day: 5
    carry_over: CARRY
    phases:
      - {name: alone, duration_s: 600, caregiver: absent, arousal_pulse: 4}
      - {name: back, duration_s: 600, reunion: true}
)";
  auto load = [&](const std::string& text) {
    return sim::parse_scenario(text, "m.yaml", {}, app::model_spec());
  };
  auto with_carry = [&](const char* v) {
    std::string t = stress;
    t.replace(t.find("CARRY"), 5, v);
    return run(load(base + t));
  };
  const auto plain = run(load(base));
  const auto observed = with_carry("false");
  EXPECT_EQ(first_difference(plain.infants, observed.infants), "");
  EXPECT_EQ(observed.phases.rows(), 40u * 2);
  // ...and with carry-over the same procedure does change what follows.
  const auto carried = with_carry("true");
  EXPECT_NE(first_difference(plain.infants, carried.infants), "");
}

TEST(Protocol, WithCarryOverChangesWhatFollows) {
  const auto plain = run(scenario(""));
  const auto with = run(scenario(R"(protocols:
  - name: stress
    day: 3
    phases:
      - {name: alone, duration_s: 900, caregiver: absent, arousal_pulse: 4}
)"));
  EXPECT_NE(first_difference(plain.infants, with.infants), "");
}

// Tronick's still face: the infant's arousal and distress signalling rise and coordination falls
// against play, within infants (paired), with 300 infants at p < .01 (|z| > 2.58).
TEST(Protocol, StillFaceRaisesArousalAndSignallingAndLowersCoordination) {
  const auto r = run(scenario(R"(protocols:
  - name: still_face
    day: 8
    phases:
      - {name: play, duration_s: 120}
      - {name: still_face, duration_s: 120, caregiver: still_face}
      - {name: reunion, duration_s: 120}
)",
                              {{"population.infants", "300"}}),
                     2);
  ASSERT_EQ(r.phases.rows(), 900u);
  for (const char* measure : {"mean_arousal", "mean_signal", "coordinated_fraction"}) {
    SCOPED_TRACE(measure);
    const auto& v = column(r.phases, measure).reals;
    Moments diff;
    for (std::size_t i = 0; i < 300; ++i) diff.add(v[3 * i + 1] - v[3 * i]);
    const double z = diff.mean() / diff.mean_se();
    if (std::string_view(measure) == "coordinated_fraction")
      EXPECT_LT(z, -2.58);
    else
      EXPECT_GT(z, 2.58);
  }
  // A still face changes no engagement: no ruptures in that phase.
  const auto& ruptures = column(r.phases, "ruptures").reals;
  for (std::size_t i = 0; i < 300; ++i) EXPECT_EQ(ruptures[3 * i + 1], 0.0);
}

TEST(Protocol, SamplesComeEveryGivenInterval) {
  const auto r = run(scenario(R"(protocols:
  - name: stressor
    day: 2
    phases:
      - {name: pulse, duration_s: 60, arousal_pulse: 3, sample_every_s: 30}
      - {name: after, duration_s: 600, sample_every_s: 60}
)"));
  ASSERT_EQ(r.samples.rows(), 60u * 12);
  const auto& t = column(r.samples, "t_s").reals;
  EXPECT_EQ(t[0], 30.0);
  EXPECT_EQ(t[1], 60.0);
  EXPECT_EQ(t[2], 120.0);
  EXPECT_EQ(t[11], 660.0);
}

TEST(Protocol, ReunionsGiveAnObservedClassificationBesideTheWorkingModel) {
  const auto r = run(scenario(R"(protocols:
  - name: ssp
    day: 11
    carry_over: false
    phases:
      - {name: together, duration_s: 180}
      - {name: apart, duration_s: 180, caregiver: absent, stranger: true}
      - {name: reunion, duration_s: 180, reunion: true}
)"));
  EXPECT_EQ(r.observed.rows(), 60u);
  EXPECT_EQ(r.agreement.n(), 60);
  for (const auto& c : column(r.observed, "observed").texts)
    EXPECT_NE(std::string("BACD").find(c), std::string::npos);
}

TEST(Agreement, KappaMatchesTheTextbookExample) {
  // Cohen's kappa of a 2-category table padded into 4: po = .7, pe = .5 → κ = .4.
  app::Agreement a;
  a.counts[0][0] = 20, a.counts[0][1] = 5, a.counts[1][0] = 10, a.counts[1][1] = 15;
  EXPECT_NEAR(a.kappa(), (0.7 - 0.5) / (1 - 0.5), 1e-12);
  EXPECT_EQ(a.n(), 50);
  EXPECT_TRUE(std::isnan(app::Agreement{}.kappa()));
}

constexpr const char* kArms = R"(arms:
  - {name: control, weight: 1}
  - {name: treated, weight: 3, from_day: 4, set: {caregiver.attunement: 0.95}}
)";

TEST(Arms, AssignmentIsDeterministicAndFollowsTheWeights) {
  const auto a = run(scenario(kArms, {{"population.infants", "400"}}));
  const auto b = run(scenario(kArms, {{"population.infants", "400"}}), 2);
  EXPECT_EQ(first_difference(a.infants, b.infants), "");
  const auto& arm = column(a.infants, "arm").texts;
  const auto treated = static_cast<double>(std::count(arm.begin(), arm.end(), "treated"));
  EXPECT_NEAR(treated / 400.0, 0.75, 3 * std::sqrt(0.75 * 0.25 / 400));
  // The treated caregivers' attunement is the arm's value from day 4 on.
  const auto& att = column(a.infants, "attunement").reals;
  for (std::size_t r = 0; r < arm.size(); ++r)
    if (arm[r] == "treated")
      EXPECT_EQ(att[r], 0.95);
    else
      EXPECT_LT(att[r], 1.0);
}

TEST(Arms, PairedArmsShareTheirRandomNumbers) {
  // An arm that sets a value to what it already is must give exactly the control's results.
  const auto r = run(scenario(R"(arms:
  paired: true
  list:
    - {name: control}
    - {name: same, set: {caregiver.resonance: 0.05}}
    - {name: treated, set: {caregiver.attunement: 0.95}}
)"));
  ASSERT_EQ(r.infants.rows(), 180u);
  const auto& fear = column(r.infants, "signal_gain").reals;
  const auto& id = column(r.infants, "infant_id").ints;
  int differ = 0;
  for (std::size_t i = 0; i < 60; ++i) {
    EXPECT_EQ(id[i], id[60 + i]);
    EXPECT_EQ(fear[i], fear[60 + i]) << i;
    differ += fear[i] != fear[120 + i];
  }
  EXPECT_GT(differ, 50);
}

TEST(Arms, ATreatmentChangesOnlyWhatItSets) {
  // Drawn with the caregiver's own streams: a shifted distribution keeps her rank.
  const auto r = run(scenario(R"(arms:
  paired: true
  list:
    - {name: control}
    - {name: calmer, set: {caregiver.baseline_stress: {dist: lognormal, mean: 0.25, log_sd: 0.8}}}
)"));
  const auto& stress = column(r.infants, "baseline_stress").reals;
  const auto& att = column(r.infants, "attunement").reals;
  for (std::size_t i = 0; i < 60; ++i) {
    EXPECT_NEAR(stress[60 + i], stress[i] / 2, 1e-12 * stress[i]);
    EXPECT_EQ(att[60 + i], att[i]);
  }
}

TEST(Interventions, ANewCaregiverReplacesTheOldOneFromHerDay) {
  const auto r = run(scenario(R"(interventions:
  - name: foster
    day: 6
    caregiver: replace
    new_caregiver: {attunement: 0.9, baseline_stress: 0.1, rejection: 0}
)"));
  ASSERT_EQ(r.infants.rows(), 120u);  // the birth caregiver's row and the foster carer's
  const auto& profile = column(r.infants, "profile").texts;
  const auto& caregiver = column(r.infants, "caregiver_id").ints;
  const auto& episodes = column(r.infants, "episodes").ints;
  std::int64_t birth = 0, foster = 0;
  for (std::size_t k = 0; k < 120; k += 2) {
    EXPECT_EQ(profile[k], "all");
    EXPECT_EQ(profile[k + 1], "foster");
    EXPECT_EQ(caregiver[k + 1], 60 + caregiver[k]);
    birth += episodes[k], foster += episodes[k + 1];
  }
  EXPECT_GT(birth, 0);
  EXPECT_GT(foster, 0);
}

TEST(Interventions, ChangeOnlyTheArmsTheyName) {
  const auto r = run(scenario(std::string(kArms) + R"(interventions:
  - {day: 2, arms: [control], set: {caregiver.rejection: 0}}
)"));
  const auto& arm = column(r.infants, "arm").texts;
  const auto& rejection = column(r.infants, "rejection").reals;
  int nonzero_treated = 0;
  for (std::size_t k = 0; k < arm.size(); ++k) {
    if (arm[k] == "control")
      EXPECT_EQ(rejection[k], 0.0);
    else
      nonzero_treated += rejection[k] > 0;
  }
  EXPECT_GT(nonzero_treated, 0);
}

TEST(State, SavedThenUsedAsInitialStateKeepsThePopulation) {
  TempDir dir;
  const std::string state = (dir / "infancy.state").string();
  app::RunSettings settings;
  settings.threads = 1;
  settings.save_state = state;
  const auto first = app::simulate(scenario(""), settings);
  const auto second = run(scenario("initial_state: " + state + "\n", {{"time.days", "3"}}));
  EXPECT_EQ(first_difference(sim::Table{{column(first.infants, "attunement")}},
                             sim::Table{{column(second.infants, "attunement")}}),
            "");
  // The working model carries on: after 3 more days it is closer to the first run's end than a
  // fresh 3-day run is.
  const auto fresh = run(scenario("", {{"time.days", "3"}}));
  const auto& g1 = column(first.infants, "signal_gain").reals;
  const auto& g2 = column(second.infants, "signal_gain").reals;
  const auto& g0 = column(fresh.infants, "signal_gain").reals;
  double carried = 0, restarted = 0;
  for (std::size_t i = 0; i < g1.size(); ++i)
    carried += std::fabs(g2[i] - g1[i]), restarted += std::fabs(g0[i] - g1[i]);
  EXPECT_LT(carried, restarted / 2);
}

TEST(State, AStateOfAnotherPopulationSizeIsRefused) {
  TempDir dir;
  const std::string state = (dir / "s.state").string();
  app::RunSettings settings;
  settings.threads = 1;
  settings.save_state = state;
  app::simulate(scenario(""), settings);
  EXPECT_THROW(run(scenario("initial_state: " + state + "\n", {{"population.infants", "10"}})),
               sim::InputError);
  EXPECT_THROW(run(scenario("initial_state: " + (dir / "missing.state").string() + "\n")), sim::InputError);
}

TEST(Checkpoint, ResumingFromACheckpointGivesTheSameResults) {
  for (int threads : {1, 2}) {
    SCOPED_TRACE(threads);
    TempDir dir;
    const auto s = scenario(std::string(kArms) + R"(protocols:
  - name: sf
    day: 9
    phases:
      - {name: play, duration_s: 120}
      - {name: still, duration_s: 120, caregiver: still_face, sample_every_s: 60}
)",
                            {{"time.days", "40"}});
    const std::string whole = (dir / "whole.h5").string(), resumed = (dir / "resumed.h5").string();
    {
      sim::OutputFile out(whole, false);
      app::RunSettings settings;
      settings.threads = threads;
      settings.output = &out;
      settings.checkpoint_every = 7;  // the last one is at day 35, mid-way through a daily chunk
      settings.checkpoint = (dir / "ckpt").string();
      app::write_results(out, s, app::simulate(s, settings));
      out.commit();
    }
    {
      sim::OutputFile out(resumed, false);
      app::RunSettings settings;
      settings.threads = 3 - threads;
      settings.output = &out;
      settings.resume = (dir / "ckpt").string();
      app::write_results(out, s, app::simulate(s, settings));
      out.commit();
    }
    EXPECT_EQ(first_file_difference(whole, resumed, {"infants", "protocol/phases", "protocol/samples"}), "");
    for (const char* field : {"signal_gain", "fear"}) {
      std::size_t r1, d1, r2, d2;
      EXPECT_EQ(sim::read_daily(whole, field, r1, d1), sim::read_daily(resumed, field, r2, d2)) << field;
    }
  }
}

TEST(Checkpoint, FromAnotherScenarioIsRefused) {
  TempDir dir;
  const auto s = scenario("", {{"time.days", "20"}});
  app::RunSettings settings;
  settings.threads = 1;
  settings.checkpoint_every = 5;
  settings.checkpoint = (dir / "ckpt").string();
  app::simulate(s, settings);
  app::RunSettings again;
  again.threads = 1;
  again.resume = settings.checkpoint;
  EXPECT_THROW(app::simulate(scenario("", {{"time.days", "20"}, {"seed", "78"}}), again), sim::InputError);
}

}  // namespace
}  // namespace attune::test
