// Statistical checks of the step dynamics (MODEL.md steps 1, 3 and 5) on step traces, with fixed
// seeds and tolerances of five standard errors of the estimate at hand.
#include <gtest/gtest.h>

#include <cmath>

#include "support/dyad_harness.hpp"
#include "support/stats.hpp"

namespace attune::test {
namespace {

using reference::StepRecord;

constexpr double kSigmas = 5.0;

// --- Arousal of the uncoupled infant: an Ornstein–Uhlenbeck process under Euler's scheme ----

// With no stressors, soothing, intrusion or fear, and r fixed, x ← (1 − r·dt)·x + σ√dt·N: an
// AR(1) whose stationary variance is σ²·dt/(1 − (1 − r·dt)²), close to the continuous σ²/(2r).
class UncoupledArousal : public ::testing::TestWithParam<double> {};

TEST_P(UncoupledArousal, HasTheStationaryVarianceOfTheEulerScheme) {
  const double dt = GetParam(), r = 0.1, sigma = 0.15;
  DyadSetup setup = quiet_dyad(r);
  setup.infant.infant_noise = sigma;
  setup.schedule.dt = dt;

  // Each session restarts from x = 0; after 60 s (6/r) the start is forgotten (a^(2n) < 1e-5).
  // Sessions are independent, so the per-session means of x² are iid and their spread gives an
  // honest standard error for the autocorrelated steps within them.
  const auto burn_in = static_cast<std::int64_t>(60.0 / dt);
  Moments session_x2, x_all, residual;
  Correlation successive_residuals;
  Moments this_session;
  double previous_x = 0.0, previous_residual = 0.0;
  bool disturbed = false;
  run_dyad(setup, 250, [&](const StepRecord& s) {
    if (s.step == 0) {
      if (this_session.count() > 0) session_x2.add(this_session.mean());
      this_session = Moments{};
      previous_x = 0.0;
    }
    const double e = s.x - (1.0 - r * dt) * previous_x;  // σ√dt·N₃
    residual.add(e);
    if (s.step > 0) successive_residuals.add(previous_residual, e);
    previous_residual = e;
    previous_x = s.x;
    disturbed = disturbed || s.u != 0.0 || s.v != 0.0 || s.fear || s.stressor;
    if (s.step >= burn_in) {
      this_session.add(s.x * s.x);
      x_all.add(s.x);
    }
  });
  session_x2.add(this_session.mean());
  ASSERT_FALSE(disturbed) << "the setup must leave x to noise and self-regulation alone";
  ASSERT_EQ(session_x2.count(), 1000u);

  const double a = 1.0 - r * dt;
  const double stationary = sigma * sigma * dt / (1.0 - a * a);
  EXPECT_NEAR(session_x2.mean(), stationary, kSigmas * session_x2.mean_se());
  EXPECT_NEAR(session_x2.mean(), sigma * sigma / (2 * r), 0.1 * stationary) << "the continuous limit";
  EXPECT_LT(session_x2.mean_se(), 0.01 * stationary) << "too few samples to tell anything";
  // The mean is 0; its standard error inflates by (1 + a)/(1 − a) for the autocorrelation.
  EXPECT_NEAR(x_all.mean(), 0.0,
              kSigmas * std::sqrt(stationary / static_cast<double>(x_all.count()) * (1 + a) / (1 - a)));

  // The innovations are independent N(0, σ²·dt).
  EXPECT_NEAR(residual.mean(), 0.0, kSigmas * residual.mean_se());
  EXPECT_NEAR(residual.variance(), sigma * sigma * dt, kSigmas * residual.variance_se());
  EXPECT_NEAR(successive_residuals.value(), 0.0,
              kSigmas / std::sqrt(static_cast<double>(successive_residuals.count())));
}

INSTANTIATE_TEST_SUITE_P(Dt, UncoupledArousal, ::testing::Values(1.0, 0.5),
                         [](const auto& tp) { return tp.param == 1.0 ? "dt_1s" : "dt_half_s"; });

// --- Engagement with no signal: constant rupture and repair hazards ----------------------------

struct Engagement {
  std::int64_t engaged_steps = 0, ruptures = 0;        // steps that began engaged
  std::int64_t disengaged_steps = 0, repairs = 0;      // steps that began disengaged
  std::int64_t spell_steps = 0, completed_spells = 0;  // disengaged spells, censored at session end
  bool any_signal = false;
};

// x stays exactly 0 (no noise, stressors, soothing or intrusion), so the signal is 0 and the
// hazards are λ_r/60 and μ/60 per s: per step, p = 1 − e^(−hazard·dt).
Engagement watch_engagement(double rupture_rate, double repair_rate, int days) {
  DyadSetup setup = quiet_dyad(0.05);
  setup.caregiver.rupture_rate = rupture_rate;
  setup.caregiver.repair_rate = repair_rate;
  Engagement e;
  std::int64_t spell = 0;
  run_dyad(setup, days, [&](const StepRecord& s) {
    if (s.step == 0) spell = 0;  // a session starts engaged; an open spell was censored
    const bool was_engaged = s.engaged ? !s.repair : s.rupture;
    if (was_engaged) {
      ++e.engaged_steps;
      e.ruptures += s.rupture ? 1 : 0;
    } else {
      ++e.disengaged_steps;
      e.repairs += s.repair ? 1 : 0;
    }
    if (!s.engaged) {
      ++spell;
      ++e.spell_steps;
    } else if (spell > 0) {
      ++e.completed_spells;
      spell = 0;
    }
    e.any_signal = e.any_signal || s.signal != 0.0;
  });
  return e;
}

class NoSignalEngagement : public ::testing::TestWithParam<double> {};

TEST_P(NoSignalEngagement, RepairAndRuptureFollowTheirConstantHazards) {
  const double mu = GetParam(), lambda = 6.0, dt = 1.0;
  const Engagement e = watch_engagement(lambda, mu, 500);
  ASSERT_FALSE(e.any_signal);

  const double p_repair = -std::expm1(-mu / 60.0 * dt);
  const double p_rupture = -std::expm1(-lambda / 60.0 * dt);
  auto binomial_se = [](double p, std::int64_t n) { return std::sqrt(p * (1 - p) / static_cast<double>(n)); };
  EXPECT_NEAR(static_cast<double>(e.repairs) / static_cast<double>(e.disengaged_steps), p_repair,
              kSigmas * binomial_se(p_repair, e.disengaged_steps));
  EXPECT_NEAR(static_cast<double>(e.ruptures) / static_cast<double>(e.engaged_steps), p_rupture,
              kSigmas * binomial_se(p_rupture, e.engaged_steps));

  // Disengaged spells are geometric with mean dt/p ≈ 60/μ s. Spells still open at a session's
  // end are censored: the estimate is all disengaged time over completed spells (the MLE).
  ASSERT_GT(e.completed_spells, 5000);
  const double mean_spell = static_cast<double>(e.spell_steps) * dt / static_cast<double>(e.completed_spells);
  const double expected = dt / p_repair;
  const double se = expected * std::sqrt(1 - p_repair) / std::sqrt(static_cast<double>(e.completed_spells));
  EXPECT_NEAR(mean_spell, expected, kSigmas * se);
  if (mu * dt / 60.0 < 0.05) {
    EXPECT_NEAR(mean_spell, 60.0 / mu, 0.05 * 60.0 / mu) << "the continuous limit";
  }
}

// μ = 2/min: slow repair, mean spell ≈ 30 s. μ = 30/min: p = 1 − e^(−0.5) per step, a mean of
// 2.54 s rather than 60/μ = 2 s, which tells the exact per-step probability from μ·dt/60.
INSTANTIATE_TEST_SUITE_P(RepairRate, NoSignalEngagement, ::testing::Values(2.0, 30.0),
                         [](const auto& tp) { return tp.param == 2.0 ? "slow_repair" : "fast_repair"; });

// --- Stressors ----------------------------------------------------------------------------------

struct StressorCase {
  const char* name;
  double rate;  // per min
  double dt;
  int days;
};

void PrintTo(const StressorCase& c, std::ostream* os) { *os << c.name; }

class StressorCounts : public ::testing::TestWithParam<StressorCase> {};

// Per step a stressor hits with p = 1 − e^(−λ_s·dt/60): over N steps the count is Binomial(N, p).
// Its size is J₀·Exp(1): with x otherwise still and r·dt removed from it in the same step, the
// jump is x_k/(1 − r·dt) − x_{k−1}.
TEST_P(StressorCounts, AreBinomialWithTheExactPerStepProbabilityAndExponentialSizes) {
  const StressorCase c = GetParam();
  const double r = 0.05, size = 1.5;
  DyadSetup setup = quiet_dyad(r);
  setup.infant.stressor_rate = c.rate;
  setup.infant.stressor_size = size;
  setup.schedule.dt = c.dt;
  std::int64_t steps = 0, hits = 0;
  Moments jump;
  double previous_x = 0.0;
  run_dyad(setup, c.days, [&](const StepRecord& s) {
    if (s.step == 0) previous_x = 0.0;
    ++steps;
    if (s.stressor) {
      ++hits;
      jump.add(s.x / (1.0 - r * c.dt) - previous_x);
    }
    previous_x = s.x;
  });
  const auto n = static_cast<double>(steps);
  ASSERT_EQ(n, c.days * 4 * 300 / c.dt);
  const double p = -std::expm1(-c.rate * c.dt / 60.0);
  EXPECT_NEAR(static_cast<double>(hits), n * p, kSigmas * std::sqrt(n * p * (1 - p)));
  EXPECT_NEAR(jump.mean(), size, kSigmas * size / std::sqrt(static_cast<double>(jump.count())));
  EXPECT_NEAR(jump.variance(), size * size, kSigmas * jump.variance_se());
}

// At 30 per min and dt = 1 s, p = 1 − e^(−0.5) = 0.39 against λ·dt/60 = 0.5: only the exact
// probability passes.
INSTANTIATE_TEST_SUITE_P(Rates, StressorCounts,
                         ::testing::Values(StressorCase{"default_rate", 1.0, 1.0, 100},
                                           StressorCase{"thirty_per_min", 30.0, 1.0, 50},
                                           StressorCase{"quarter_second_steps", 6.0, 0.25, 25}),
                         [](const auto& tp) { return std::string(tp.param.name); });

}  // namespace
}  // namespace attune::test
