#include "models/reference/outcomes.hpp"

#include <algorithm>
#include <array>
#include <cmath>

namespace attune::reference {

char classify(double avoidance, double resistance, double fear) {
  if (fear > 0.25) return 'D';
  if (avoidance < 0.35 && resistance < 0.35) return 'B';
  return avoidance >= resistance ? 'A' : 'C';
}

Outcome outcome(const InfantParams& p, const Iwm& iwm, const Interaction& period, double regulation,
                double cortisol) {
  Outcome o;
  o.availability = iwm.alpha / (iwm.alpha + iwm.beta);
  const double spread = 4.0 * o.availability * (1.0 - o.availability);
  o.unpredictability = spread * spread;
  o.rejection_contingency = rejection_contingency(iwm);
  o.signal_gain = iwm.gain;
  o.fear = iwm.fear;
  o.regulation = regulation;
  o.avoidance = std::clamp((1.0 - iwm.gain) / (1.0 - p.gain_min), 0.0, 1.0);
  o.resistance = std::clamp((iwm.gain - 1.0) / (p.gain_max - 1.0), 0.0, 1.0);
  o.disorganization = iwm.fear;
  o.classification = classify(o.avoidance, o.resistance, iwm.fear);
  o.shocks = period.shocks;
  o.episodes = period.episodes;
  o.coordinated_fraction = period.session_s > 0 ? period.coordinated_s / period.session_s : 0.0;
  o.repairs_per_min =
      period.session_s > 0 ? static_cast<double>(period.repairs) / (period.session_s / 60.0) : 0.0;
  o.synchrony = period.sessions > 0 ? period.synchrony_sum / static_cast<double>(period.sessions) : 0.0;
  o.cortisol = cortisol;
  return o;
}

char observed_classification(const InfantParams& p, std::span<const PhaseMeasures> reunions) {
  // Coders mark disorganization from a few seconds of freezing or of fear at the caregiver's return.
  constexpr double disorganized_s = 5.0;
  double fear_s = 0, frozen_s = 0, signal = 0, aroused = 0;
  for (const PhaseMeasures& m : reunions) {
    fear_s += m.fear_s;
    frozen_s += m.dissociated_s;
    if (!std::isnan(m.signal_per_arousal)) {
      signal += m.signal_per_arousal;
      aroused += 1;
    }
  }
  if (fear_s >= disorganized_s || frozen_s >= disorganized_s) return 'D';
  // Signalling per unit of distress: low means the infant turns away (avoidance), high means it
  // keeps calling while distressed (resistance). An infant that is never aroused shows neither.
  if (aroused == 0) return 'B';
  const double g = signal / aroused;  // the mean over reunions of signal per unit of distress
  return classify(std::clamp((1.0 - g) / (1.0 - p.gain_min), 0.0, 1.0),
                  std::clamp((g - 1.0) / (p.gain_max - 1.0), 0.0, 1.0), 0.0);
}

namespace {
using K = OutcomeField::Kind;
// clang-format off
const std::array<OutcomeField, 16> kFields{{
  {"availability", "p̂ = α/(α+β): expected availability of the caregiver", K::real, [](const Outcome& o) { return o.availability; }},
  {"unpredictability", "U = (4p̂(1−p̂))²: highest when care comes half the time", K::real, [](const Outcome& o) { return o.unpredictability; }},
  {"rejection_contingency", "R: how much more often the caregiver disengages when the infant signals", K::real, [](const Outcome& o) { return o.rejection_contingency; }},
  {"signal_gain", "g: signalling strategy (<1 deactivating, >1 hyperactivating)", K::real, [](const Outcome& o) { return o.signal_gain; }},
  {"fear", "F: learned fear of the caregiver", K::real, [](const Outcome& o) { return o.fear; }},
  {"regulation", "r: the infant's self-regulation rate, per s", K::real, [](const Outcome& o) { return o.regulation; }},
  {"avoidance", "clamp((1−g)/(1−g_min), 0, 1)", K::real, [](const Outcome& o) { return o.avoidance; }},
  {"resistance", "clamp((g−1)/(g_max−1), 0, 1)", K::real, [](const Outcome& o) { return o.resistance; }},
  {"disorganization", "F", K::real, [](const Outcome& o) { return o.disorganization; }},
  {"classification", "D if F > 0.25; else B if avoidance and resistance < 0.35; else A if avoidance ≥ resistance; else C", K::letter, [](const Outcome& o) { return static_cast<double>(o.classification); }},
  {"shocks", "developmental shocks (unattended distress ≥ T_s)", K::count, [](const Outcome& o) { return static_cast<double>(o.shocks); }},
  {"episodes", "distress episodes that ended (open ones at session end are dropped)", K::count, [](const Outcome& o) { return static_cast<double>(o.episodes); }},
  {"coordinated_fraction", "coordinated time / session time", K::real, [](const Outcome& o) { return o.coordinated_fraction; }},
  {"repairs_per_min", "miscoordinated→coordinated transitions per session minute", K::real, [](const Outcome& o) { return o.repairs_per_min; }},
  {"synchrony", "mean over sessions of the correlation of x and x_c", K::real, [](const Outcome& o) { return o.synchrony; }},
  {"cortisol", "mean session-end z over the final min(30, days) days", K::real, [](const Outcome& o) { return o.cortisol; }},
}};
const std::array<ClassInfo, 4> kClasses{{
  {'B', "secure"}, {'A', "avoidant"}, {'C', "resistant"}, {'D', "disorganized"}}};
const std::array<PhaseField, 13> kPhaseFields{{
  {"mean_arousal", "mean infant arousal x", &PhaseMeasures::mean_arousal},
  {"peak_arousal", "highest infant arousal x", &PhaseMeasures::peak_arousal},
  {"mean_signal", "mean distress signal s = g·max(x, 0)", &PhaseMeasures::mean_signal},
  {"signal_per_arousal", "Σ signal / Σ max(x, 0) while not dissociated (NaN if never aroused)", &PhaseMeasures::signal_per_arousal},
  {"coordinated_fraction", "share of the phase in coordinated states", &PhaseMeasures::coordinated_fraction},
  {"ruptures", "engaged→disengaged transitions", &PhaseMeasures::ruptures},
  {"repairs", "miscoordinated→coordinated transitions", &PhaseMeasures::repairs},
  {"episodes", "distress episodes that ended in the phase", &PhaseMeasures::episodes},
  {"shocks", "developmental shocks in the phase", &PhaseMeasures::shocks},
  {"latency_to_calm_s", "s from the phase's start until x < θ_d/2 (its length if never)", &PhaseMeasures::latency_to_calm_s},
  {"fear_s", "s of frightening caregiver behaviour", &PhaseMeasures::fear_s},
  {"dissociated_s", "s dissociated (freezing)", &PhaseMeasures::dissociated_s},
  {"cortisol_end", "cortisol z at the phase's end", &PhaseMeasures::cortisol_end},
}};
// clang-format on
}  // namespace

std::span<const PhaseField> phase_fields() { return kPhaseFields; }
std::span<const OutcomeField> outcome_fields() { return kFields; }
std::span<const ClassInfo> classes() { return kClasses; }

}  // namespace attune::reference
