// The fast dynamics of the `mutual` model (MODEL2.md §7.2–7.4): bounded, saturating arousal;
// frightened/frightening behaviour that rises gradually with dysregulation and unresolved trauma;
// sensitivity shaping what the infant learns to expect; the caregiver's state of mind shaping
// care; self-regulation that grows through co-regulation and differs between infants.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "models/mutual/dyad.hpp"
#include "support/mutual_harness.hpp"

namespace attune::mutual {
namespace {

TEST(MutualArousal, StaysWithinItsBoundsUnderExtremeInput) {
  InfantParams p;
  p.stressor_rate = 30;
  p.stressor_size = 50;
  p.fright_input = 1.0;
  p.mismatch_stress = 5.0;
  p.infant_noise = 0.5;
  CaregiverParams cg;
  cg.fr_max = 1.0;
  cg.unresolved = 1.0;
  cg.baseline_stress = 0.9;
  cg.caregiver_noise = 0.5;
  cg.contagion = 5.0;
  double peak = 0, trough = 1;
  std::size_t steps = 0, frightened = 0;
  test::run_mutual_dyad(p, cg, 3, 2, 0, [&](const StepRecord& r) {
    ASSERT_TRUE(r.x >= 0.0 && r.x <= 1.0) << r.x;
    ASSERT_TRUE(r.y >= 0.0 && r.y <= 1.0) << r.y;
    ASSERT_TRUE(std::isfinite(r.z) && std::isfinite(r.z1));
    peak = std::max(peak, r.x);
    trough = std::min(trough, r.x);
    frightened += r.fr ? 1 : 0;
    ++steps;
  });
  EXPECT_GT(frightened, steps / 4) << "the check needs much frightening behaviour";
  EXPECT_LE(peak, 1.0);
  EXPECT_GE(trough, 0.0);
}

// With nothing else happening, a second of fright closes the share φ of the gap to 1: the
// arousal after n seconds of it from x₀ is 1 − (1 − x₀)(1 − φ)^n (regulation switched off).
TEST(MutualArousal, FrightSaturates) {
  InfantParams p;
  p.stressor_rate = 0;
  p.infant_noise = 0;
  p.mismatch_stress = 0;
  p.regulation_initial = p.regulation_max = 0;
  p.avert_regulation = 0;
  p.temperament_sd = 0;
  p.shock_s = 1e9;
  CaregiverParams cg;
  cg.fr_max = 1.0;
  cg.fr_threshold = -10;  // frightening in (almost) every second
  cg.soothing_gain = 0;
  cg.own_agenda_rate = 0;
  cg.sensitivity = 0;
  std::vector<StepRecord> trace;
  test::run_mutual_dyad(p, cg, 1, 4, 0, [&](const StepRecord& r) {
    if (r.session == 0) trace.push_back(r);
  });
  double x = 0;
  for (const StepRecord& r : trace) {
    if (r.fr) x = 1.0 - (1.0 - x) * (1.0 - p.fright_input);
    ASSERT_NEAR(r.x, x, 1e-12) << "step " << r.step;
  }
  EXPECT_LT(trace.back().x, 1.0 + 1e-15);
}

TEST(MutualFrightening, RisesMonotonicallyAndGraduallyWithDysregulationAndTrauma) {
  CaregiverParams c;
  double previous_u = -1;
  for (double u = 0; u <= 1.0001; u += 0.1) {
    c.unresolved = u;
    double previous = -1, biggest_jump = 0;
    for (double y = 0; y <= 1.0001; y += 0.02) {
      const double pr = fr_probability(c, y);
      EXPECT_GT(pr, previous) << "u " << u << " y " << y;
      EXPECT_LE(pr, c.fr_max);
      if (previous >= 0) biggest_jump = std::max(biggest_jump, pr - previous);
      previous = pr;
    }
    // Gradual: no step of 0.02 in dysregulation adds more than 7% of the maximum.
    EXPECT_LT(biggest_jump, 0.07 * c.fr_max) << "u " << u;
    const double at_rest = fr_probability(c, 0.2);
    EXPECT_GT(at_rest, previous_u);
    previous_u = at_rest;
  }
  c.unresolved = 0;
  c.anomalous = 0;
  EXPECT_LT(fr_probability(c, 0.2), 0.001 * c.fr_max * 2) << "rare for a resolved caregiver at rest";
}

// Anomalous caregiving (AMBIANCE; Madigan et al. 2006) shifts the logit by β_a·a whatever her
// state of mind: an autonomous caregiver's buffer holds back unresolved loss, not this.
TEST(MutualFrightening, AnomalousCaregivingShiftsFrighteningBehaviourUnbuffered) {
  CaregiverParams c;
  c.dismissing = 0;
  c.preoccupied = 0;
  c.unresolved = 0.9;  // fully buffered
  c.fr_anomalous = 12.0;
  const double y = 0.4;
  const auto expected = [&](double a) {
    return c.fr_max / (1.0 + std::exp(-(c.fr_slope * (y - c.fr_threshold) + c.fr_anomalous * a)));
  };
  for (double a : {0.0, 0.25, 0.5, 1.0}) {
    c.anomalous = a;
    EXPECT_NEAR(fr_probability(c, y), expected(a), 1e-15) << "a " << a;
  }
  c.anomalous = 0.5;
  const double autonomous = fr_probability(c, y);
  c.dismissing = 0.6;
  EXPECT_GT(fr_probability(c, y), autonomous) << "insecurity adds the unresolved term on top";
  c.fr_anomalous = 0;
  c.dismissing = 0;
  c.anomalous = 1.0;
  EXPECT_DOUBLE_EQ(fr_probability(c, y), expected(0.0)) << "β_a = 0 switches the route off";
}

// Only arousal above her resting level lowers her care: her usual load is already in her rated
// sensitivity (MODEL2.md §7.2).
TEST(MutualCare, OnlyArousalAboveHerRestingLevelLowersHerCare) {
  CaregiverParams c;
  c.baseline_stress = 0.3;
  EXPECT_DOUBLE_EQ(care_load(c, 0.0), 0.0);
  EXPECT_DOUBLE_EQ(care_load(c, 0.3), 0.0);
  EXPECT_DOUBLE_EQ(care_load(c, 0.55), 0.55 - 0.3);
  EXPECT_DOUBLE_EQ(care_load(c, 1.0), 0.7);
  c.baseline_stress = 0.0;
  EXPECT_DOUBLE_EQ(care_load(c, 0.42), 0.42);
}

// Schuengel et al. (1999): unresolved loss raised frightening behaviour only in mothers whose
// state of mind was otherwise insecure. Her insecurity n = 1 − (1 − d)(1 − p) weights β_u·u.
TEST(MutualFrightening, AnAutonomousStateOfMindBuffersUnresolvedLoss) {
  CaregiverParams c;
  c.fr_unresolved = 30.0;
  c.anomalous = 0;  // anomalous caregiving adds β_a·a unbuffered; this test is about u alone
  c.dismissing = 0;
  c.preoccupied = 0;
  const double y = 0.3;
  c.unresolved = 0;
  const double resolved = fr_probability(c, y);
  c.unresolved = 0.9;
  EXPECT_DOUBLE_EQ(fr_probability(c, y), resolved) << "fully autonomous: u does not matter";
  const auto expected = [&](double weight) {
    return c.fr_max /
           (1.0 + std::exp(-(c.fr_slope * (y - c.fr_threshold) + c.fr_unresolved * weight * c.unresolved)));
  };
  c.dismissing = 0.5;
  c.preoccupied = 0.2;  // n = 1 − 0.5·0.8 = 0.6
  EXPECT_NEAR(fr_probability(c, y), expected(0.6), 1e-15);
  c.fr_secure_buffer = 0.5;  // w = 1 − 0.5·(1 − 0.6) = 0.8
  EXPECT_NEAR(fr_probability(c, y), expected(0.8), 1e-15);
  c.fr_secure_buffer = 0;  // no buffering: the formula before December 2026
  c.dismissing = 0;
  c.preoccupied = 0;
  EXPECT_NEAR(fr_probability(c, y), expected(1.0), 1e-15);
  // More insecurity, more frightening behaviour, for the same loss.
  c.fr_secure_buffer = 1;
  double previous = -1;
  for (double d = 0; d <= 1.0001; d += 0.1) {
    c.dismissing = d;
    const double pr = fr_probability(c, y);
    EXPECT_GT(pr, previous) << "d " << d;
    previous = pr;
  }
}

// In simulation: frightening behaviour per hour rises with unresolved trauma and with the
// caregiver's resting dysregulation.
TEST(MutualFrightening, RateRisesWithTraumaAndStressInSimulation) {
  const InfantParams p;
  auto rate = [&](double u, double b) {
    CaregiverParams c;
    c.unresolved = u;
    c.baseline_stress = b;
    double sum = 0;
    for (std::uint64_t id = 0; id < 6; ++id)
      sum += test::run_mutual_dyad(p, c, 10, 21, id).outcome.fr_per_hour;
    return sum / 6;
  };
  const double r0 = rate(0.0, 0.2), r1 = rate(0.5, 0.2), r2 = rate(1.0, 0.2);
  EXPECT_LT(r0, r1);
  EXPECT_LT(r1, r2);
  EXPECT_LT(rate(0.0, 0.5), rate(0.0, 0.7));
  EXPECT_LT(r0, rate(0.0, 0.5));
}

// In simulation: anomalous caregiving raises frightening behaviour, and with it the infant's
// fear, in an autonomous caregiver too.
TEST(MutualFrightening, AnomalousCaregivingFrightensAndTeachesFearInSimulation) {
  const InfantParams p;
  auto run = [&](double a) {
    CaregiverParams c;
    c.dismissing = 0;
    c.preoccupied = 0;
    c.unresolved = 0;
    c.anomalous = a;
    double fr = 0, fear = 0;
    for (std::uint64_t id = 0; id < 6; ++id) {
      const auto o = test::run_mutual_dyad(p, c, 10, 23, id).outcome;
      fr += o.fr_per_hour / 6;
      fear += o.fear / 6;
    }
    return std::pair{fr, fear};
  };
  const auto [fr0, fear0] = run(0.0);
  const auto [fr1, fear1] = run(0.4);
  const auto [fr2, fear2] = run(0.8);
  EXPECT_LT(fr0, fr1);
  EXPECT_LT(fr1, fr2);
  EXPECT_LT(fear0, fear2);
}

// Sensitivity shapes the expectation of comfort, gradually: the mean expectation rises with
// every step in sensitivity.
TEST(MutualSensitivity, HigherSensitivityGivesHigherExpectedComfort) {
  const InfantParams p;
  std::vector<double> means;
  for (double s : {0.2, 0.4, 0.6, 0.8}) {
    CaregiverParams c;
    c.sensitivity = s;
    double sum = 0;
    for (std::uint64_t id = 0; id < 12; ++id)
      sum += test::run_mutual_dyad(p, c, 45, 31, id).outcome.expectation;
    means.push_back(sum / 12);
  }
  for (std::size_t k = 1; k < means.size(); ++k)
    EXPECT_GT(means[k], means[k - 1]) << "sensitivity step " << k;
  EXPECT_GT(means.back() - means.front(), 0.2);
}

// The caregiver's state of mind: a dismissing caregiver's infant expects rejection and turns its
// signals down; a preoccupied caregiver's infant learns that comfort is unpredictable and turns
// them up.
TEST(MutualStateOfMind, DismissingAndPreoccupiedCareShapeTheStrategy) {
  const InfantParams p;
  auto mean_outcome = [&](double d, double pre) {
    CaregiverParams c;
    c.dismissing = d;
    c.preoccupied = pre;
    c.unresolved = 0;
    Outcome sum{};
    for (std::uint64_t id = 0; id < 10; ++id) {
      const Outcome o = test::run_mutual_dyad(p, c, 60, 41, id).outcome;
      sum.rejection += o.rejection / 10;
      sum.signal_gain += o.signal_gain / 10;
      sum.unpredictability += o.unpredictability / 10;
    }
    return sum;
  };
  const Outcome autonomous = mean_outcome(0, 0), dismissing = mean_outcome(0.9, 0),
                preoccupied = mean_outcome(0, 0.9);
  EXPECT_GT(dismissing.rejection, autonomous.rejection + 0.2);
  EXPECT_LT(dismissing.signal_gain, autonomous.signal_gain);
  EXPECT_GT(preoccupied.unpredictability, autonomous.unpredictability);
  EXPECT_GT(preoccupied.signal_gain, autonomous.signal_gain);
}

// Self-regulation differs between infants of the same caregiver (temperament) and grows more
// with a caregiver who soothes (co-regulation).
TEST(MutualRegulation, GrowsThroughCoregulationAndDiffersBetweenInfants) {
  const InfantParams p;
  CaregiverParams sensitive, insensitive;
  sensitive.sensitivity = 0.9;
  insensitive.sensitivity = 0.1;
  std::vector<double> gain_s, gain_i;
  double sum = 0, sum2 = 0;
  for (std::uint64_t id = 0; id < 12; ++id) {
    const auto a = test::run_mutual_dyad(p, sensitive, 60, 51, id);
    const auto b = test::run_mutual_dyad(p, insensitive, 60, 51, id);
    // Same infant (same temperament) with the two caregivers: the share of its ceiling reached.
    gain_s.push_back(a.infant.regulation / a.infant.regulation_cap);
    gain_i.push_back(b.infant.regulation / b.infant.regulation_cap);
    sum += a.infant.regulation;
    sum2 += a.infant.regulation * a.infant.regulation;
  }
  for (std::size_t k = 0; k < gain_s.size(); ++k) EXPECT_GT(gain_s[k], gain_i[k]) << "infant " << k;
  const double mean = sum / 12, sd = std::sqrt(sum2 / 12 - mean * mean);
  EXPECT_GT(sd / mean, 0.1) << "infants differ";
}

// Security rises with sensitivity at every step up to s = 0.7, down to the least sensitive
// caregivers (item 2 of the design: "sensitivity predicts security gradually"). Without the
// confidence rule (θ_E = 0) the infant of a very insensitive caregiver, whose two insecure pulls
// balance, was counted B more often than at twice the sensitivity (MODEL2.md §8); since anomalous
// caregiving and the weaker resting dysregulation (3 December 2026) the lenient rule no longer
// reverses the order at these settings (.46 against .48 B), but it still counts nearly half of
// those infants secure.
TEST(MutualSensitivity, SecureShareRisesWithSensitivity) {
  constexpr int infants = 48;
  auto secure_share = [](const InfantParams& p, double s) {
    CaregiverParams c;
    c.sensitivity = s;
    const std::vector<CaregiverParams> caregivers(infants, c);
    int secure = 0;
    for (const auto& d : test::run_mutual_population(p, caregivers, 365, 5))
      secure += d.outcome.classification == 'B' ? 1 : 0;
    return static_cast<double>(secure) / infants;
  };
  const InfantParams p;
  std::vector<double> shares;
  for (double s : {0.15, 0.3, 0.5, 0.7, 0.9}) shares.push_back(secure_share(p, s));
  EXPECT_LE(shares[0], 0.05);
  EXPECT_LE(shares[0], shares[1]);
  for (std::size_t k = 2; k + 1 < shares.size(); ++k) EXPECT_GT(shares[k], shares[k - 1]) << "step " << k;
  // Not asserted: a rise from 0.7 to 0.9. With dismissing held at 0.18 the most sensitive caregiver
  // notices distress more often and so also turns away from it more often; at 600 infants (seed 5)
  // B falls from 78% to 73% and A rises from 11% to 26% (MODEL2.md §8, a known misfit).
  EXPECT_GT(shares.back(), 0.6);

  InfantParams lenient;
  lenient.secure_expectation = 0.0;
  EXPECT_GT(secure_share(lenient, 0.15), shares[0] + 0.3)
      << "without the rule the infants of very insensitive caregivers would be counted secure";
}

}  // namespace
}  // namespace attune::mutual
