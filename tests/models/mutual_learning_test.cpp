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
  learn_from_episode(p, Episode{true, false, false, false, 30.0}, wm, infant);
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
// up = 1 + 2·0.131096512 = 1.262193024, down = 1 − 2·0.24 = 0.52; up·down < 1, so deactivation
// is the stronger pressure and g* = 0.52; g = 1.2 + 0.05(0.52 − 1.2) = 1.166.
TEST(MutualLearning, RejectedEpisodeMovesTowardDeactivation) {
  const InfantParams p;
  WorkingModel wm{0.8, 0.1, 0.2, 1.2, 0.0};
  Infant infant;
  infant.regulation = 0.02;
  infant.regulation_cap = 0.05;
  infant.sensitization = 0.1;
  learn_from_episode(p, Episode{false, false, true, false, 30.0}, wm, infant);
  EXPECT_NEAR(wm.expectation, 0.76, kTol);
  EXPECT_NEAR(wm.unpredictability, 0.127, kTol);
  EXPECT_NEAR(wm.rejection, 0.24, kTol);
  EXPECT_NEAR(unpredictability_scale(wm.unpredictability), 0.131096512, kTol);
  EXPECT_NEAR(wm.gain, 1.166, kTol);
  EXPECT_EQ(infant.regulation, 0.02) << "no co-regulation without a response";
  // Unrepaired distress sensitizes the HPA axis: S ← S + η_S(1 − S) = 0.1 + 0.02·0.9.
  EXPECT_NEAR(infant.sensitization, 0.118, kTol);
}

// An answered episode that frightened teaches that comfort did not come.
TEST(MutualLearning, FrightenedResponseCountsAsNoComfort) {
  const InfantParams p;
  WorkingModel a, b;
  Infant ia, ib;
  learn_from_episode(p, Episode{true, true, false, false, 30.0}, a, ia);
  learn_from_episode(p, Episode{false, false, false, false, 30.0}, b, ib);
  EXPECT_EQ(a.expectation, b.expectation);
  EXPECT_EQ(a.gain, b.gain);
}

// Rejection and unpredictability together do not cancel into security (Main 1990: the two
// conditional strategies are alternatives). Spread 0.6 gives up = 1 + 2·0.6 = 2.2, pressure 0.3
// gives down = 1 − 2·0.3 = 0.4; the product 0.88 (avoidance 0.15: "secure") was the old target.
// Now the stronger pull wins: ln 2.2 = 0.79 < −ln 0.4 = 0.92, so g* = 0.4 (avoidance 0.75). With
// the pressure at 0.2 (down 0.6, −ln 0.6 = 0.51) hyperactivation wins: g* = 2.2.
TEST(MutualLearning, ConflictingPressuresDoNotCancel) {
  const InfantParams p;
  EXPECT_NEAR(strategy_target(p, 0.6, 0.3), 0.4, kTol);
  EXPECT_NEAR(strategy_target(p, 0.6, 0.2), 2.2, kTol);
  EXPECT_NEAR(strategy_target(p, 0.0, 0.0), 1.0, kTol);
  EXPECT_NEAR(strategy_target(p, 1.0, 0.0), p.gain_max, kTol);
  EXPECT_NEAR(strategy_target(p, 0.0, 0.9), p.gain_min, kTol);
}

// An episode that ended on its own, unanswered, before the response window was over says nothing
// about the caregiver's comfort: no learning (censored). It still sensitizes the HPA axis, as any
// unanswered distress does. The same episode lasting past the window counts as no comfort.
TEST(MutualLearning, BriefUnansweredEpisodeIsCensored) {
  const InfantParams p;
  const WorkingModel start{0.7, 0.2, 0.1, 1.1, 0.0};
  WorkingModel brief = start, long_one = start;
  Infant ib, il;
  learn_from_episode(p, Episode{false, false, false, false, p.response_window_s - 1.0}, brief, ib);
  learn_from_episode(p, Episode{false, false, false, false, p.response_window_s}, long_one, il);
  EXPECT_EQ(brief.expectation, start.expectation);
  EXPECT_EQ(brief.unpredictability, start.unpredictability);
  EXPECT_EQ(brief.rejection, start.rejection);
  EXPECT_EQ(brief.gain, start.gain);
  EXPECT_NEAR(ib.sensitization, p.sensitization_rate, kTol);
  EXPECT_NEAR(long_one.expectation, 0.7 - 0.05 * 0.7, kTol);
  // A brief episode with a rejection, a fright or a shock is not censored.
  WorkingModel rejected = start;
  learn_from_episode(p, Episode{false, false, true, false, 5.0}, rejected, ib);
  EXPECT_NEAR(rejected.rejection, 0.1 + 0.05 * 0.9, kTol);
  EXPECT_TRUE(censored(p, Episode{false, false, false, false, 5.0}));
  EXPECT_FALSE(censored(p, Episode{true, false, false, false, 5.0}));
  EXPECT_FALSE(censored(p, Episode{false, true, false, false, 5.0}));
  EXPECT_FALSE(censored(p, Episode{false, false, false, true, 5.0}));
}

// The strategy uses its whole range: reliably rejected bids drive g to g_min (avoidance 1);
// comfort that comes half the time at random drives it to g_max (resistance 1).
TEST(MutualLearning, StrategyReachesBothEnds) {
  const InfantParams p;
  WorkingModel rejected, coin;
  Infant infant;
  for (int k = 0; k < 400; ++k) {
    learn_from_episode(p, Episode{false, false, true, false, 30.0}, rejected, infant);
    learn_from_episode(p, Episode{k % 2 == 0, false, false, false, 30.0}, coin, infant);
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
