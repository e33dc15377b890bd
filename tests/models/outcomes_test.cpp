// MODEL.md's outcome table and classification.
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "models/reference/outcomes.hpp"

namespace attune::reference {
namespace {

constexpr double kTol = 1e-15;

TEST(Classify, FearAboveAQuarterIsDisorganizedWhateverTheStrategy) {
  EXPECT_EQ(classify(0.0, 0.0, 0.26), 'D');
  EXPECT_EQ(classify(1.0, 0.0, 0.3), 'D');
  EXPECT_EQ(classify(0.0, 1.0, 0.9), 'D');
  EXPECT_EQ(classify(0.5, 0.5, 1.0), 'D');
  EXPECT_EQ(classify(0.0, 0.0, 0.25), 'B') << "the threshold itself is not D (F > 0.25)";
}

TEST(Classify, SecureWhenBothScalesAreBelowThreshold) {
  EXPECT_EQ(classify(0.0, 0.0, 0.0), 'B');
  EXPECT_EQ(classify(0.34, 0.34, 0.2), 'B');
  EXPECT_EQ(classify(0.3499999, 0.0, 0.0), 'B');
}

TEST(Classify, AvoidantWhenAvoidanceDominatesIncludingTheTie) {
  EXPECT_EQ(classify(0.35, 0.0, 0.0), 'A') << "0.35 itself is not below 0.35";
  EXPECT_EQ(classify(0.6, 0.4, 0.0), 'A');
  EXPECT_EQ(classify(0.5, 0.5, 0.0), 'A') << "a tie goes to A (avoidance ≥ resistance)";
  EXPECT_EQ(classify(1.0, 0.0, 0.25), 'A');
}

TEST(Classify, ResistantWhenResistanceDominates) {
  EXPECT_EQ(classify(0.0, 0.35, 0.0), 'C');
  EXPECT_EQ(classify(0.4, 0.6, 0.0), 'C');
  EXPECT_EQ(classify(0.2, 0.36, 0.1), 'C');
}

Outcome outcome_for_gain(double gain) {
  Iwm iwm;
  iwm.gain = gain;
  return outcome(InfantParams{}, iwm, Interaction{}, 0.01, 0.0);
}

// avoidance = clamp((1 − g)/(1 − g_min), 0, 1), resistance = clamp((g − 1)/(g_max − 1), 0, 1),
// with the defaults g_min = 0.2, g_max = 3.
TEST(Outcome, AvoidanceAndResistanceFromTheSignalGain) {
  EXPECT_EQ(outcome_for_gain(1.0).avoidance, 0.0);
  EXPECT_EQ(outcome_for_gain(1.0).resistance, 0.0);
  EXPECT_NEAR(outcome_for_gain(0.6).avoidance, 0.5, kTol);
  EXPECT_EQ(outcome_for_gain(0.6).resistance, 0.0);
  EXPECT_NEAR(outcome_for_gain(2.0).resistance, 0.5, kTol);
  EXPECT_EQ(outcome_for_gain(2.0).avoidance, 0.0);
  EXPECT_NEAR(outcome_for_gain(0.2).avoidance, 1.0, kTol);
  EXPECT_NEAR(outcome_for_gain(3.0).resistance, 1.0, kTol);
}

TEST(Outcome, AvoidanceAndResistanceAreClampedToTheUnitInterval) {
  EXPECT_EQ(outcome_for_gain(0.1).avoidance, 1.0);  // (1 − 0.1)/0.8 = 1.125
  EXPECT_EQ(outcome_for_gain(0.0).avoidance, 1.0);
  EXPECT_EQ(outcome_for_gain(3.5).resistance, 1.0);  // 2.5/2 = 1.25
  EXPECT_EQ(outcome_for_gain(3.5).avoidance, 0.0);
}

TEST(Outcome, UsesTheScenarioGainRange) {
  InfantParams p;
  p.gain_min = 0.5;
  p.gain_max = 2.0;
  Iwm iwm;
  iwm.gain = 0.75;
  EXPECT_NEAR(outcome(p, iwm, {}, 0, 0).avoidance, 0.5, kTol);
  iwm.gain = 1.5;
  EXPECT_NEAR(outcome(p, iwm, {}, 0, 0).resistance, 0.5, kTol);
}

TEST(Outcome, ReportsTheWorkingModelAndTheInteractionPeriod) {
  Iwm iwm;
  iwm.alpha = 3;
  iwm.beta = 1;
  iwm.gain = 0.5;  // avoidance 0.625
  iwm.fear = 0.1;
  iwm.signal_ruptures = 5.5;
  iwm.signal_time_s = 60;
  iwm.calm_ruptures = 5.5;
  iwm.calm_time_s = 1140;
  Interaction period;
  period.session_s = 1200;
  period.coordinated_s = 300;
  period.repairs = 50;
  period.sessions = 4;
  period.synchrony_sum = 2.0;
  period.episodes = 17;
  period.shocks = 3;
  const Outcome o = outcome(InfantParams{}, iwm, period, 0.03, 0.125);
  EXPECT_NEAR(o.availability, 0.75, kTol);
  EXPECT_NEAR(o.unpredictability, 0.5625, kTol);  // (4·0.75·0.25)²
  EXPECT_NEAR(o.rejection_contingency, 9.0 / 11.0, kTol);
  EXPECT_EQ(o.signal_gain, 0.5);
  EXPECT_EQ(o.fear, 0.1);
  EXPECT_EQ(o.disorganization, 0.1);
  EXPECT_EQ(o.regulation, 0.03);
  EXPECT_NEAR(o.avoidance, 0.625, kTol);
  EXPECT_EQ(o.classification, 'A');
  EXPECT_EQ(o.shocks, 3);
  EXPECT_EQ(o.episodes, 17);
  EXPECT_NEAR(o.coordinated_fraction, 0.25, kTol);
  EXPECT_NEAR(o.repairs_per_min, 2.5, kTol);  // 50 repairs in 20 minutes
  EXPECT_NEAR(o.synchrony, 0.5, kTol);
  EXPECT_EQ(o.cortisol, 0.125);
}

TEST(Outcome, AnEmptyPeriodGivesZeroRatesNotNaN) {
  const Outcome o = outcome(InfantParams{}, Iwm{}, Interaction{}, 0.01, 0.0);
  EXPECT_EQ(o.coordinated_fraction, 0.0);
  EXPECT_EQ(o.repairs_per_min, 0.0);
  EXPECT_EQ(o.synchrony, 0.0);
  EXPECT_EQ(o.availability, 0.5);
  EXPECT_EQ(o.unpredictability, 1.0);
  EXPECT_EQ(o.classification, 'B');
}

TEST(OutcomeFields, NamesAreUniqueAndGettersReadTheirOwnField) {
  Outcome o;
  o.availability = 0.1;
  o.signal_gain = 1.7;
  o.shocks = 42;
  o.classification = 'C';
  o.cortisol = 0.9;
  std::set<std::string> names;
  for (const auto& f : outcome_fields()) {
    EXPECT_TRUE(names.insert(std::string(f.name)).second) << f.name;
    EXPECT_FALSE(f.meaning.empty()) << f.name;
  }
  auto get = [&](std::string_view name) {
    for (const auto& f : outcome_fields())
      if (f.name == name) return f.get(o);
    ADD_FAILURE() << "no outcome field " << name;
    return -1.0;
  };
  EXPECT_EQ(get("availability"), 0.1);
  EXPECT_EQ(get("signal_gain"), 1.7);
  EXPECT_EQ(get("shocks"), 42.0);
  EXPECT_EQ(get("classification"), static_cast<double>('C'));
  EXPECT_EQ(get("cortisol"), 0.9);
}

TEST(Classes, AreTheFourInReportingOrder) {
  const auto c = classes();
  ASSERT_EQ(c.size(), 4u);
  EXPECT_EQ(std::string({c[0].letter, c[1].letter, c[2].letter, c[3].letter}), "BACD");
}

}  // namespace
}  // namespace attune::reference
