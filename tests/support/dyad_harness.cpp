#include "support/dyad_harness.hpp"

namespace attune::test {

DyadSetup quiet_dyad(double regulation) {
  DyadSetup s;
  s.infant.regulation_initial = regulation;
  s.infant.regulation_max = regulation;
  s.infant.infant_noise = 0.0;
  s.infant.stressor_rate = 0.0;
  s.caregiver.soothing_gain = 0.0;
  s.caregiver.intrusiveness = 0.0;
  s.caregiver.rupture_rate = 0.0;
  s.caregiver.resonance = 0.0;
  s.caregiver.caregiver_noise = 0.0;
  s.schedule.days = 1;
  return s;
}

DyadState run_dyad(const DyadSetup& setup, int days, const reference::StepSink& sink) {
  sim::Schedule schedule = setup.schedule;
  schedule.days = days;
  const reference::DyadModel model(setup.infant, schedule, setup.seed);
  DyadState state{model.new_infant(), model.new_relationship()};
  const reference::Tie tie{&setup.caregiver, &state.relationship};
  for (int day = 0; day < days; ++day) {
    if (sink)
      model.simulate_day(setup.infant_id, day, state.infant, {&tie, 1}, sink);
    else
      model.simulate_day(setup.infant_id, day, state.infant, {&tie, 1});
  }
  return state;
}

}  // namespace attune::test
