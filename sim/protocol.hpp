// Laboratory protocols (still-face, Strange Situation, a standard stressor): what the experimenter
// does, phase by phase. The engine knows who is in the room and what is done to the infant; each
// model decides what that means for its dynamics (docs/EXPERIMENTS.md).
#pragma once

#include <string>
#include <vector>

namespace attune::sim {

// One phase of a protocol. The defaults describe ordinary caregiving, so a protocol made of
// default phases is an ordinary session.
struct Phase {
  std::string name;
  double duration_s = 120.0;
  bool caregiver_present = true;  // false: a separation
  bool stranger_present = false;  // an unfamiliar adult, with Protocol::stranger's parameters
  // What a present caregiver does. A still face: present and looking (engaged), but no soothing,
  // no engagement changes (no ruptures, no repairs) and no resonance with the infant's arousal.
  bool soothing = true;
  bool engagement_changes = true;
  bool resonance = true;
  // A standardized stressor: arousal added at the phase's start, arousal added per second, and
  // the rate of ordinary stressors (per minute; negative keeps the infant's own).
  double arousal_pulse = 0.0;
  double arousal_input = 0.0;
  double stressor_rate = -1.0;
  double sample_every_s = 0.0;  // record the sampled series every this many seconds (0: never)
  bool reunion = false;         // coded for the observed (Strange Situation) classification

  bool ordinary() const {
    return caregiver_present && !stranger_present && soothing && engagement_changes && resonance &&
           arousal_pulse == 0.0 && arousal_input == 0.0 && stressor_rate < 0.0;
  }
  // Who interacts with the infant: the caregiver when present, else the stranger, else nobody.
  enum class Partner { caregiver, stranger, none };
  Partner partner() const {
    return caregiver_present ? Partner::caregiver : stranger_present ? Partner::stranger : Partner::none;
  }
};

struct Protocol {
  std::string name;
  int day = 0;      // the infant's age in days when it is given (0-based simulated day)
  int session = 0;  // which of that day's sessions it takes the place of
  // true: what the procedure did to the infant's state stays (as after a real procedure);
  // false: the state before the procedure is restored afterwards (the procedure only observes).
  bool carry_over = true;
  int caregiver = 0;  // which of the infant's caregivers takes part (0: the first)
  std::vector<Phase> phases;
  std::vector<double> stranger;  // the stranger's caregiver parameters, in the model's table order

  double duration_s() const {
    double total = 0;
    for (const Phase& p : phases) total += p.duration_s;
    return total;
  }
};

}  // namespace attune::sim
