// What an infant's run leaves behind: MODEL.md's outcome table, and its classification.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "models/reference/dyad.hpp"

namespace attune::reference {

struct Outcome {
  double availability = 0;
  double unpredictability = 0;
  double rejection_contingency = 0;
  double signal_gain = 0;
  double fear = 0;
  double regulation = 0;
  double avoidance = 0;
  double resistance = 0;
  double disorganization = 0;
  char classification = '?';
  std::int64_t shocks = 0;
  std::int64_t episodes = 0;
  double coordinated_fraction = 0;
  double repairs_per_min = 0;
  double synchrony = 0;
  double cortisol = 0;
};

// Outcomes of one relationship from its state after the run (`period`: the whole run, or one day
// for daily trajectories; `cortisol`: the value to report).
Outcome outcome(const InfantParams& p, const Iwm& iwm, const Interaction& period, double regulation,
                double cortisol);

// MODEL.md's classification: 'D', 'B', 'A' or 'C'.
char classify(double avoidance, double resistance, double fear);

// One output field: how to read it from an Outcome, for tables, daily series and docs.
struct OutcomeField {
  std::string_view name;
  std::string_view meaning;
  enum Kind { real, count, letter } kind;
  double (*get)(const Outcome&);
};
std::span<const OutcomeField> outcome_fields();

// One column of the protocol phase table (/protocol/phases): a member of PhaseMeasures.
struct PhaseField {
  std::string_view name;
  std::string_view meaning;
  double PhaseMeasures::*member;
};
std::span<const PhaseField> phase_fields();

// The classification a coder would give from the reunion phases of a Strange Situation
// (docs/EXPERIMENTS.md): 'D' for freezing or fear of the caregiver, else B, A or C from how much
// the infant signals for the caregiver relative to its distress.
char observed_classification(const InfantParams& p, std::span<const PhaseMeasures> reunions);

// Classes in reporting order, with their names.
struct ClassInfo {
  char letter;
  std::string_view name;
};
std::span<const ClassInfo> classes();

}  // namespace attune::reference
