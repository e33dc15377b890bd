// A test-only population harness for the `mutual` model: draws caregivers from the model's
// parameter tables (with optional overrides of their distributions), runs one caregiver per
// infant for some days, and summarises the outcomes. Single-threaded; keep populations small.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "models/mutual/dyad.hpp"
#include "models/mutual/outcomes.hpp"
#include "models/mutual/params.hpp"
#include "sim/distribution.hpp"
#include "sim/schedule.hpp"

namespace attune::test {

using Overrides = std::map<std::string, sim::Distribution>;

// n caregivers, each parameter from its own stream (seed, caregiver, caregiver_draw, key index),
// from the table's default spread unless `overrides` names the key.
std::vector<mutual::CaregiverParams> draw_mutual_caregivers(std::size_t n, std::uint64_t seed,
                                                            const Overrides& overrides = {});

// The parameter shifts of a high-risk family (MODEL2.md §5.4): several caregiver parameters at once.
Overrides high_risk_overrides();

struct MutualDyad {
  mutual::Infant infant;
  mutual::Relationship relationship;
  mutual::Outcome outcome;
};

// One infant per caregiver (infant i with caregiver i), `days` days from birth.
std::vector<MutualDyad> run_mutual_population(const mutual::InfantParams& infant,
                                              const std::vector<mutual::CaregiverParams>& caregivers,
                                              int days, std::uint64_t seed,
                                              const sim::Schedule& schedule = {});

// One dyad, days [0, days), calling `sink` after every step when given.
MutualDyad run_mutual_dyad(const mutual::InfantParams& infant, const mutual::CaregiverParams& caregiver,
                           int days, std::uint64_t seed, std::uint64_t infant_id = 0,
                           const mutual::StepSink& sink = {}, const sim::Schedule& schedule = {});

struct MutualSummary {
  double share_b = 0, share_a = 0, share_c = 0, share_d = 0;
  double coordinated = 0, repairs_per_min = 0, positive = 0, negative = 0;
  double r_sensitivity_security = 0;  // Pearson r of sensitivity with the continuous security scale
  double r_sensitivity_secure = 0;    // point-biserial r of sensitivity with B vs not B
  double regulation_sd = 0, resistance_max = 0, fear_max = 0;
};
MutualSummary summarise(const std::vector<mutual::CaregiverParams>& caregivers,
                        const std::vector<MutualDyad>& dyads);

double pearson(const std::vector<double>& a, const std::vector<double>& b);

}  // namespace attune::test
