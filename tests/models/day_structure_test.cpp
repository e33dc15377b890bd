// One day of the reference model: its sessions and steps, what happens at a session's start and a
// day's end (MODEL.md "Time" and "Learning ... At each day's end"), and traces that observe
// without changing anything.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <vector>

#include "support/dyad_harness.hpp"

namespace attune::test {
namespace {

using reference::StepRecord;

bool same_bits(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }

TEST(DyadDay, TracingDoesNotChangeTheResult) {
  DyadSetup setup;  // default dynamics: stressors, noise, ruptures, learning
  setup.caregiver.rejection = 1.0;
  setup.caregiver.baseline_stress = 1.0;
  std::size_t steps = 0;
  const DyadState traced = run_dyad(setup, 5, [&](const StepRecord&) { ++steps; });
  const DyadState plain = run_dyad(setup, 5);
  EXPECT_EQ(steps, 5u * 4u * 300u);
  const auto &a = traced.relationship, &b = plain.relationship;
  EXPECT_TRUE(same_bits(a.iwm.alpha, b.iwm.alpha));
  EXPECT_TRUE(same_bits(a.iwm.beta, b.iwm.beta));
  EXPECT_TRUE(same_bits(a.iwm.gain, b.iwm.gain));
  EXPECT_TRUE(same_bits(a.iwm.fear, b.iwm.fear));
  EXPECT_TRUE(same_bits(a.iwm.signal_time_s, b.iwm.signal_time_s));
  EXPECT_TRUE(same_bits(a.iwm.calm_ruptures, b.iwm.calm_ruptures));
  EXPECT_TRUE(same_bits(a.total.synchrony_sum, b.total.synchrony_sum));
  EXPECT_EQ(a.total.episodes, b.total.episodes);
  EXPECT_EQ(a.total.repairs, b.total.repairs);
  EXPECT_EQ(a.total.shocks, b.total.shocks);
  EXPECT_TRUE(same_bits(traced.infant.regulation, plain.infant.regulation));
  EXPECT_TRUE(same_bits(traced.infant.z, plain.infant.z));
  EXPECT_TRUE(same_bits(traced.infant.z1, plain.infant.z1));
  EXPECT_GT(a.total.episodes, 0) << "a day with nothing happening would prove little";
}

TEST(DyadDay, RecordsEveryStepOfEverySessionInOrder) {
  DyadSetup setup;
  setup.schedule.sessions_per_day = 3;
  setup.schedule.session_s = 100;
  setup.schedule.dt = 0.5;
  std::vector<StepRecord> trace;
  run_dyad(setup, 2, [&](const StepRecord& r) { trace.push_back(r); });
  ASSERT_EQ(trace.size(), 2u * 3u * 200u);
  std::size_t i = 0;
  for (int day = 0; day < 2; ++day)
    for (int session = 0; session < 3; ++session)
      for (std::int64_t step = 0; step < 200; ++step, ++i) {
        ASSERT_EQ(trace[i].day, day);
        ASSERT_EQ(trace[i].session, session);
        ASSERT_EQ(trace[i].step, step);
        ASSERT_EQ(trace[i].tie, 0u);
      }
}

// Each session starts with x = 0 and x_c = b_c. A caregiver flooded by her own stress (b_c = 3 >
// θ_f = 2, no resonance or noise) frightens the infant at every engaged step, so x climbs toward
// J_f/r = 10 within a session; the first step of the next must again give x = J_f·dt = 0.5.
TEST(DyadDay, EverySessionStartsFromCalmWithTheCaregiverAtBaseline) {
  DyadSetup setup = quiet_dyad(0.05);
  setup.caregiver.baseline_stress = 3.0;
  std::vector<StepRecord> firsts;
  double last_x = 0.0;
  run_dyad(setup, 2, [&](const StepRecord& r) {
    if (r.step == 0) firsts.push_back(r);
    if (r.step == 299) last_x = std::max(last_x, r.x);
  });
  ASSERT_EQ(firsts.size(), 8u);
  EXPECT_GT(last_x, 1.0) << "sessions must end aroused for the reset to show";
  for (const auto& r : firsts) {
    EXPECT_EQ(r.x, 0.5);
    EXPECT_EQ(r.xc, 3.0);
    EXPECT_TRUE(r.fear);
  }
}

// ... and engaged: with no repair, a caregiver who disengages stays away to the session's end,
// yet every session's first step begins engaged.
TEST(DyadDay, EverySessionStartsEngaged) {
  DyadSetup setup = quiet_dyad(0.05);
  setup.caregiver.rupture_rate = 30.0;
  setup.caregiver.repair_rate = 0.0;
  int sessions = 0, ended_disengaged = 0;
  run_dyad(setup, 2, [&](const StepRecord& r) {
    if (r.step == 0) {
      ++sessions;
      EXPECT_TRUE(r.engaged || r.rupture) << "session " << r.session << " began disengaged";
      EXPECT_FALSE(r.repair);
    }
    if (r.step == 299 && !r.engaged) ++ended_disengaged;
  });
  EXPECT_EQ(sessions, 8);
  EXPECT_EQ(ended_disengaged, 8);
}

// At a day's end r ← r + m_r(r_max − r) and the four contingency accumulators are multiplied by
// w_c. A quiet, always-engaged day has no episodes, so nothing else moves them: 1200 s calm.
TEST(DyadDay, DayEndMaturesRegulationAndFadesContingencyExposure) {
  DyadSetup setup = quiet_dyad(0.01);
  setup.infant.regulation_max = 0.05;
  DyadState one = run_dyad(setup, 1);
  EXPECT_EQ(one.relationship.total.episodes, 0);
  EXPECT_NEAR(one.infant.regulation, 0.01 + 0.01 * (0.05 - 0.01), 1e-15);
  EXPECT_NEAR(one.relationship.iwm.calm_time_s, 1200 * 0.9, 1e-9);
  EXPECT_EQ(one.relationship.iwm.signal_time_s, 0.0);

  DyadState two = run_dyad(setup, 2);
  const double r1 = 0.01 + 0.01 * 0.04;
  EXPECT_NEAR(two.infant.regulation, r1 + 0.01 * (0.05 - r1), 1e-15);
  EXPECT_NEAR(two.relationship.iwm.calm_time_s, (1200 * 0.9 + 1200) * 0.9, 1e-9);
  EXPECT_EQ(two.relationship.total.sessions, 8);
  EXPECT_EQ(two.relationship.total.session_s, 2400.0);
}

// Ruptures are counted under the heading the signal was in before the transition.
TEST(DyadDay, RupturesAreCountedAsCalmWhenNoSignalIsSent) {
  DyadSetup setup = quiet_dyad(0.05);
  setup.caregiver.rupture_rate = 3.0;
  setup.caregiver.repair_rate = 3.0;
  std::int64_t ruptures = 0, engaged_before = 0;
  const DyadState s = run_dyad(setup, 1, [&](const StepRecord& r) {
    ruptures += r.rupture ? 1 : 0;
    engaged_before += (r.engaged ? !r.repair : r.rupture) ? 1 : 0;
  });
  ASSERT_GT(ruptures, 0);
  // Exposures were multiplied by w_c = 0.9 at the day's end.
  EXPECT_NEAR(s.relationship.iwm.calm_ruptures, 0.9 * static_cast<double>(ruptures), 1e-9);
  EXPECT_NEAR(s.relationship.iwm.calm_time_s, 0.9 * static_cast<double>(engaged_before), 1e-9);
  EXPECT_EQ(s.relationship.iwm.signal_ruptures, 0.0);
}

}  // namespace
}  // namespace attune::test
