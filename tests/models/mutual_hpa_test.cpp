// The HPA axis of MODEL2.md §7.5: a two-stage cascade (release z₁, cortisol z) with different
// time constants, so that a brief input peaks t* = τ₁τ₂/(τ₂−τ₁)·ln(τ₂/τ₁) later (21.6 min with
// the defaults), a drive that grows with sensitization S, and the exact decay between sessions.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "models/mutual/dyad.hpp"
#include "support/mutual_harness.hpp"

namespace attune::mutual {
namespace {

bool close(double got, double want) { return std::fabs(got - want) <= 1e-12 * std::fabs(want) + 1e-300; }

// Sessions of 1000 s, 80 a day: an 80 s gap, so what one session leaves reaches the next.
sim::Schedule long_sessions() {
  sim::Schedule s;
  s.session_s = 1000;
  s.sessions_per_day = 80;
  return s;
}

TEST(MutualHpa, FollowsTheCascadeEveryStepAndAcrossSessions) {
  InfantParams p;
  p.sensitization_gain = 0.0;  // S changes at episode ends; without its gain the drive is γ·max(x − θ_d, 0)
  p.hpa_release_tau_s = 100;
  p.hpa_clearance_tau_s = 300;
  const CaregiverParams cg;
  const sim::Schedule schedule = long_sessions();
  std::vector<StepRecord> trace;
  test::run_mutual_dyad(
      p, cg, 1, 5, 0, [&](const StepRecord& r) { trace.push_back(r); }, schedule);
  ASSERT_EQ(trace.size(), 80u * 1000u);
  double z1 = 0, z = 0;
  int inputs = 0, mismatches = 0;
  for (std::size_t i = 0; i < trace.size(); ++i) {
    const StepRecord& r = trace[i];
    if (i > 0 && r.step == 0) decay_hpa(z1, z, schedule.gap_s(), 100, 300);
    z += (z1 / 100 - z / 300);
    z1 += -z1 / 100 + p.hpa_gain * std::max(r.x - p.distress_threshold, 0.0);
    inputs += r.x > p.distress_threshold ? 1 : 0;
    if ((!close(r.z, z) || !close(r.z1, z1)) && ++mismatches <= 5)
      ADD_FAILURE() << "session " << r.session << " step " << r.step << ": z1 " << r.z1 << " z " << r.z;
  }
  EXPECT_EQ(mismatches, 0);
  EXPECT_GT(inputs, 500);
}

// The closed-form gap decay agrees with the ODE integrated finely, for τ₁ ≠ τ₂ and τ₁ = τ₂.
TEST(MutualHpa, GapDecayIsTheExactSolution) {
  for (const auto& [t1, t2] :
       {std::pair{720.0, 2700.0}, std::pair{1000.0, 1000.0}, std::pair{3000.0, 500.0}}) {
    double z1 = 0.7, z = 0.2;
    decay_hpa(z1, z, 5000, t1, t2);
    double a = 0.7, b = 0.2;
    const double h = 0.01;  // RK4
    auto f1 = [tau1 = t1](double u) { return -u / tau1; };
    for (int k = 0; k < 500000; ++k) {
      const double k1a = f1(a), k1b = a / t1 - b / t2;
      const double a2 = a + h / 2 * k1a, b2 = b + h / 2 * k1b;
      const double k2a = f1(a2), k2b = a2 / t1 - b2 / t2;
      const double a3 = a + h / 2 * k2a, b3 = b + h / 2 * k2b;
      const double k3a = f1(a3), k3b = a3 / t1 - b3 / t2;
      const double a4 = a + h * k3a, b4 = b + h * k3b;
      const double k4a = f1(a4), k4b = a4 / t1 - b4 / t2;
      a += h / 6 * (k1a + 2 * k2a + 2 * k3a + k4a);
      b += h / 6 * (k1b + 2 * k2b + 2 * k3b + k4b);
    }
    EXPECT_NEAR(z1, a, 1e-10) << t1 << " " << t2;
    EXPECT_NEAR(z, b, 1e-10) << t1 << " " << t2;
  }
}

// A standard stressor: one strong arousal pulse to a quiet infant whose arousal is above θ_d for
// the pulse's second only; the caregiver is present and nothing else happens for 90 minutes.
sim::Protocol pulse_protocol() {
  sim::Protocol pr;
  pr.name = "pulse";
  sim::Phase stress;
  stress.name = "stressor";
  stress.duration_s = 5400;
  stress.arousal_pulse = 30.0;  // x → 1 − e^(−30)·(1 − x)
  stress.stressor_rate = 0.0;
  pr.phases = {stress};
  return pr;
}

InfantParams quiet_infant() {
  InfantParams p;
  p.infant_noise = 0;
  p.mismatch_stress = 0;
  p.regulation_initial = p.regulation_max = 0.3;  // from 1: 0.7 after the first second, then below θ_d
  p.temperament_sd = 0;
  return p;
}

struct PulseResult {
  PhaseMeasures m;
  std::vector<double> z;
};

PulseResult run_pulse(const InfantParams& p, double sensitization) {
  CaregiverParams cg;
  cg.fr_max = 0;
  cg.soothing_gain = 0;
  const DyadModel model(p, sim::Schedule{}, 1);
  Infant infant = model.new_infant(0);
  infant.sensitization = sensitization;
  Relationship rel;
  PulseResult out;
  const StepSink sink = [&](const StepRecord& r) { out.z.push_back(r.z); };
  out.m = model.run_protocol(0, pulse_protocol(), infant, Tie{&cg, &rel}, {}, &sink)[0];
  return out;
}

TEST(MutualHpa, AStandardStressorPeaksAtTheCascadesPeakTime) {
  const InfantParams p = quiet_infant();
  const PulseResult r = run_pulse(p, 0.0);
  const double t_star = hpa_peak_time(p.hpa_release_tau_s, p.hpa_clearance_tau_s);
  EXPECT_NEAR(t_star, 720.0 * 2700.0 / 1980.0 * std::log(2700.0 / 720.0), 1e-9);
  EXPECT_GT(t_star, 20 * 60.0);
  EXPECT_LT(t_star, 40 * 60.0);
  // Input on the pulse's step (t = 0) only; the discrete cascade peaks within 2 s of t*.
  EXPECT_NEAR(r.m.cortisol_peak_s, t_star, 2.0);
  EXPECT_GT(r.m.cortisol_peak, 0.0);
}

// Sensitization multiplies the drive by 1 + κ_S·S; the arousal path is the same (cortisol does
// not feed back), so the whole response scales exactly.
TEST(MutualHpa, SensitizationScalesTheResponse) {
  const InfantParams p = quiet_infant();
  const PulseResult a = run_pulse(p, 0.0), b = run_pulse(p, 0.5);
  ASSERT_EQ(a.z.size(), b.z.size());
  const double factor = 1.0 + p.sensitization_gain * 0.5;
  for (std::size_t k = 0; k < a.z.size(); k += 97)
    EXPECT_NEAR(b.z[k], factor * a.z[k], 1e-12 * factor * a.z[k] + 1e-300);
  EXPECT_NEAR(b.m.cortisol_peak / a.m.cortisol_peak, factor, 1e-12);
}

// Repeated unrepaired distress sensitizes: infants of caregivers who rarely soothe end the
// month more sensitized than infants of caregivers who soothe.
TEST(MutualHpa, UnrepairedDistressSensitizes) {
  const InfantParams p;
  CaregiverParams soothing, absent;
  soothing.sensitivity = 0.9;
  absent.sensitivity = 0.1;
  double s_soothing = 0, s_absent = 0;
  for (std::uint64_t id = 0; id < 10; ++id) {
    s_soothing += test::run_mutual_dyad(p, soothing, 30, 11, id).infant.sensitization;
    s_absent += test::run_mutual_dyad(p, absent, 30, 11, id).infant.sensitization;
  }
  EXPECT_GT(s_absent, 1.5 * s_soothing);
}

}  // namespace
}  // namespace attune::mutual
