// The two-stage cortisol cascade of MODEL.md step 7, watched through the model's step traces:
//   z += (z₁ − z)/τ·dt;  then  z₁ += (−z₁/τ + γ·max(x − θ_d, 0))·dt,
// with the closed-form decay between sessions. A single-step input x > θ_d makes
// z_n = I·n·(dt/τ)·(1 − dt/τ)^(n−1) steps later: a peak τ/dt steps after the input, of height
// ≈ I/e, the discrete form of the impulse response z(t) = I·(t/τ)·e^(−t/τ).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <optional>
#include <vector>

#include "support/dyad_harness.hpp"

namespace attune::test {
namespace {

using reference::StepRecord;

// Sessions of 1000 s, 80 a day: the gap between sessions is 86400/80 − 1000 = 80 s, short
// enough against τ = 100 s that what one session leaves behind reaches the next.
constexpr double kTau = 100.0;

sim::Schedule long_sessions() {
  sim::Schedule s;
  s.session_s = 1000;
  s.sessions_per_day = 80;
  return s;
}

std::vector<StepRecord> trace_days(const DyadSetup& setup, int days) {
  std::vector<StepRecord> out;
  run_dyad(setup, days, [&](const StepRecord& r) { out.push_back(r); });
  return out;
}

bool close(double got, double want) { return std::fabs(got - want) <= 1e-12 * std::fabs(want) + 1e-300; }

TEST(CortisolCascade, FollowsTheTwoStageRecurrenceEveryStepAndAcrossSessionsAndDays) {
  DyadSetup setup;  // the full model with its default dynamics, stressors and noise
  setup.schedule = long_sessions();
  setup.infant.cortisol_tau_s = kTau;
  const double dt = setup.schedule.dt, gamma = setup.infant.cortisol_gain;
  const double theta = setup.infant.distress_threshold, gap = setup.schedule.gap_s();
  ASSERT_EQ(gap, 80.0);

  const auto trace = trace_days(setup, 2);  // crossing sessions and a day's end
  ASSERT_EQ(trace.size(), 2u * 80u * 1000u);
  double z1 = 0, z = 0;
  int inputs = 0, mismatches = 0;
  for (std::size_t i = 0; i < trace.size(); ++i) {
    const StepRecord& r = trace[i];
    if (i > 0 && r.step == 0) {  // a new session: the closed-form decay over the gap
      const double d = std::exp(-gap / kTau);
      z = (z + z1 * gap / kTau) * d;
      z1 *= d;
    }
    z += (z1 - z) / kTau * dt;
    z1 += (-z1 / kTau + gamma * std::max(r.x - theta, 0.0)) * dt;
    inputs += r.x > theta ? 1 : 0;
    if ((!close(r.z, z) || !close(r.z1, z1)) && ++mismatches <= 5)
      ADD_FAILURE() << "day " << r.day << " session " << r.session << " step " << r.step << ": z1 " << r.z1
                    << " z " << r.z << ", expected z1 " << z1 << " z " << z;
  }
  EXPECT_EQ(mismatches, 0);
  EXPECT_GT(inputs, 1000) << "the check needs many steps with input";
}

// A quiet infant (no noise, no soothing) whose self-regulation r·dt = 0.9 removes 90% of its
// arousal each step: a stressor of size 50·Exp(1) puts x above θ_d for about one step.
DyadSetup pulse_setup(std::uint64_t infant_id) {
  DyadSetup s = quiet_dyad(0.9);
  s.schedule = long_sessions();
  s.infant.cortisol_tau_s = kTau;
  s.infant.stressor_rate = 0.05;  // per min: about one stressor in 1200 s
  s.infant.stressor_size = 50.0;
  s.infant_id = infant_id;
  return s;
}

struct Pulse {
  std::vector<StepRecord> session;  // session 0 of day 0
  std::int64_t at;                  // the stressor's step
};

// The first infant whose first session has its first stressor by step 600, x above θ_d for that
// step only, and no other stressor for the 400 steps that follow: a single-step input from
// z₁ = z = 0.
std::optional<Pulse> isolated_pulse() {
  for (std::uint64_t id = 0; id < 200; ++id) {
    Pulse p;
    run_dyad(pulse_setup(id), 1, [&](const StepRecord& r) {
      if (r.session == 0) p.session.push_back(r);
    });
    std::vector<std::int64_t> hits;
    for (const auto& r : p.session)
      if (r.stressor) hits.push_back(r.step);
    if (hits.empty() || hits[0] > 600 || (hits.size() > 1 && hits[1] <= hits[0] + 400)) continue;
    p.at = hits[0];
    const auto k = static_cast<std::size_t>(p.at);
    if (p.session[k].x > 2.0 && p.session[k + 1].x <= 1.0) return p;
  }
  return std::nullopt;
}

TEST(CortisolCascade, APulsePeaksTauLaterAtAboutOneOverE) {
  const auto pulse = isolated_pulse();
  ASSERT_TRUE(pulse) << "no isolated pulse among 200 infants";
  const auto& s = pulse->session;
  const auto k0 = static_cast<std::size_t>(pulse->at);
  for (std::size_t k = 0; k < k0; ++k) {
    ASSERT_EQ(s[k].z1, 0.0) << "step " << k;
    ASSERT_EQ(s[k].z, 0.0) << "step " << k;
  }
  // The input γ·(x − θ_d)·dt goes into the first stage; z sees it only a step later.
  const double impulse = s[k0].z1;
  EXPECT_NEAR(impulse, 0.01 * (s[k0].x - 1.0), 1e-15);
  EXPECT_EQ(s[k0].z, 0.0);

  // n steps later: z₁ = I·a^n and z = I·n·c·a^(n−1), with c = dt/τ and a = 1 − c.
  const double c = 1.0 / kTau, a = 1.0 - c;
  for (std::size_t n = 1; n < 400; ++n) {
    const double dn = static_cast<double>(n);
    ASSERT_NEAR(s[k0 + n].z1, impulse * std::pow(a, dn), 1e-12 * impulse) << "n = " << n;
    ASSERT_NEAR(s[k0 + n].z, impulse * dn * c * std::pow(a, dn - 1), 1e-12 * impulse) << "n = " << n;
  }

  // So z peaks τ/dt steps after the input (n = τ−1 and n = τ tie in exact arithmetic) ...
  std::size_t peak = k0;
  for (std::size_t k = k0; k < k0 + 400; ++k)
    if (s[k].z > s[peak].z) peak = k;
  EXPECT_GE(peak, k0 + 99);
  EXPECT_LE(peak, k0 + 100);
  // ... at I·(1 − dt/τ)^(τ/dt − 1) ≈ I/e ...
  EXPECT_NEAR(s[peak].z / impulse, std::exp(-1.0), 0.005);
  // ... and the whole response is the continuous impulse response (t/τ)·e^(−t/τ) to within the
  // discretisation, under 1% of the peak over [τ/2, 3τ].
  for (std::size_t n = 50; n <= 300; n += 25) {
    const double t = static_cast<double>(n);
    EXPECT_NEAR(s[k0 + n].z / impulse, t / kTau * std::exp(-t / kTau), 0.01 * std::exp(-1.0)) << "n = " << n;
  }
}

}  // namespace
}  // namespace attune::test
