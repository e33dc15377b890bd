#include "models/mutual/params.hpp"

#include <array>
#include <cassert>

namespace attune::mutual {
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
const std::array<Field<CaregiverParams>, 20> kCaregiver{{
  {{"sensitivity", "s", "1", "Ainsworth's sensitivity: notices the infant's state, reads it right, responds promptly and fittingly", 0.76, 0, 1, false, false, DistKind::beta, 8}, &CaregiverParams::sensitivity},
  {{"dismissing", "d", "1", "AAI dismissing state of mind: turns away from distress bids, little moved by distress", 0.18, 0, 1, false, false, DistKind::beta, 2}, &CaregiverParams::dismissing},
  {{"preoccupied", "p", "1", "AAI preoccupied state of mind: inconsistently available, own agenda, entangled in the infant's arousal", 0.10, 0, 1, false, false, DistKind::beta, 3}, &CaregiverParams::preoccupied},
  {{"unresolved", "u", "1", "AAI unresolved loss or trauma: raises frightened/frightening behaviour", 0.15, 0, 1, false, false, DistKind::beta, 1.5}, &CaregiverParams::unresolved},
  {{"baseline_stress", "b_c", "1", "the caregiver's resting dysregulation (depression, poverty load)", 0.2, 0, 1, false, true, DistKind::beta, 6}, &CaregiverParams::baseline_stress},
  {{"anomalous", "a", "1", "disrupted affective communication (AMBIANCE): frightened/frightening, contradictory or withdrawing care that does not follow from her state of mind", 0.15, 0, 1, false, false, DistKind::beta, 2}, &CaregiverParams::anomalous},
  {{"caregiver_regulation", "r_c", "per s", "return of the caregiver's arousal to her baseline", 0.02}, &CaregiverParams::caregiver_regulation},
  {{"contagion", "ρ", "per s", "pull of the infant's arousal on the engaged caregiver's arousal", 0.02}, &CaregiverParams::contagion},
  {{"caregiver_noise", "σ_c", "per √s", "caregiver arousal noise", 0.02}, &CaregiverParams::caregiver_noise},
  {{"notice_rate", "ν", "per s", "noticing of the infant's state by a fully sensitive caregiver", 0.6}, &CaregiverParams::notice_rate},
  {{"distress_notice_rate", "ν_D", "per s", "noticing of the infant's distress by a fully sensitive caregiver (then she soothes, or turns away)", 0.3}, &CaregiverParams::distress_notice_rate},
  {{"own_agenda_rate", "λ_o", "per min", "state changes on the caregiver's own cues (distraction, own agenda)", 6.0, 0, kInf, false, false, DistKind::lognormal, 0.5}, &CaregiverParams::own_agenda_rate},
  {{"return_rate", "μ", "per min", "re-engagements per minute while away, before the infant's bids", 4.0, 0, kInf, false, false, DistKind::lognormal, 0.5}, &CaregiverParams::return_rate},
  {{"soothing_gain", "k", "per s", "co-regulation of the infant's arousal while soothing", 0.06}, &CaregiverParams::soothing_gain},
  {{"fr_max", "p_FR^max", "per s", "highest chance per second of frightened/frightening behaviour", 0.03, 0, 1}, &CaregiverParams::fr_max},
  {{"fr_threshold", "θ_FR", "1", "dysregulation at which a resolved caregiver reaches half the maximum", 1.1}, &CaregiverParams::fr_threshold},
  {{"fr_slope", "β_y", "1", "steepness of frightening behaviour in the caregiver's dysregulation", 8.0}, &CaregiverParams::fr_slope},
  {{"fr_unresolved", "β_u", "1", "shift of frightening behaviour by unresolved loss or trauma, at full insecurity", 5.0}, &CaregiverParams::fr_unresolved},
  {{"fr_secure_buffer", "ω_F", "1", "how far an autonomous state of mind keeps unresolved loss from becoming frightening behaviour (0: not at all; 1: entirely)", 1.0, 0, 1}, &CaregiverParams::fr_secure_buffer},
  {{"fr_anomalous", "β_a", "1", "shift of frightening behaviour by anomalous caregiving (not buffered by her state of mind)", 11.4}, &CaregiverParams::fr_anomalous},
}};

const std::array<Field<InfantParams>, 48> kInfant{{
  {{"state_change_rate", "κ", "per s", "rate at which the infant re-draws its affect/engagement state", 1.5}, &InfantParams::state_change_rate},
  {{"weight_avert", "w_W", "1", "weight of looking away (at calm, g = 1)", 0.25}, &InfantParams::weight_avert},
  {{"weight_attend", "w_N", "1", "weight of neutral attention to the partner", 0.4}, &InfantParams::weight_attend},
  {{"weight_positive", "w_P", "1", "weight of positive engagement (at calm)", 0.35}, &InfantParams::weight_positive},
  {{"weight_protest", "w_X", "1", "weight of protest at x = θ_d and g = 1", 1.0}, &InfantParams::weight_protest},
  {{"play_contagion", "π", "1", "the caregiver's play multiplies the positive weight by 1 + π", 1.0}, &InfantParams::play_contagion},
  {{"infant_noise", "σ_x", "per √s", "infant arousal noise", 0.02}, &InfantParams::infant_noise},
  {{"stressor_rate", "λ_s", "per min", "everyday stressors per minute (hunger, discomfort)", 1.0}, &InfantParams::stressor_rate},
  {{"stressor_size", "J", "1", "a stressor closes 1 − exp(−J·Exp(1)) of the gap between arousal and 1", 0.3}, &InfantParams::stressor_size},
  {{"distress_threshold", "θ_d", "1", "arousal above which the infant is distressed", 0.6, 0, 1, true, true}, &InfantParams::distress_threshold},
  {{"mismatch_stress", "μ_m", "per s", "arousal drive of a bid the partner does not meet", 0.02}, &InfantParams::mismatch_stress},
  {{"separation_stress", "μ_s", "per s", "arousal drive while no attachment figure is present", 0.02}, &InfantParams::separation_stress},
  {{"stranger_wariness", "μ_w", "per s", "arousal drive while a stranger is present", 0.01}, &InfantParams::stranger_wariness},
  {{"stranger_comfort", "c_w", "1", "a stranger's soothing relative to the caregiver's", 0.5, 0, 1}, &InfantParams::stranger_comfort},
  {{"fright_input", "φ", "1", "arousal gap closed by one second of frightening behaviour", 0.3, 0, 1}, &InfantParams::fright_input},
  {{"comfort_resistance", "ρ_R", "1", "a hyperactivating infant resists comfort: ϱ = 1 + ρ_R·max(g − 1, 0) divides soothing relief and multiplies the arousal its protest expresses while soothed", 1.0}, &InfantParams::comfort_resistance},
  {{"avert_regulation", "r_W", "per s", "extra down-regulation while looking away", 0.02}, &InfantParams::avert_regulation},
  {{"regulation_initial", "r₀", "per s", "self-regulation at birth, before temperament", 0.01}, &InfantParams::regulation_initial},
  {{"regulation_max", "r_max", "per s", "self-regulation ceiling, before temperament", 0.05}, &InfantParams::regulation_max},
  {{"temperament_sd", "σ_T", "1", "log-sd of the infant's regulatory capacity (drawn at birth)", 0.3}, &InfantParams::temperament_sd},
  {{"coregulation_rate", "η_r", "1", "growth of self-regulation toward its ceiling per co-regulated episode", 0.003, 0, 1}, &InfantParams::coregulation_rate},
  {{"maturation_per_day", "m_r", "per day", "growth of self-regulation toward its ceiling per day", 0.001, 0, 1}, &InfantParams::maturation_per_day},
  {{"response_window_s", "W", "s", "soothing within W s of distress onset counts as a response", 20}, &InfantParams::response_window_s},
  {{"expectation_rate", "η_E", "1", "learning rate of the expected comfort and its unpredictability", 0.05, 0, 1}, &InfantParams::expectation_rate},
  {{"rejection_rate", "η_R", "1", "learning rate of the expected rejection of distress bids", 0.05, 0, 1}, &InfantParams::rejection_rate},
  {{"fear_rate", "η_F", "1", "fear learned per second of frightened/frightening behaviour", 0.02, 0, 1}, &InfantParams::fear_rate},
  {{"fear_forgetting_per_day", "δ_F", "per day", "share of learned fear lost per day", 0.03, 0, 1}, &InfantParams::fear_forgetting_per_day},
  {{"fear_display_rate", "λ_F", "per s", "fear displays (freezing, apprehension) per s at F = 1, caregiver engaged", 0.05, 0, 1}, &InfantParams::fear_display_rate},
  {{"strategy_rate", "η_g", "1", "speed of the signalling strategy", 0.05, 0, 1}, &InfantParams::strategy_rate},
  {{"gain_min", "g_min", "1", "lowest signal gain (most deactivated)", 0.2, 0, 1, true, true}, &InfantParams::gain_min},
  {{"gain_max", "g_max", "1", "highest signal gain (most hyperactivated)", 3.0, 1, kInf, true}, &InfantParams::gain_max},
  {{"hyper", "H", "1", "weight of hyperactivation", 1.0}, &InfantParams::hyper},
  {{"deact", "D_a", "1", "weight of deactivation", 2.0}, &InfantParams::deact},
  {{"shock_s", "T_s", "s", "distress without an available partner that ends in dissociation", 60, 0, kInf, true}, &InfantParams::shock_s},
  {{"dissociation_s", "T_D", "s", "length of the dissociated (frozen) state", 30}, &InfantParams::dissociation_s},
  {{"hpa_release_tau_s", "τ₁", "s", "time constant of the first (release) stage of the HPA cascade", 720, 0, kInf, true}, &InfantParams::hpa_release_tau_s},
  {{"hpa_clearance_tau_s", "τ₂", "s", "time constant of cortisol clearance", 2700, 0, kInf, true}, &InfantParams::hpa_clearance_tau_s},
  {{"hpa_gain", "γ", "per s", "HPA drive per unit of arousal above θ_d", 0.01}, &InfantParams::hpa_gain},
  {{"sensitization_rate", "η_S", "1", "HPA sensitization per unrepaired distress episode", 0.02, 0, 1}, &InfantParams::sensitization_rate},
  {{"sensitization_gain", "κ_S", "1", "HPA drive multiplied by 1 + κ_S·S", 2.0}, &InfantParams::sensitization_gain},
  {{"sensitization_decay_per_day", "δ_S", "per day", "share of sensitization lost per day", 0.01, 0, 1}, &InfantParams::sensitization_decay_per_day},
  {{"d_threshold", "θ_D", "1", "learned fear above which the relationship is classified D", 0.4, 0, 1}, &InfantParams::d_threshold},
  {{"organized_threshold", "θ_B", "1", "avoidance and resistance below which an organized relationship is B", 0.35, 0, 1}, &InfantParams::organized_threshold},
  {{"secure_expectation", "θ_E", "1", "expected comfort E that an organized relationship needs to be B: without it, g near 1 is no strategy settled, not security", 0.5, 0, 1}, &InfantParams::secure_expectation},
  {{"coding_interval_s", "Δ_c", "s", "time base on which ruptures and repairs are coded (a state change and its return within one Δ_c is not seen; every step when Δ_c ≤ dt)", 1.0, 0, kInf, true}, &InfantParams::coding_interval_s},
  {{"aai_unresolved_threshold", "θ_U", "1", "unresolved u at or above which an AAI coder classifies the caregiver U (a measurement, not a mechanism)", 0.32, 0, 1, true}, &InfantParams::aai_unresolved_threshold},
  {{"aai_dismissing_threshold", "θ_Ds", "1", "dismissing d at which she is classified Ds, when d/θ_Ds ≥ p/θ_Ep (a measurement)", 0.27, 0, 1, true}, &InfantParams::aai_dismissing_threshold},
  {{"aai_preoccupied_threshold", "θ_Ep", "1", "preoccupied p at which she is classified E, when p/θ_Ep > d/θ_Ds (a measurement)", 0.16, 0, 1, true}, &InfantParams::aai_preoccupied_threshold},
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

// Parents with an autonomous (secure) state of mind are the more sensitive ones: van IJzendoorn
// (1995) found d = .72 (r = .34, 10 samples, N = 389) between AAI autonomy and observed
// responsiveness. Autonomy is low dismissing and low preoccupied, so sensitivity's normal score
// correlates −.34 with each. The meta-analytic r is between a classification and a rating; the
// latent correlation would be somewhat larger, so −.34 is the cautious reading. Unresolved loss is
// left out: its path to D does not run through sensitivity (Madigan et al. 2006).
constexpr std::string_view kAutonomySensitivity =
    "van IJzendoorn 1995: AAI autonomy and parental responsiveness, d = .72 (r = .34)";
// Depressed mothers are more disengaged with their infants: Lovejoy et al. (2000), d = .29
// (r = .14); the resting dysregulation b_c stands for that load.
constexpr std::string_view kDepressionSensitivity =
    "Lovejoy et al. 2000: maternal depression and disengaged parenting, d = .29 (r = .14)";
// Unresolved loss goes with anomalous caregiving, but explains little of it: Madigan et al. (2006),
// r = .26 over 12 samples. Anomalous caregiving is left uncorrelated with sensitivity: it predicts D
// where the sensitivity scales do not (van IJzendoorn et al. 1999: insensitivity → D r = .10).
constexpr std::string_view kUnresolvedAnomalous =
    "Madigan et al. 2006: unresolved state of mind and anomalous parental behaviour, r = .26";
// Disrupted communication also goes with an otherwise insecure state of mind: Lyons-Ruth et al.
// (2005) found hostile/helpless states of mind, which the organized AAI classes do not capture as
// U, related to disrupted maternal communication, which mediated their link with infant D;
// Haltigan et al. (2014) found preoccupation related to maternal withdrawal, one of AMBIANCE's
// dimensions. Neither gives a correlation with the dismissing or preoccupied scales, so .3 each is
// an assumption (the size of U's .26, rounded), set after the AAI transmission had been seen to
// fail without it (MODEL2.md section 8).
constexpr std::string_view kInsecureAnomalous =
    "Lyons-Ruth et al. 2005, Haltigan et al. 2014: direction; size .3 assumed";
const std::array<sim::ParamCorrelation, 6> kCorrelations{{
    {"sensitivity", "dismissing", -0.34, kAutonomySensitivity},
    {"sensitivity", "preoccupied", -0.34, kAutonomySensitivity},
    {"sensitivity", "baseline_stress", -0.14, kDepressionSensitivity},
    {"unresolved", "anomalous", 0.26, kUnresolvedAnomalous},
    {"dismissing", "anomalous", 0.3, kInsecureAnomalous},
    {"preoccupied", "anomalous", 0.3, kInsecureAnomalous},
}};

}  // namespace

sim::ParamTables param_tables() { return {kCaregiverInfo, kInfantInfo, kCorrelations}; }

CaregiverParams caregiver_from(std::span<const double> values) { return build(kCaregiver, values); }
InfantParams infant_from(std::span<const double> values) { return build(kInfant, values); }

const char* infant_consistency_error(const InfantParams& p) {
  if (p.regulation_initial > p.regulation_max) return "regulation_initial must not exceed regulation_max";
  if (p.weight_avert + p.weight_attend + p.weight_positive <= 0.0)
    return "weight_avert, weight_attend and weight_positive must not all be 0";
  return nullptr;
}

}  // namespace attune::mutual
