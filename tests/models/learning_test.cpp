// The end-of-episode learning rule of MODEL.md, against values worked out by hand (and checked
// with 30-digit arithmetic): the part of the model with exact answers.
#include <gtest/gtest.h>

#include "models/reference/dyad.hpp"

namespace attune::reference {
namespace {

constexpr double kTol = 1e-14;

struct Learned {
  Iwm iwm;
  double regulation;
};

Learned learn(Iwm iwm, bool responded, bool frightened, bool shock, double regulation = 0.01) {
  learn_from_episode(InfantParams{}, responded, frightened, shock, iwm, regulation);
  return {iwm, regulation};
}

// From birth (α = β = 1, no contingency evidence, so R = 0), one responded episode:
// α = 0.98 + 1, β = 0.98, p̂ = 99/148, U = (4p̂(1−p̂))² = 0.784757852980614,
// P = (1−p̂)(1−U) = 0.0712626027293914, g* = (1+U)(1−1.5P) = 1.59397811821294,
// g = 1 + 0.05(g* − 1).
TEST(LearnFromEpisode, RespondedFromBirthUpdatesBetaCountsAndGain) {
  const Learned r = learn(Iwm{}, true, false, false);
  EXPECT_NEAR(r.iwm.alpha, 1.98, kTol);
  EXPECT_NEAR(r.iwm.beta, 0.98, kTol);
  EXPECT_NEAR(r.iwm.alpha / (r.iwm.alpha + r.iwm.beta), 99.0 / 148.0, kTol);
  EXPECT_NEAR(r.iwm.gain, 1.02969890591064676, kTol);
  EXPECT_EQ(r.iwm.fear, 0.0);
  // Co-regulated: r ← r + η_r(r_max − r) = 0.01 + 0.002·0.04.
  EXPECT_NEAR(r.regulation, 0.01008, kTol);
}

// Known rejection contingency R = 9/11: signalling ruptures 5.5 in 60 s give (5.5+0.5)/(60+60)
// = 0.05 per s; calm ruptures 5.5 in 1140 s give 6/1200 = 0.005; R = 0.045/0.055. Unanswered:
// p̂ = 0.98/2.96, P = max(R, (1−p̂)(1−U)) = R, g* = (1+U)(1 − 1.5·9/11) < g_min, so g* = 0.2 and
// g = 1 + 0.05(0.2 − 1) = 0.96.
TEST(LearnFromEpisode, RejectionDrivesGainTowardItsFloor) {
  Iwm iwm;
  iwm.signal_ruptures = 5.5;
  iwm.signal_time_s = 60;
  iwm.calm_ruptures = 5.5;
  iwm.calm_time_s = 1140;
  const Learned r = learn(iwm, false, false, false);
  EXPECT_NEAR(r.iwm.alpha, 0.98, kTol);
  EXPECT_NEAR(r.iwm.beta, 1.98, kTol);
  EXPECT_NEAR(r.iwm.gain, 0.96, kTol);
  EXPECT_EQ(r.regulation, 0.01) << "regulation grows only after a response";
  // The learning rule reads the accumulators; it does not change them.
  EXPECT_EQ(r.iwm.signal_ruptures, 5.5);
  EXPECT_EQ(r.iwm.calm_time_s, 1140);
}

// R = 0.2 (signalling rate 3/120, calm rate 2/120) exceeds (1−p̂)(1−U) = 0.0713, so P = 0.2 and
// g* = (1+U)(1 − 0.3) = 1.24933049708643, unclamped; g = 1 + 0.05(g* − 1).
TEST(LearnFromEpisode, GainMovesPartWayToAnUnclampedTarget) {
  Iwm iwm;
  iwm.signal_ruptures = 2.5;
  iwm.signal_time_s = 60;
  iwm.calm_ruptures = 1.5;
  iwm.calm_time_s = 60;
  const Learned r = learn(iwm, true, false, false);
  EXPECT_NEAR(r.iwm.gain, 1.01246652485432148, kTol);
  // From a gain other than 1: g ← g + η_g(g* − g).
  iwm.gain = 2.0;
  EXPECT_NEAR(learn(iwm, true, false, false).iwm.gain, 2.0 + 0.05 * (1.24933049708642961 - 2.0), kTol);
}

TEST(LearnFromEpisode, GainTargetIsCappedAtGainMax) {
  // p̂ = 1/2 after the update gives U = 1 and P = max(0, 0.5·0) = 0, so g* = (1 + H)·1 = 2;
  // with H = 4, g* = 5 is capped at g_max = 3.
  InfantParams p;
  p.hyper = 4.0;
  Iwm iwm;
  iwm.alpha = 0.0;  // 0.98·0 + 1 = 1 = 0.98·(1/0.98) + 0
  iwm.beta = 1.0 / 0.98;
  double regulation = 0.01;
  learn_from_episode(p, true, false, false, iwm, regulation);
  EXPECT_NEAR(iwm.alpha / (iwm.alpha + iwm.beta), 0.5, kTol);
  EXPECT_NEAR(iwm.gain, 1.0 + 0.05 * (3.0 - 1.0), kTol);
}

TEST(LearnFromEpisode, ForgettingDiscountsOldEvidence) {
  Iwm iwm;
  iwm.alpha = 10;
  iwm.beta = 5;
  const Learned r = learn(iwm, false, false, false);
  EXPECT_NEAR(r.iwm.alpha, 9.8, kTol);
  EXPECT_NEAR(r.iwm.beta, 5.9, kTol);
}

TEST(LearnFromEpisode, FearLearnsFromFrightOrShock) {
  Iwm iwm;
  iwm.fear = 0.5;
  // F ← (1 − η_f)F + η_f·[fear-flag ∨ shock], η_f = 0.05.
  EXPECT_NEAR(learn(iwm, true, true, false).iwm.fear, 0.525, kTol);
  EXPECT_NEAR(learn(iwm, false, false, true).iwm.fear, 0.525, kTol);
  EXPECT_NEAR(learn(iwm, false, true, true).iwm.fear, 0.525, kTol);
  EXPECT_NEAR(learn(iwm, true, false, false).iwm.fear, 0.475, kTol);
}

TEST(LearnFromEpisode, RegulationGrowsOnlyWhenRespondedWithoutShock) {
  EXPECT_NEAR(learn(Iwm{}, true, false, false, 0.03).regulation, 0.03 + 0.002 * 0.02, kTol);
  EXPECT_NEAR(learn(Iwm{}, true, true, false, 0.03).regulation, 0.03 + 0.002 * 0.02, kTol)
      << "a frightening but responsive episode still co-regulates";
  EXPECT_EQ(learn(Iwm{}, true, false, true, 0.03).regulation, 0.03) << "a shock is not co-regulation";
  EXPECT_EQ(learn(Iwm{}, false, false, false, 0.03).regulation, 0.03);
}

TEST(RejectionContingency, ComparesSignallingAndCalmRuptureRates) {
  Iwm iwm;
  EXPECT_EQ(rejection_contingency(iwm), 0.0) << "no evidence: equal prior rates";
  iwm.signal_ruptures = 5.5;
  iwm.signal_time_s = 60;
  iwm.calm_ruptures = 5.5;
  iwm.calm_time_s = 1140;
  EXPECT_NEAR(rejection_contingency(iwm), 9.0 / 11.0, kTol);
  iwm.calm_ruptures = 2.5;  // calm rate 3/1200 = 0.0025: R = 0.0475/0.0525
  EXPECT_NEAR(rejection_contingency(iwm), 19.0 / 21.0, kTol);
}

TEST(RejectionContingency, IsClampedAtZeroWhenCalmRupturesAreMoreFrequent) {
  Iwm iwm;
  iwm.signal_ruptures = 0;
  iwm.signal_time_s = 1000;  // 0.5/1060
  iwm.calm_ruptures = 10;
  iwm.calm_time_s = 60;  // 10.5/120
  EXPECT_EQ(rejection_contingency(iwm), 0.0);
}

TEST(RejectionContingency, StaysBelowOneAndIsClampedAtOne) {
  Iwm iwm;
  iwm.signal_ruptures = 1000;
  iwm.signal_time_s = 60;
  iwm.calm_time_s = 1e6;
  const double rs = 1000.5 / 120, rc = 0.5 / (1e6 + 60);
  EXPECT_NEAR(rejection_contingency(iwm), (rs - rc) / (rs + rc), kTol);
  EXPECT_LT(rejection_contingency(iwm), 1.0);
  // A zero calm rate is the limit R = 1; a negative one (never produced by the model) would give
  // a raw value above 1, which the clamp holds at 1.
  iwm.calm_ruptures = -0.5;
  EXPECT_EQ(rejection_contingency(iwm), 1.0);
  iwm.calm_ruptures = -0.75;
  EXPECT_EQ(rejection_contingency(iwm), 1.0);
}

// Between sessions: z ← (z + z₁·G/τ)·e^(−G/τ), z₁ ← z₁·e^(−G/τ).
TEST(DecayCortisol, MatchesTheClosedForm) {
  double z1 = 0.2, z = 0.3;
  decay_cortisol(z1, z, 600, 1200);
  EXPECT_NEAR(z, 0.242612263885053369, kTol);
  EXPECT_NEAR(z1, 0.121306131942526685, kTol);

  z1 = 0.2, z = 0.3;
  decay_cortisol(z1, z, 20700, 1200);  // the default gap: 86400/4 − 300 s
  EXPECT_NEAR(z, 1.20907002647127499e-7, 1e-20);
  EXPECT_NEAR(z1, 6.44837347451346662e-9, 1e-22);

  z1 = 0.2, z = 0.3;
  decay_cortisol(z1, z, 0, 1200);
  EXPECT_EQ(z, 0.3);
  EXPECT_EQ(z1, 0.2);
}

// The closed form is the exact solution of the input-free cascade z₁' = −z₁/τ, z' = (z₁ − z)/τ;
// a fine Runge–Kutta integration of that ODE must agree with it.
TEST(DecayCortisol, SolvesTheInputFreeCascade) {
  const double tau = 300, gap = 900;
  double y1 = 1.5, y = 0.25;  // z₁, z
  const int n = 90000;
  const double h = gap / n;
  auto f = [tau](double a1, double a) { return std::pair{-a1 / tau, (a1 - a) / tau}; };
  for (int i = 0; i < n; ++i) {
    const auto [k1a, k1b] = f(y1, y);
    const auto [k2a, k2b] = f(y1 + h / 2 * k1a, y + h / 2 * k1b);
    const auto [k3a, k3b] = f(y1 + h / 2 * k2a, y + h / 2 * k2b);
    const auto [k4a, k4b] = f(y1 + h * k3a, y + h * k3b);
    y1 += h / 6 * (k1a + 2 * k2a + 2 * k3a + k4a);
    y += h / 6 * (k1b + 2 * k2b + 2 * k3b + k4b);
  }
  double z1 = 1.5, z = 0.25;
  decay_cortisol(z1, z, gap, tau);
  EXPECT_NEAR(z1, y1, 1e-12);
  EXPECT_NEAR(z, y, 1e-12);
}

}  // namespace
}  // namespace attune::reference
