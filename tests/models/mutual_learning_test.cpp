// The `mutual` model's learning rules (MODEL2.md §7.6–7.7) against values worked out by hand and
// checked with 30-digit arithmetic: the parts of the model with exact answers.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "models/mutual/dyad.hpp"
#include "support/mutual_harness.hpp"

namespace attune::mutual {
namespace {

constexpr double kTol = 1e-14;

// From birth (E = 0.5, V = 0.25: maximal uncertainty, R = 0, g = 1) one answered episode:
// δ = 0.5, E = 0.525, V = 0.25 + 0.05(0.25 − 0.25) = 0.25, so the unpredictability scale is 1,
// the pressure max(R, (1 − E)(1 − 1)) = 0 and the target g* = (1 + 1·2·1)(1 − 0) = 3:
// g = 1 + 0.05·(3 − 1) = 1.1. A newborn whose comfort is still uncertain signals more.
TEST(MutualLearning, AnsweredEpisodeFromBirth) {
  const InfantParams p;
  WorkingModel wm;
  Infant infant;
  infant.regulation = 0.01;
  infant.regulation_cap = 0.05;
  learn_from_episode(p, Episode{true, false, false, false}, wm, infant);
  EXPECT_NEAR(wm.expectation, 0.525, kTol);
  EXPECT_NEAR(wm.unpredictability, 0.25, kTol);
  EXPECT_EQ(wm.rejection, 0.0);
  EXPECT_NEAR(wm.gain, 1.1, kTol);
  EXPECT_EQ(wm.fear, 0.0) << "fear is learned from frightening behaviour, not from episodes";
  // Co-regulated: r ← r + η_r(r_cap − r) = 0.01 + 0.003·0.04; no sensitization.
  EXPECT_NEAR(infant.regulation, 0.01012, kTol);
  EXPECT_EQ(infant.sensitization, 0.0);
}

// From E = 0.8, V = 0.1, R = 0.2, g = 1.2, an unanswered episode in which the caregiver turned
// away: δ = −0.8, E = 0.76, V = 0.1 + 0.05(0.64 − 0.1) = 0.127, R = 0.2 + 0.05·0.8 = 0.24;
// scale (4·0.127)³ = 0.131096512; pressure max(0.24, 0.24·(1 − 0.131096512)) = 0.24;
// g* = (1 + 2·0.131096512)(1 − 2·0.24) = 0.65634037248; g = 1.2 + 0.05(g* − 1.2).
TEST(MutualLearning, RejectedEpisodeMovesTowardDeactivation) {
  const InfantParams p;
  WorkingModel wm{0.8, 0.1, 0.2, 1.2, 0.0};
  Infant infant;
  infant.regulation = 0.02;
  infant.regulation_cap = 0.05;
  infant.sensitization = 0.1;
  learn_from_episode(p, Episode{false, false, true, false}, wm, infant);
  EXPECT_NEAR(wm.expectation, 0.76, kTol);
  EXPECT_NEAR(wm.unpredictability, 0.127, kTol);
  EXPECT_NEAR(wm.rejection, 0.24, kTol);
  EXPECT_NEAR(unpredictability_scale(wm.unpredictability), 0.131096512, kTol);
  EXPECT_NEAR(wm.gain, 1.172817018624, kTol);
  EXPECT_EQ(infant.regulation, 0.02) << "no co-regulation without a response";
  // Unrepaired distress sensitizes the HPA axis: S ← S + η_S(1 − S) = 0.1 + 0.02·0.9.
  EXPECT_NEAR(infant.sensitization, 0.118, kTol);
}

// An answered episode that frightened teaches that comfort did not come.
TEST(MutualLearning, FrightenedResponseCountsAsNoComfort) {
  const InfantParams p;
  WorkingModel a, b;
  Infant ia, ib;
  learn_from_episode(p, Episode{true, true, false, false}, a, ia);
  learn_from_episode(p, Episode{false, false, false, false}, b, ib);
  EXPECT_EQ(a.expectation, b.expectation);
  EXPECT_EQ(a.gain, b.gain);
}

// The strategy uses its whole range: reliably rejected bids drive g to g_min (avoidance 1);
// comfort that comes half the time at random drives it to g_max (resistance 1).
TEST(MutualLearning, StrategyReachesBothEnds) {
  const InfantParams p;
  WorkingModel rejected, coin;
  Infant infant;
  for (int k = 0; k < 400; ++k) {
    learn_from_episode(p, Episode{false, false, true, false}, rejected, infant);
    learn_from_episode(p, Episode{k % 2 == 0, false, false, false}, coin, infant);
  }
  EXPECT_NEAR(rejected.gain, p.gain_min, 1e-6);
  EXPECT_GT(coin.gain, 0.97 * p.gain_max);
}

// Learned fear: each second of frightening behaviour F ← F + η_F(1 − F); each day's end
// F ← F(1 − δ_F). With n such seconds on day 0, F = (1 − (1 − η_F)^n)(1 − δ_F) after it.
TEST(MutualLearning, FearGrowsPerFrighteningSecondAndFadesDaily) {
  InfantParams p;
  CaregiverParams cg;
  cg.unresolved = 1.0;
  cg.baseline_stress = 0.6;
  int fr_seconds = 0;
  const auto d =
      test::run_mutual_dyad(p, cg, 1, 3, 0, [&](const StepRecord& r) { fr_seconds += r.fr ? 1 : 0; });
  ASSERT_GT(fr_seconds, 5);
  const double expected = (1.0 - std::pow(1.0 - p.fear_rate, fr_seconds)) * (1.0 - p.fear_forgetting_per_day);
  EXPECT_NEAR(d.relationship.wm.fear, expected, 1e-12);
}

}  // namespace
}  // namespace attune::mutual
