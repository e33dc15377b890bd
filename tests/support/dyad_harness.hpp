// One infant with one caregiver, run day by day through the reference model: the harness the
// model tests use to watch the dynamics step by step (DyadModel's StepSink).
#pragma once

#include <cstdint>

#include "models/reference/dyad.hpp"
#include "models/reference/params.hpp"
#include "sim/schedule.hpp"

namespace attune::test {

struct DyadSetup {
  reference::InfantParams infant;
  reference::CaregiverParams caregiver;
  sim::Schedule schedule;
  std::uint64_t seed = 1;
  std::uint64_t infant_id = 0;
};

struct DyadState {
  reference::Infant infant;
  reference::Relationship relationship;
};

// A quiet dyad: no stressors, no arousal noise, no soothing or intrusion, a caregiver who stays
// at her baseline and never disengages, self-regulation fixed at `regulation`. Tests switch on
// the one mechanism they look at.
DyadSetup quiet_dyad(double regulation);

// Runs days [0, days) from birth, calling `sink` after every step (untraced when it is empty).
DyadState run_dyad(const DyadSetup& setup, int days, const reference::StepSink& sink = {});

}  // namespace attune::test
