// What an infant's run under the `mutual` model leaves behind (MODEL2.md §7.9): the outcome
// table, the classification with the forced secondary of D, the continuous scales, the per-phase
// measures of protocols, and the observed classification coders would give from reunion behaviour.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "models/mutual/dyad.hpp"

namespace attune::mutual {

struct Outcome {
  double expectation = 0;
  double unpredictability = 0;
  double rejection = 0;
  double signal_gain = 0;
  double fear = 0;
  double regulation = 0;
  double sensitization = 0;
  double security = 0;
  double avoidance = 0;
  double resistance = 0;
  double disorganization = 0;
  char classification = '?';
  char secondary = '-';      // for D: the best-fitting organized class (D/A, D/B, D/C); '-' otherwise
  char state_of_mind = '?';  // the caregiver's AAI class: F, S (dismissing, Ds), E or U
  std::int64_t episodes = 0;
  std::int64_t shocks = 0;
  double responded_share = 0;
  double coordinated_fraction = 0;
  double repairs_per_min = 0;
  double ruptures_per_min = 0;
  double positive_share = 0;
  double negative_share = 0;
  double fr_per_hour = 0;
  double cortisol = 0;
};

// The continuous scales, each in [0, 1].
struct Scales {
  double expectation, avoidance, resistance, disorganization, security;
};
Scales scales(const InfantParams& p, const WorkingModel& wm);

// 'A', 'B' or 'C' from the expected comfort and the organized scales; the classification is 'D'
// above θ_D with this as the forced secondary.
char organized_class(const InfantParams& p, double expectation, double avoidance, double resistance);
struct Classification {
  char primary;
  char secondary;  // '-' unless primary is 'D'
};
Classification classify(const InfantParams& p, const Scales& s);

// The caregiver's Adult Attachment Interview classification, as a coder would give it from her
// state-of-mind dimensions: 'U' (unresolved) if u ≥ θ_U; else 'F' (autonomous) if d < θ_Ds and
// p < θ_Ep; else whichever exceeds its threshold by the larger ratio, 'S' (dismissing, the AAI's
// Ds) or 'E' (preoccupied), dismissing on a tie.
char state_of_mind(const InfantParams& p, const CaregiverParams& c);

// Outcomes of one relationship with caregiver `c` (`period`: the whole run, or one day;
// `cortisol`: the value to report).
Outcome outcome(const InfantParams& p, const CaregiverParams& c, const WorkingModel& wm,
                const Interaction& period, const Infant& infant, double cortisol);

// One output field: how to read it from an Outcome, for tables, daily series and docs.
struct OutcomeField {
  std::string_view name;
  std::string_view meaning;
  enum Kind { real, count, letter } kind;
  double (*get)(const Outcome&);
};
std::span<const OutcomeField> outcome_fields();

struct ClassInfo {
  char letter;
  std::string_view name;
};
std::span<const ClassInfo> classes();

// The per-phase measures of a protocol, for tables and docs.
struct PhaseField {
  std::string_view name;
  std::string_view meaning;
  enum Kind { real, count } kind;
  double PhaseMeasures::*member;
};
std::span<const PhaseField> phase_fields();

// The classification a Strange Situation coder gives from the reunion phases (Phase::reunion):
// D when fear displays (≥ 1.5% of reunion time) or dissociation are seen, with the forced
// secondary from the organized rule; A when the infant looks away (≥ 35%) with hardly any protest
// (< 3%); C when it protests (≥ 6%) or is not calmed for a quarter of the reunions; else B.
// '?' when the protocol has no reunion phase.
Classification observed_class(std::span<const sim::Phase> phases, std::span<const PhaseMeasures> measures);
// The same over measures that are all reunion phases.
Classification observed_class(std::span<const PhaseMeasures> reunions);

}  // namespace attune::mutual
