// The reference dyad model of MODEL.md: state, one day of sessions, and IWM learning.
//
// Contract: simulate_day() advances one infant and its relationships by one day. Every draw
// comes from the infant's own counter-based stream at the step's global index, so a day's
// result depends only on the state it starts from, never on which thread runs it.
#pragma once

#include <cstdint>
#include <functional>
#include <span>

#include <vector>

#include "models/reference/params.hpp"
#include "sim/model.hpp"
#include "sim/protocol.hpp"
#include "sim/random.hpp"
#include "sim/schedule.hpp"

namespace attune::reference {

// The internal working model of one caregiver: the slow state of a relationship.
struct Iwm {
  double alpha = 1.0;            // Beta count: episodes responded to (discounted)
  double beta = 1.0;             // Beta count: episodes not responded to
  double signal_time_s = 0.0;    // engaged exposure while signalling (s > s₀)
  double signal_ruptures = 0.0;  // ruptures while signalling
  double calm_time_s = 0.0;      // engaged exposure while calm
  double calm_ruptures = 0.0;    // ruptures while calm
  double gain = 1.0;             // g: signalling strategy
  double fear = 0.0;             // F
};

// What happened in a relationship's sessions over some period (a day, or the whole run).
struct Interaction {
  double session_s = 0.0;
  double coordinated_s = 0.0;
  double synchrony_sum = 0.0;  // sum of per-session correlations of x and x_c
  std::int64_t sessions = 0;
  std::int64_t repairs = 0;
  std::int64_t episodes = 0;
  std::int64_t shocks = 0;

  void add(const Interaction& o);
};

struct Relationship {
  Iwm iwm;
  Interaction total;
  Interaction today;
};

struct Infant {
  double regulation = 0.0;  // r
  double z1 = 0.0;          // first cortisol stage
  double z = 0.0;           // cortisol
  double last_session_z = 0.0;
  double cortisol_sum = 0.0;  // session-end z over the final days
  std::int64_t cortisol_n = 0;
};

// One caregiver–infant tie as the model sees it during a day.
struct Tie {
  const CaregiverParams* caregiver;
  Relationship* relationship;
};

// Everything one step did, for traces and for tests of the dynamics. Recording is opt-in: the
// untraced simulate_day() compiles without any of it.
struct StepRecord {
  int day;
  int session;          // within the day
  std::int64_t step;    // within the session
  std::size_t tie;      // which of the infant's ties this session belongs to
  double x, xc;         // infant and caregiver arousal after the step
  double signal, u, v;  // signal sent, soothing and intrusion received
  double z1, z;         // cortisol stages after the step
  bool engaged;         // E after this step's transition
  bool stressor, rupture, repair;
  bool coordinated, fear, dissociated;
  bool episode_started, episode_ended, shock;
  double latency;  // of the episode that ended this step (inf: no response)
};
using StepSink = std::function<void(const StepRecord&)>;

// What one phase of a laboratory protocol showed (docs/EXPERIMENTS.md).
struct PhaseMeasures {
  double mean_arousal = 0, peak_arousal = 0, mean_signal = 0;
  double signal_per_arousal = 0;  // Σ signal / Σ max(x, 0) while not dissociated (NaN: never aroused)
  double coordinated_fraction = 0;
  double ruptures = 0, repairs = 0, episodes = 0, shocks = 0;
  double latency_to_calm_s = 0;  // from the phase's start until x < θ_d/2 (the phase's length if never)
  double fear_s = 0;             // seconds of frightening caregiver behaviour
  double dissociated_s = 0;      // seconds dissociated ("freezing")
  double cortisol_end = 0;       // z at the phase's end
};

using ProtocolSample = sim::ProtocolSample;

// A protocol given during simulate_day(): it takes the place of session `protocol->session`
// (or, without carry-over, is run on a copy of the state just before it).
struct LabVisit {
  const sim::Protocol* protocol;
  const CaregiverParams* stranger;
  std::size_t tie;                       // which of the day's ties is the caregiver
  PhaseMeasures* phases;                 // one per protocol phase, written
  std::vector<ProtocolSample>* samples;  // appended (may be null)
};

// How many doubles a saved infant and a saved relationship take (checkpoints).
inline constexpr std::size_t kInfantState = 6;
inline constexpr std::size_t kRelationshipState = 22;
void save_state(const Infant& in, double* out);
void load_state(const double* in, Infant& out);
void save_state(const Relationship& in, double* out);
void load_state(const double* in, Relationship& out);

class DyadModel {
 public:
  // `stage` keys the random streams of one scenario in a chain (initial_state): 0 for the first.
  DyadModel(const InfantParams& params, const sim::Schedule& schedule, std::uint64_t seed,
            std::uint64_t stage = 0);

  Infant new_infant() const;
  Relationship new_relationship() const { return {}; }
  // The working model of a caregiver who joins later starts from what the infant has come to expect
  // of its caregivers (their mean), held with the weight of at most kTransferEvidence episodes, with
  // no evidence yet about her contingencies (docs/EXPERIMENTS.md).
  static constexpr double kTransferEvidence = 10.0;
  Relationship relationship_from(std::span<const Relationship* const> known) const;

  // Runs every session of `day` (0-based). Sessions rotate over the infant's ties in order.
  // With `lab`, that day's protocol is given too.
  void simulate_day(std::uint64_t infant_id, int day, Infant& infant, std::span<const Tie> ties,
                    const LabVisit* lab = nullptr) const;
  // The same, calling `sink` after every step; results are identical to the untraced call.
  void simulate_day(std::uint64_t infant_id, int day, Infant& infant, std::span<const Tie> ties,
                    const StepSink& sink, const LabVisit* lab = nullptr) const;

  const InfantParams& params() const { return p_; }
  const sim::Schedule& schedule() const { return schedule_; }

 private:
  template <bool kTrace>
  void day_impl(std::uint64_t infant_id, int day, Infant& infant, std::span<const Tie> ties,
                const StepSink* sink, const LabVisit* lab) const;
  template <bool kTrace>
  void run_session(const CaregiverParams& cg, const sim::Stream& rng, std::uint64_t first_step,
                   Infant& infant, Relationship& rel, bool record_cortisol, StepRecord& rec,
                   const StepSink* sink) const;
  // A protocol as one session; returns its number of steps.
  template <bool kTrace>
  std::int64_t run_lab(const LabVisit& lab, const CaregiverParams& cg, std::uint64_t infant_id,
                       std::uint64_t session, Infant& infant, Relationship& rel, bool record_cortisol,
                       StepRecord& rec, const StepSink* sink) const;

  InfantParams p_;
  sim::Schedule schedule_;
  std::uint64_t seed_;
  std::uint64_t stage_;
  // Derived once per run, never per step.
  std::int64_t steps_;
  double sqrt_dt_;
  double p_stressor_;
  int cortisol_from_day_;
};

// The end-of-episode learning rule of MODEL.md, applied to one relationship.
// Exposed for tests: it is the part of the model with exact answers.
void learn_from_episode(const InfantParams& p, bool responded, bool frightened, bool shock, Iwm& iwm,
                        double& regulation);

// MODEL.md's rejection contingency R from the four exposure accumulators.
double rejection_contingency(const Iwm& iwm);

// Between-session decay of the two cortisol stages over a gap of `gap_s` seconds (no input).
void decay_cortisol(double& z1, double& z, double gap_s, double tau_s);

}  // namespace attune::reference
