#include "models/reference/outcomes.hpp"

#include <algorithm>
#include <array>

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
// clang-format on
}  // namespace

std::span<const OutcomeField> outcome_fields() { return kFields; }
std::span<const ClassInfo> classes() { return kClasses; }

}  // namespace attune::reference
