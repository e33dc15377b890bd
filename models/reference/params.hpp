// Parameters of the reference dyad model (MODEL.md). Defaults are MODEL.md's; the tables in
// params.cpp give each one's key, symbol, unit, meaning and valid range.
#pragma once

#include <span>

#include "sim/param_info.hpp"

namespace attune::reference {

// Drawn once per caregiver from the scenario's population distributions.
struct CaregiverParams {
  double attunement = 0.7;             // a: accuracy of reading the infant's cues, [0,1]
  double rupture_rate = 1.0;           // λ_r: disengagements per min while engaged
  double repair_rate = 2.0;            // μ: re-engagements per min while disengaged
  double rejection = 0.0;              // q: distress signal's effect on the rupture hazard
  double baseline_stress = 0.2;        // b_c: caregiver's resting arousal
  double resonance = 0.05;             // ρ: pull toward the infant's arousal, per s
  double caregiver_regulation = 0.05;  // r_c: self-regulation, per s
  double caregiver_noise = 0.05;       // σ_c: arousal noise, per √s
  double soothing_gain = 0.15;         // k: soothing strength, per s
  double perception_noise = 1.0;       // σ_p: perception noise at zero attunement
  double intrusiveness = 0.1;          // k_i: over-stimulation at zero attunement, per s
  double flood_threshold = 2.0;        // θ_f: arousal above which behaviour frightens
  double fright_jump = 0.5;            // J_f: infant arousal added per s of frightening behaviour
};

// Shared by all infants of a scenario.
struct InfantParams {
  double regulation_initial = 0.01;         // r₀, per s
  double regulation_max = 0.05;             // r_max, per s
  double infant_noise = 0.15;               // σ_x, per √s
  double stressor_rate = 1.0;               // λ_s, per min
  double stressor_size = 1.0;               // J₀, mean of the exponential
  double distress_threshold = 1.0;          // θ_d
  double shock_s = 60.0;                    // T_s, s
  double dissociation_s = 60.0;             // T_D, s
  double hypoarousal = 0.5;                 // h
  double cortisol_tau_s = 1200.0;           // τ_z, s
  double cortisol_gain = 0.01;              // γ
  double forgetting = 0.98;                 // ω
  double response_window_s = 20.0;          // W, s
  double response_min = 0.5;                // m
  double strategy_rate = 0.05;              // η_g
  double gain_min = 0.2;                    // g_min
  double gain_max = 3.0;                    // g_max
  double hyper = 1.0;                       // H
  double deact = 1.5;                       // Dₐ
  double signal_floor = 0.5;                // s₀
  double contingency_memory_per_day = 0.9;  // w_c
  double fear_rate = 0.05;                  // η_f
  double coregulation_rate = 0.002;         // η_r
  double maturation_per_day = 0.01;         // m_r
};

sim::ParamTables param_tables();

// Build the typed structs from values ordered as in param_tables(); sizes must match.
CaregiverParams caregiver_from(std::span<const double> values);
InfantParams infant_from(std::span<const double> values);

// Cross-parameter rules the per-key ranges cannot express (e.g. gain_min ≤ 1 ≤ gain_max).
// Returns nullptr when valid, else a message naming the keys.
const char* infant_consistency_error(const InfantParams& p);

}  // namespace attune::reference
