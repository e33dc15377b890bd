// The experimental sections of a scenario (docs/EXPERIMENTS.md): randomized arms, interventions
// that change caregivers or give an infant a new one from a given day, and laboratory protocols.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "sim/distribution.hpp"
#include "sim/protocol.hpp"

namespace attune::sim {

// New values for some parameters: the caregiver keys that change (drawn per profile, from the
// caregiver's own parameter streams, so a caregiver keeps her rank in the population) and the
// infant keys that change.
struct ParamChange {
  std::vector<std::size_t> caregiver_keys;            // indices into the caregiver table
  std::vector<std::vector<Distribution>> by_profile;  // [profile][caregiver key index]
  std::vector<std::size_t> infant_keys;               // indices into the infant table
  std::vector<double> infant;                         // every infant value (only infant_keys are used)
  bool empty() const { return caregiver_keys.empty() && infant_keys.empty(); }
};

// One change from a given day on, to the infants of some arms (all when `arms` is empty).
struct Change {
  std::string name;
  int day = 0;
  std::vector<std::size_t> arms;  // indices into Scenario::arms
  ParamChange params;
  // A new caregiver for each infant concerned: none, in place of the current ones, or beside them.
  enum class Newcomer { none, replace, add } newcomer = Newcomer::none;
  std::vector<Distribution> newcomer_caregiver;  // her parameter distributions, in table order

  bool applies_to(std::size_t arm) const;
};

struct Arm {
  std::string name;
  double weight = 1.0;
  int from_day = 0;
};

struct Experiment {
  std::vector<Arm> arms;        // empty: one implicit arm
  bool paired = false;          // every infant in every arm, with common random numbers
  std::vector<Change> changes;  // arms' `set` and the interventions, in order of day then listing
  std::vector<Protocol> protocols;
  std::string initial_state;  // a state file to start from (attune run --save-state)
  // The `arms:` and `interventions:` sections as given, for the resolved scenario.
  std::string arms_yaml, interventions_yaml;

  std::size_t arm_count() const { return arms.empty() ? 1 : arms.size(); }
  std::string arm_name(std::size_t a) const { return arms.empty() ? "all" : arms[a].name; }
};

}  // namespace attune::sim
