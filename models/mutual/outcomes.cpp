#include "models/mutual/outcomes.hpp"

#include <algorithm>
#include <array>

namespace attune::mutual {

Scales scales(const InfantParams& p, const WorkingModel& wm) {
  Scales s;
  s.expectation = std::clamp(wm.expectation, 0.0, 1.0);
  s.avoidance = std::clamp((1.0 - wm.gain) / (1.0 - p.gain_min), 0.0, 1.0);
  s.resistance = std::clamp((wm.gain - 1.0) / (p.gain_max - 1.0), 0.0, 1.0);
  s.disorganization = std::clamp(wm.fear, 0.0, 1.0);
  // Secure base: comfort expected, and neither strategy nor fear in the way.
  s.security = s.expectation * (1.0 - s.avoidance) * (1.0 - s.resistance) * (1.0 - s.disorganization);
  return s;
}

char organized_class(const InfantParams& p, double expectation, double avoidance, double resistance) {
  // Security is confidence that comfort will come (Ainsworth et al. 1978), not merely the absence
  // of a strategy: an infant whose gain sits near 1 while it expects little comfort is between the
  // two insecure strategies, and leans to the side its gain is on.
  if (avoidance < p.organized_threshold && resistance < p.organized_threshold &&
      expectation >= p.secure_expectation)
    return 'B';
  return avoidance >= resistance ? 'A' : 'C';
}

Classification classify(const InfantParams& p, const Scales& s) {
  const char organized = organized_class(p, s.expectation, s.avoidance, s.resistance);
  if (s.disorganization > p.d_threshold) return {'D', organized};
  return {organized, '-'};
}

char state_of_mind(const InfantParams& p, const CaregiverParams& c) {
  if (c.unresolved >= p.aai_unresolved_threshold) return 'U';
  const double dismissing = c.dismissing / p.aai_dismissing_threshold;
  const double preoccupied = c.preoccupied / p.aai_preoccupied_threshold;
  if (dismissing < 1.0 && preoccupied < 1.0) return 'F';
  return dismissing >= preoccupied ? 'S' : 'E';
}

Outcome outcome(const InfantParams& p, const CaregiverParams& cg, const WorkingModel& wm,
                const Interaction& period, const Infant& infant, double cortisol) {
  Outcome o;
  o.expectation = wm.expectation;
  o.unpredictability = unpredictability_scale(wm.unpredictability);
  o.rejection = wm.rejection;
  o.signal_gain = wm.gain;
  o.fear = wm.fear;
  o.regulation = infant.regulation;
  o.sensitization = infant.sensitization;
  const Scales s = scales(p, wm);
  o.security = s.security;
  o.avoidance = s.avoidance;
  o.resistance = s.resistance;
  o.disorganization = s.disorganization;
  const Classification c = classify(p, s);
  o.classification = c.primary;
  o.secondary = c.secondary;
  o.episodes = period.episodes;
  o.shocks = period.shocks;
  o.responded_share = period.episodes > 0
                          ? static_cast<double>(period.responded) / static_cast<double>(period.episodes)
                          : 0.0;
  const double minutes = period.session_s / 60.0;
  o.coordinated_fraction = period.session_s > 0 ? period.coordinated_s / period.session_s : 0.0;
  o.repairs_per_min = minutes > 0 ? static_cast<double>(period.repairs) / minutes : 0.0;
  o.ruptures_per_min = minutes > 0 ? static_cast<double>(period.ruptures) / minutes : 0.0;
  o.positive_share = period.session_s > 0 ? period.positive_s / period.session_s : 0.0;
  o.negative_share = period.session_s > 0 ? period.negative_s / period.session_s : 0.0;
  o.fr_per_hour = minutes > 0 ? static_cast<double>(period.fr_events) / (minutes / 60.0) : 0.0;
  o.cortisol = cortisol;
  o.state_of_mind = state_of_mind(p, cg);
  return o;
}

namespace {
// The coder's rule over the phases for which `coded(i)` holds.
template <class Coded>
Classification code_reunions(std::span<const PhaseMeasures> measures, Coded coded) {
  double secs = 0, negative = 0, avert = 0, resist = 0, fear = 0, dissociation = 0, uncalmed = 0;
  for (std::size_t i = 0; i < measures.size(); ++i) {
    if (!coded(i)) continue;
    const PhaseMeasures& m = measures[i];
    secs += m.duration_s;
    negative += m.negative_share * m.duration_s;
    avert += m.avert_share * m.duration_s;
    resist += m.resist_share * m.duration_s;
    fear += m.fear_share * m.duration_s;
    dissociation += m.dissociation_share * m.duration_s;
    uncalmed += m.latency_to_calm_s;
  }
  if (secs <= 0) return {'?', '-'};
  negative /= secs;
  avert /= secs;
  resist /= secs;
  // The organized pattern as coders read it (Ainsworth et al. 1978): avoidance of the returning
  // caregiver (looking away, hardly any distress); resistance, that is distress that her comfort
  // does not end (protest while she soothes, or no calming for a quarter of the reunion); or
  // neither. Distress as such is not resistance: a secure infant may cry at reunion and be
  // comforted (B3, B4).
  char organized = 'B';
  if (avert >= 0.35 && negative < 0.03)
    organized = 'A';
  else if (resist >= 0.06 || uncalmed >= 0.25 * secs)
    organized = 'C';
  if (fear / secs >= 0.015 || dissociation > 0) return {'D', organized};
  return {organized, '-'};
}
}  // namespace

Classification observed_class(std::span<const sim::Phase> phases, std::span<const PhaseMeasures> measures) {
  return code_reunions(measures.first(std::min(phases.size(), measures.size())),
                       [&](std::size_t i) { return phases[i].reunion; });
}

Classification observed_class(std::span<const PhaseMeasures> reunions) {
  return code_reunions(reunions, [](std::size_t) { return true; });
}

namespace {
using K = OutcomeField::Kind;
// clang-format off
const std::array<OutcomeField, 27> kFields{{
  {"expectation", "E: expected comfort when distressed (delta rule over episodes)", K::real, [](const Outcome& o) { return o.expectation; }},
  {"unpredictability", "(min(1, 4V))³: learned unpredictability of comfort", K::real, [](const Outcome& o) { return o.unpredictability; }},
  {"rejection", "R: expected rejection of distress bids", K::real, [](const Outcome& o) { return o.rejection; }},
  {"signal_gain", "g: signalling strategy (<1 deactivating, >1 hyperactivating)", K::real, [](const Outcome& o) { return o.signal_gain; }},
  {"fear", "F: learned fear of the caregiver", K::real, [](const Outcome& o) { return o.fear; }},
  {"regulation", "r: the infant's self-regulation, per s", K::real, [](const Outcome& o) { return o.regulation; }},
  {"sensitization", "S: HPA sensitization by unrepaired distress", K::real, [](const Outcome& o) { return o.sensitization; }},
  {"security", "E·(1−avoidance)·(1−resistance)·(1−disorganization)", K::real, [](const Outcome& o) { return o.security; }},
  {"avoidance", "clamp((1−g)/(1−g_min), 0, 1)", K::real, [](const Outcome& o) { return o.avoidance; }},
  {"resistance", "clamp((g−1)/(g_max−1), 0, 1)", K::real, [](const Outcome& o) { return o.resistance; }},
  {"disorganization", "F", K::real, [](const Outcome& o) { return o.disorganization; }},
  {"classification", "D if F > θ_D; else B if avoidance and resistance < θ_B and E ≥ θ_E; else A if avoidance ≥ resistance; else C", K::letter, [](const Outcome& o) { return static_cast<double>(o.classification); }},
  {"secondary", "for D the forced organized classification (A, B or C); '-' otherwise", K::letter, [](const Outcome& o) { return static_cast<double>(o.secondary); }},
  {"episodes", "distress episodes that ended", K::count, [](const Outcome& o) { return static_cast<double>(o.episodes); }},
  {"shocks", "episodes that ended in dissociation (distress without an available partner ≥ T_s)", K::count, [](const Outcome& o) { return static_cast<double>(o.shocks); }},
  {"responded_share", "share of episodes soothed within W without fright", K::real, [](const Outcome& o) { return o.responded_share; }},
  {"coordinated_fraction", "share of session time in matched states", K::real, [](const Outcome& o) { return o.coordinated_fraction; }},
  {"repairs_per_min", "mismatch→match transitions per session minute", K::real, [](const Outcome& o) { return o.repairs_per_min; }},
  {"ruptures_per_min", "match→mismatch transitions per session minute", K::real, [](const Outcome& o) { return o.ruptures_per_min; }},
  {"positive_share", "share of session time in positive engagement", K::real, [](const Outcome& o) { return o.positive_share; }},
  {"negative_share", "share of session time in protest", K::real, [](const Outcome& o) { return o.negative_share; }},
  {"fr_per_hour", "seconds of frightened/frightening caregiver behaviour per hour of interaction", K::real, [](const Outcome& o) { return o.fr_per_hour; }},
  {"cortisol", "mean session-end cortisol z over the final min(30, days) days", K::real, [](const Outcome& o) { return o.cortisol; }},
  {"security_binary", "1 if classified B, else 0", K::count, [](const Outcome& o) { return o.classification == 'B' ? 1.0 : 0.0; }},
  {"state_of_mind", "the caregiver's AAI class from u, d, p: U if u ≥ θ_U; else F if d < θ_Ds and p < θ_Ep; else S (dismissing, Ds) or E (preoccupied), by the larger ratio to its threshold", K::letter, [](const Outcome& o) { return static_cast<double>(o.state_of_mind); }},
  {"autonomous", "1 if the caregiver's state of mind is autonomous (F), else 0", K::count, [](const Outcome& o) { return o.state_of_mind == 'F' ? 1.0 : 0.0; }},
  {"unresolved_aai", "1 if the caregiver's state of mind is unresolved (U), else 0", K::count, [](const Outcome& o) { return o.state_of_mind == 'U' ? 1.0 : 0.0; }},
}};
const std::array<ClassInfo, 4> kClasses{{
  {'B', "secure"}, {'A', "avoidant"}, {'C', "resistant"}, {'D', "disorganized"}}};

using PK = PhaseField::Kind;
const std::array<PhaseField, 20> kPhaseFields{{
  {"duration_s", "length of the phase, s", PK::real, &PhaseMeasures::duration_s},
  {"arousal_mean", "mean infant arousal", PK::real, &PhaseMeasures::arousal_mean},
  {"arousal_peak", "highest infant arousal", PK::real, &PhaseMeasures::arousal_peak},
  {"positive_share", "share of time in positive engagement", PK::real, &PhaseMeasures::positive_share},
  {"negative_share", "share of time in protest (negative affect)", PK::real, &PhaseMeasures::negative_share},
  {"signalling_share", "share of time looking at the partner (attend or positive): social signalling", PK::real, &PhaseMeasures::signalling_share},
  {"avert_share", "share of time looking away", PK::real, &PhaseMeasures::avert_share},
  {"resist_share", "share of time protesting while being soothed (comfort resisted)", PK::real, &PhaseMeasures::resist_share},
  {"coordinated_share", "share of time in matched states", PK::real, &PhaseMeasures::coordinated_share},
  {"ruptures", "match→mismatch transitions", PK::count, &PhaseMeasures::ruptures},
  {"repairs", "mismatch→match transitions", PK::count, &PhaseMeasures::repairs},
  {"episodes", "distress episodes that ended in the phase", PK::count, &PhaseMeasures::episodes},
  {"fr_events", "seconds of frightened/frightening behaviour", PK::count, &PhaseMeasures::fr_events},
  {"latency_to_calm_s", "from the phase's first distress to arousal below θ_d/2 (censored at the phase end; 0 if never distressed)", PK::real, &PhaseMeasures::latency_to_calm_s},
  {"fear_share", "share of time with fear displays or frightening behaviour from the caregiver", PK::real, &PhaseMeasures::fear_share},
  {"dissociation_share", "share of time dissociated (frozen)", PK::real, &PhaseMeasures::dissociation_share},
  {"cortisol_mean", "mean cortisol z", PK::real, &PhaseMeasures::cortisol_mean},
  {"cortisol_end", "cortisol z at the phase's end", PK::real, &PhaseMeasures::cortisol_end},
  {"cortisol_peak", "highest cortisol z", PK::real, &PhaseMeasures::cortisol_peak},
  {"cortisol_peak_s", "when the phase's highest cortisol came, s since the protocol's start", PK::real, &PhaseMeasures::cortisol_peak_s},
}};
// clang-format on
}  // namespace

std::span<const OutcomeField> outcome_fields() { return kFields; }
std::span<const ClassInfo> classes() { return kClasses; }
std::span<const PhaseField> phase_fields() { return kPhaseFields; }

}  // namespace attune::mutual
