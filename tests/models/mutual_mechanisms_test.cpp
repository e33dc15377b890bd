// Mechanisms of the `mutual` model added after the first validation (MODEL2.md §5.4, §7.2, §7.4):
// rejection as the dismissing caregiver's stance rather than a reading, a slower noticing of
// distress than of play, comfort that calms a hyperactivating infant less, and transitions coded on
// a time base whatever dt.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "models/mutual/dyad.hpp"
#include "support/mutual_harness.hpp"

namespace attune::mutual {
namespace {

Outcome mean_outcome(const InfantParams& p, const CaregiverParams& c, int dyads, int days) {
  Outcome sum{};
  for (int id = 0; id < dyads; ++id) {
    const Outcome o = test::run_mutual_dyad(p, c, days, 43, static_cast<std::uint64_t>(id)).outcome;
    sum.rejection += o.rejection / dyads;
    sum.signal_gain += o.signal_gain / dyads;
    sum.avoidance += o.avoidance / dyads;
    sum.responded_share += o.responded_share / dyads;
    sum.expectation += o.expectation / dyads;
  }
  return sum;
}

// A dismissing caregiver turns away from a noticed distress bid with probability d however well
// she reads it (the first version turned away only after a right reading, so that a more
// sensitive dismissing caregiver rejected more consistently). With d = 1 she never starts
// soothing a protesting infant, however sensitive; with d = 0 she does.
TEST(MutualStateOfMind, AFullyDismissingCaregiverNeverStartsSoothingAProtest) {
  const InfantParams p;
  auto starts = [&](double d, std::size_t& turned_away) {
    CaregiverParams c;
    c.dismissing = d;
    c.sensitivity = 0.95;
    std::size_t soothe_starts = 0;
    turned_away = 0;
    InfantState infant = InfantState::attend;
    CareState partner = CareState::attend;
    test::run_mutual_dyad(p, c, 10, 3, 0, [&](const StepRecord& r) {
      if (r.step > 0 && infant == InfantState::protest && partner != r.partner) {
        soothe_starts += r.partner == CareState::soothe ? 1 : 0;
        turned_away += (r.partner == CareState::away) ? 1 : 0;
      }
      infant = r.infant;
      partner = r.partner;
    });
    return soothe_starts;
  };
  std::size_t away_dismissing = 0, away_autonomous = 0;
  EXPECT_EQ(starts(1.0, away_dismissing), 0u);
  EXPECT_GT(away_dismissing, 20u);
  EXPECT_GT(starts(0.0, away_autonomous), 20u);
}

// Distress is noticed at ν_D·s_eff per second: a slower ν_D answers fewer episodes within the
// response window, so the infant expects less comfort; the rate of play matching (ν) is untouched.
TEST(MutualSensitivity, SlowerNoticingOfDistressAnswersFewerEpisodes) {
  const InfantParams p;
  CaregiverParams c;
  c.dismissing = c.preoccupied = c.unresolved = 0;
  c.distress_notice_rate = 1.0;
  const Outcome fast = mean_outcome(p, c, 8, 40);
  c.distress_notice_rate = 0.03;
  const Outcome slow = mean_outcome(p, c, 8, 40);
  EXPECT_GT(fast.responded_share, slow.responded_share + 0.2);
  EXPECT_GT(fast.expectation, slow.expectation + 0.1);
}

// Comfort calms a hyperactivating infant less (soothing relief ÷ (1 + ρ_R·max(g − 1, 0))): under
// a preoccupied caregiver, whose infants turn their signals up, the same dyads spend more time
// distressed with ρ_R = 3 than with ρ_R = 0.
TEST(MutualComfort, AHyperactivatingInfantIsCalmedLess) {
  CaregiverParams c;
  c.preoccupied = 0.9;  // unpredictable care: hyperactivation
  c.dismissing = c.unresolved = 0;
  auto calm_time = [&](double rho) {
    InfantParams q;
    q.comfort_resistance = rho;
    double distressed = 0;
    for (std::uint64_t id = 0; id < 6; ++id)
      test::run_mutual_dyad(q, c, 40, 5, id, [&](const StepRecord& r) { distressed += r.x > 0.6 ? 1 : 0; });
    return distressed;
  };
  EXPECT_GT(calm_time(3.0), calm_time(0.0) * 1.05);
}

// ... and, being soothed, it protests as if its arousal were ϱ = 1 + ρ_R·(g − 1)₊ times higher
// (comfort sought and resisted). Exact: protest weight w_X·g·(ϱ·x/θ_d)⁴.
TEST(MutualComfort, AHyperactivatingInfantResistsComfortWithProtest) {
  InfantParams p;
  p.comfort_resistance = 1.0;
  const double x = 0.3, rel = x / p.distress_threshold;
  const auto soothed = infant_state_weights(p, x, 2.0, 0.0, CareState::soothe);
  EXPECT_DOUBLE_EQ(soothed[3], p.weight_protest * 2.0 * std::pow(2.0 * rel, 4));  // ϱ = 2
  // not while she plays or attends, and not for an infant at g ≤ 1
  EXPECT_DOUBLE_EQ(infant_state_weights(p, x, 2.0, 0.0, CareState::attend)[3],
                   p.weight_protest * 2.0 * std::pow(rel, 4));
  EXPECT_DOUBLE_EQ(infant_state_weights(p, x, 0.8, 0.0, CareState::soothe)[3],
                   p.weight_protest * 0.8 * std::pow(rel, 4));
  // the other weights do not depend on it
  const auto attended = infant_state_weights(p, x, 2.0, 0.0, CareState::attend);
  EXPECT_DOUBLE_EQ(soothed[0], attended[0]);
  EXPECT_DOUBLE_EQ(soothed[1], attended[1]);
  EXPECT_DOUBLE_EQ(soothed[2], attended[2]);
  p.comfort_resistance = 0.0;
  EXPECT_DOUBLE_EQ(infant_state_weights(p, x, 2.0, 0.0, CareState::soothe)[3], attended[3]);
}

// Ruptures and repairs are coded on a time base Δ_c (MODEL2.md §7.6), as a coder codes video: at
// dt = 0.25 and Δ_c = 1 only every fourth step (the one that reaches a whole second) can be a
// transition, and the rate per minute stays near dt = 1's. Counted at every step instead, short
// excursions that a coarser step never shows were counted, and the rate grew as dt fell (8.6,
// 11.1 and 13.1 per minute at dt = 1, 0.5 and 0.25 in the still-face play phase).
TEST(MutualCoordination, RupturesAndRepairsAreCodedOnTheCodersTimeBase) {
  InfantParams p;
  const auto caregivers = test::draw_mutual_caregivers(40, 17);
  sim::Schedule fine;
  fine.dt = 0.25;
  fine.days = 4;
  std::size_t transitions = 0, off_grid = 0;
  test::run_mutual_dyad(
      p, caregivers[0], 2, 5, 0,
      [&](const StepRecord& r) {
        if (!r.repair && !r.rupture) return;
        ++transitions;
        off_grid += (r.step + 1) % 4 != 0 ? 1 : 0;
      },
      fine);
  EXPECT_GT(transitions, 100u);
  EXPECT_EQ(off_grid, 0u) << "a transition between two whole seconds";

  sim::Schedule coarse;
  coarse.days = 4;
  const double at_1 =
      test::summarise(caregivers, test::run_mutual_population(p, caregivers, 4, 9, coarse)).repairs_per_min;
  const double at_quarter =
      test::summarise(caregivers, test::run_mutual_population(p, caregivers, 4, 9, fine)).repairs_per_min;
  p.coding_interval_s = 0.25;  // every step coded: the old count
  const double every_step =
      test::summarise(caregivers, test::run_mutual_population(p, caregivers, 4, 9, fine)).repairs_per_min;
  EXPECT_NEAR(at_quarter, at_1, 0.08 * at_1) << "dt = 1: " << at_1 << ", dt = 0.25: " << at_quarter;
  EXPECT_GT(every_step, 1.25 * at_quarter) << every_step << " vs " << at_quarter;
}

}  // namespace
}  // namespace attune::mutual

