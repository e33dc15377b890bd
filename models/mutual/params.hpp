// Parameters of the `mutual` model (docs/MODEL2.md). Defaults are MODEL2.md's; the tables in
// params.cpp give each one's key, symbol, unit, meaning, valid range and default population spread.
#pragma once

#include <span>

#include "sim/param_info.hpp"

namespace attune::mutual {

// Drawn once per caregiver from the scenario's population distributions (MODEL2.md §2).
struct CaregiverParams {
  // Ainsworth's sensitivity: noticing, interpreting correctly, responding promptly and fittingly.
  double sensitivity = 0.76;  // s, [0,1]
  // The caregiver's state of mind about attachment (Adult Attachment Interview), as dimensions:
  // all three low is autonomous.
  double dismissing = 0.18;      // d: turns away from distress bids; little moved by the infant's distress
  double preoccupied = 0.10;     // p: inconsistently available, own agenda, entangled in the infant's arousal
  double unresolved = 0.15;      // u: unresolved loss or trauma: frightened/frightening behaviour
  double baseline_stress = 0.2;  // b_c: resting dysregulation (depression, poverty load), [0,1]
  // Disrupted affective communication (Lyons-Ruth's AMBIANCE): anomalous caregiving that does not
  // follow from her state of mind; it raises frightened/frightening behaviour on its own.
  double anomalous = 0.15;             // a, [0,1]
  double caregiver_regulation = 0.02;  // r_c: return of her arousal to baseline, per s
  double contagion = 0.02;             // ρ: pull of the infant's distress on her arousal, per s
  double caregiver_noise = 0.02;       // σ_c: her arousal noise, per √s
  double notice_rate = 0.6;            // ν: noticing of the infant's state at s = 1, per s
  double distress_notice_rate = 0.3;   // ν_D: noticing of distress at s = 1, per s
  double own_agenda_rate = 6.0;        // λ_o: state changes on her own cues (distraction), per min
  double return_rate = 4.0;            // μ: re-engagements per min while away, before bids
  double soothing_gain = 0.06;         // k: co-regulation while soothing, per s
  double fr_max = 0.03;                // p_FR^max: highest chance of frightening behaviour per s
  double fr_threshold = 1.1;           // θ_FR: dysregulation at half the maximum (resolved caregiver)
  double fr_slope = 8.0;               // β_y: steepness of frightening behaviour in dysregulation
  double fr_unresolved = 5.0;          // β_u: shift of frightening behaviour by unresolved trauma
  double fr_secure_buffer = 1.0;       // ω_F: an autonomous state of mind buffers unresolved loss
  double fr_anomalous = 11.4;          // β_a: shift of frightening behaviour by anomalous caregiving
};

// Shared by all infants of a scenario: the infant's make-up and the model's constants.
struct InfantParams {
  // Affect and engagement states on the scale of seconds (MODEL2.md §7.3).
  double state_change_rate = 1.5;  // κ: infant state re-draws per s
  double weight_avert = 0.25;      // w_W
  double weight_attend = 0.4;      // w_N
  double weight_positive = 0.35;   // w_P
  double weight_protest = 1.0;     // w_X at x = θ_d and g = 1
  double play_contagion = 1.0;     // π: caregiver's play multiplies the positive weight by 1 + π
  // Arousal, in [0,1], saturating.
  double infant_noise = 0.02;       // σ_x, per √s
  double stressor_rate = 1.0;       // λ_s, per min
  double stressor_size = 0.3;       // J: a stressor closes 1 − e^(−J·Exp(1)) of the gap to 1
  double distress_threshold = 0.6;  // θ_d
  double mismatch_stress = 0.02;    // μ_m: arousal drive of an unmet bid, per s
  double separation_stress = 0.02;  // μ_s: arousal drive while no attachment figure is present, per s
  double stranger_wariness = 0.01;  // μ_w: arousal drive while a stranger is present, per s
  double stranger_comfort = 0.5;    // c_w: a stranger's soothing relative to the caregiver's
  double fright_input = 0.3;        // φ: arousal gap closed by one second of frightening behaviour
  double comfort_resistance = 1.0;  // ρ_R: soothing relief ÷ (1 + ρ_R·max(g − 1, 0))
  double avert_regulation = 0.02;   // r_W: extra down-regulation while looking away, per s
  // Self-regulation: grows through co-regulation, differs between infants.
  double regulation_initial = 0.01;   // r₀, per s (before temperament)
  double regulation_max = 0.05;       // r_max, per s (before temperament)
  double temperament_sd = 0.3;        // σ_T: log-sd of the infant's regulatory capacity
  double coregulation_rate = 0.003;   // η_r per co-regulated episode
  double maturation_per_day = 0.001;  // m_r
  // Distress episodes and what the working model learns from them.
  double response_window_s = 20.0;        // W
  double expectation_rate = 0.05;         // η_E
  double rejection_rate = 0.05;           // η_R
  double fear_rate = 0.02;                // η_F per second of frightening behaviour
  double fear_forgetting_per_day = 0.03;  // δ_F
  double fear_display_rate = 0.05;        // λ_F: fear displays per s at F = 1 with the caregiver engaged
  double strategy_rate = 0.05;            // η_g
  double gain_min = 0.2;                  // g_min
  double gain_max = 3.0;                  // g_max
  double hyper = 1.0;                     // H
  double deact = 2.0;                     // D_a
  double shock_s = 60.0;                  // T_s
  double dissociation_s = 30.0;           // T_D
  // HPA axis.
  double hpa_release_tau_s = 720.0;           // τ₁
  double hpa_clearance_tau_s = 2700.0;        // τ₂
  double hpa_gain = 0.01;                     // γ
  double sensitization_rate = 0.02;           // η_S per unrepaired episode
  double sensitization_gain = 2.0;            // κ_S
  double sensitization_decay_per_day = 0.01;  // δ_S
  // Classification thresholds (of the working-model classification).
  double d_threshold = 0.4;           // F above which the relationship is D
  double organized_threshold = 0.35;  // avoidance/resistance below which it is B
  double secure_expectation = 0.5;    // θ_E: B also needs expected comfort E at least this
  // Measurement: a coder codes the dyad's states once per Δ_c s (a time base), so a mismatch and
  // its repair within one Δ_c are not seen. Without it the counts grew as dt fell (MODEL2.md §8b).
  double coding_interval_s = 1.0;  // Δ_c
  // Measurement: how an Adult Attachment Interview coder would classify the caregiver from her
  // state-of-mind dimensions (MODEL2.md §5.4). Chosen so that the default population has the
  // normative distribution of non-clinical mothers (Bakermans-Kranenburg & van IJzendoorn 2009).
  double aai_unresolved_threshold = 0.32;   // θ_U: u at or above which she is unresolved (U)
  double aai_dismissing_threshold = 0.27;   // θ_Ds: d/θ_Ds ≥ 1 and ≥ p/θ_Ep is dismissing (Ds)
  double aai_preoccupied_threshold = 0.16;  // θ_Ep: p/θ_Ep ≥ 1 and > d/θ_Ds is preoccupied (E)
};

sim::ParamTables param_tables();

// Build the typed structs from values ordered as in param_tables(); sizes must match.
CaregiverParams caregiver_from(std::span<const double> values);
InfantParams infant_from(std::span<const double> values);

// Cross-parameter rules the per-key ranges cannot express. nullptr when valid.
const char* infant_consistency_error(const InfantParams& p);

}  // namespace attune::mutual
