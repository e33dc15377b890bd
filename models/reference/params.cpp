#include "models/reference/params.hpp"

#include <array>
#include <cassert>

namespace attune::reference {
namespace {

using sim::DistKind;
using sim::kInf;
using sim::ParamInfo;

template <class P>
struct Field {
  ParamInfo info;
  double P::*member;
};

// clang-format off
const std::array<Field<CaregiverParams>, 13> kCaregiver{{
  {{"attunement", "a", "1", "accuracy and strength of the caregiver's reading of the infant's cues", 0.7, 0, 1, false, false, DistKind::beta, 10}, &CaregiverParams::attunement},
  {{"rupture_rate", "λ_r", "per min", "spontaneous disengagements per minute while engaged", 1.0, 0, kInf, false, false, DistKind::lognormal, 0.5}, &CaregiverParams::rupture_rate},
  {{"repair_rate", "μ", "per min", "re-engagements per minute while disengaged, before cue effects", 2.0, 0, kInf, false, false, DistKind::lognormal, 0.5}, &CaregiverParams::repair_rate},
  {{"rejection", "q", "1", "how much the infant's distress signal raises the disengagement hazard", 0.0, 0, kInf}, &CaregiverParams::rejection},
  {{"baseline_stress", "b_c", "1", "the caregiver's own resting arousal (depression, trauma, poverty load)", 0.2, 0, kInf, false, false, DistKind::lognormal, 0.8}, &CaregiverParams::baseline_stress},
  {{"resonance", "ρ", "per s", "pull of the caregiver's arousal toward the infant's", 0.05}, &CaregiverParams::resonance},
  {{"caregiver_regulation", "r_c", "per s", "caregiver self-regulation", 0.05}, &CaregiverParams::caregiver_regulation},
  {{"caregiver_noise", "σ_c", "per √s", "caregiver arousal noise", 0.05}, &CaregiverParams::caregiver_noise},
  {{"soothing_gain", "k", "per s", "soothing strength", 0.15}, &CaregiverParams::soothing_gain},
  {{"perception_noise", "σ_p", "1", "perception noise at zero attunement", 1.0}, &CaregiverParams::perception_noise},
  {{"intrusiveness", "k_i", "per s", "over-stimulation strength at zero attunement", 0.1}, &CaregiverParams::intrusiveness},
  {{"flood_threshold", "θ_f", "1", "caregiver arousal above which her behaviour frightens", 2.0}, &CaregiverParams::flood_threshold},
  {{"fright_jump", "J_f", "per s", "infant arousal added per second of frightening behaviour", 0.5}, &CaregiverParams::fright_jump},
}};

const std::array<Field<InfantParams>, 24> kInfant{{
  {{"regulation_initial", "r₀", "per s", "self-regulation rate at birth", 0.01}, &InfantParams::regulation_initial},
  {{"regulation_max", "r_max", "per s", "ceiling of the self-regulation rate", 0.05}, &InfantParams::regulation_max},
  {{"infant_noise", "σ_x", "per √s", "infant arousal noise", 0.15}, &InfantParams::infant_noise},
  {{"stressor_rate", "λ_s", "per min", "stressors per minute (hunger, discomfort)", 1.0}, &InfantParams::stressor_rate},
  {{"stressor_size", "J₀", "1", "mean arousal added by a stressor (exponential)", 1.0}, &InfantParams::stressor_size},
  {{"distress_threshold", "θ_d", "1", "arousal above which the infant is distressed", 1.0, 0, kInf, true}, &InfantParams::distress_threshold},
  {{"shock_s", "T_s", "s", "unattended distress that becomes a developmental shock", 60, 0, kInf, true}, &InfantParams::shock_s},
  {{"dissociation_s", "T_D", "s", "length of the dissociated (\"black hole\") state", 60}, &InfantParams::dissociation_s},
  {{"hypoarousal", "h", "1", "arousal floor of the dissociated state", 0.5}, &InfantParams::hypoarousal},
  {{"cortisol_tau_s", "τ_z", "s", "time constant of each cortisol stage", 1200, 0, kInf, true}, &InfantParams::cortisol_tau_s},
  {{"cortisol_gain", "γ", "1", "cortisol gain", 0.01}, &InfantParams::cortisol_gain},
  {{"forgetting", "ω", "1", "weight kept by old availability evidence at each episode's end", 0.98, 0, 1}, &InfantParams::forgetting},
  {{"response_window_s", "W", "s", "a response within W s of distress onset counts as a response", 20}, &InfantParams::response_window_s},
  {{"response_min", "m", "1", "a response is soothing u ≥ m·k·θ_d", 0.5}, &InfantParams::response_min},
  {{"strategy_rate", "η_g", "1", "speed of the signalling strategy", 0.05, 0, 1}, &InfantParams::strategy_rate},
  {{"gain_min", "g_min", "1", "lowest signal gain (most deactivated)", 0.2, 0, 1, false, true}, &InfantParams::gain_min},
  {{"gain_max", "g_max", "1", "highest signal gain (most hyperactivated)", 3.0, 1, kInf, true}, &InfantParams::gain_max},
  {{"hyper", "H", "1", "weight of hyperactivation", 1.0}, &InfantParams::hyper},
  {{"deact", "Dₐ", "1", "weight of deactivation", 1.5}, &InfantParams::deact},
  {{"signal_floor", "s₀", "1", "signal above which the infant counts as signalling", 0.5}, &InfantParams::signal_floor},
  {{"contingency_memory_per_day", "w_c", "1", "weight kept by contingency exposures at each day's end", 0.9, 0, 1}, &InfantParams::contingency_memory_per_day},
  {{"fear_rate", "η_f", "1", "speed of fear learning", 0.05, 0, 1}, &InfantParams::fear_rate},
  {{"coregulation_rate", "η_r", "1", "growth of r per co-regulated episode", 0.002, 0, 1}, &InfantParams::coregulation_rate},
  {{"maturation_per_day", "m_r", "per day", "growth of r toward r_max per day", 0.01, 0, 1}, &InfantParams::maturation_per_day},
}};
// clang-format on

template <class P, std::size_t N>
std::array<ParamInfo, N> infos(const std::array<Field<P>, N>& fields) {
  std::array<ParamInfo, N> out{};
  for (std::size_t i = 0; i < N; ++i) out[i] = fields[i].info;
  return out;
}

template <class P, std::size_t N>
P build(const std::array<Field<P>, N>& fields, std::span<const double> values) {
  assert(values.size() == N);
  P p{};
  for (std::size_t i = 0; i < N; ++i) p.*(fields[i].member) = values[i];
  return p;
}

const auto kCaregiverInfo = infos(kCaregiver);
const auto kInfantInfo = infos(kInfant);

}  // namespace

sim::ParamTables param_tables() { return {kCaregiverInfo, kInfantInfo}; }

CaregiverParams caregiver_from(std::span<const double> values) { return build(kCaregiver, values); }
InfantParams infant_from(std::span<const double> values) { return build(kInfant, values); }

const char* infant_consistency_error(const InfantParams& p) {
  if (p.regulation_initial > p.regulation_max) return "regulation_initial must not exceed regulation_max";
  return nullptr;
}

}  // namespace attune::reference