namespace attune::mutual {
namespace {

// A preoccupied caregiver is inconsistently available (MODEL2.md §5.4): in a share p/2 of the
// sessions she notices nothing at all, in the rest she is as her sensitivity makes her; the mean
// availability is 1 − p/2, as for the earlier graded rule (m = 1 − p·U), but the infant meets it
// as all or nothing. Counted: sessions with distress in which she never soothed.
TEST(MutualPreoccupied, AvailabilityIsAllOrNoneBySession) {
  const InfantParams p;
  auto unsoothed_share = [&](double pre) {
    CaregiverParams c;
    c.sensitivity = 1.0;
    c.dismissing = c.unresolved = c.anomalous = 0.0;
    c.preoccupied = pre;
    int distressed = 0, unsoothed = 0, last = -1;
    bool any_distress = false, any_soothe = false;
    auto close = [&] {
      distressed += any_distress;
      unsoothed += any_distress && !any_soothe;
      any_distress = any_soothe = false;
    };
    test::run_mutual_dyad(p, c, 400, 5, 3, [&](const StepRecord& r) {
      const int session = r.day * 4 + r.session;
      if (session != last) close(), last = session;
      any_distress = any_distress || r.x > p.distress_threshold;
      any_soothe = any_soothe || r.partner == CareState::soothe;
    });
    close();
    EXPECT_GT(distressed, 400);  // of 1,600 sessions
    return static_cast<double>(unsoothed) / distressed;
  };
  // Always available: only distress that calms before she notices it goes unsoothed (.021 with the
  // model of 2 December 2026, .023 with that of 3 December; the cause of the rise not examined).
  EXPECT_LT(unsoothed_share(0.0), 0.03);
  const double half = unsoothed_share(1.0);  // expected 1/2 (.51, 291 of 571, when written)
  EXPECT_GT(half, 0.40);
  EXPECT_LT(half, 0.60);
  const double quarter = unsoothed_share(0.5);
  EXPECT_GT(quarter, 0.15);
  EXPECT_LT(quarter, 0.35);
}

}  // namespace
}  // namespace attune::mutual
