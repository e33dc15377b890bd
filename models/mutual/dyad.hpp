// The `mutual` model of docs/MODEL2.md: state, one day of interaction sessions, laboratory
// protocols, and the working model's learning.
//
// Contract (as the reference model's): simulate_day() advances one infant and its relationships by
// one day. Every draw comes from the infant's own counter-based stream at the step's global index
// (one Philox block per step), so a day's result depends only on the state it starts from, never
// on which thread runs it. run_protocol() draws from a sub-stream of the same infant keyed by the
// protocol's day and session.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <span>
#include <vector>

#include "models/mutual/params.hpp"
#include "sim/protocol.hpp"
#include "sim/random.hpp"
#include "sim/schedule.hpp"

namespace attune::mutual {

// Infant affect/engagement states on the scale of seconds (after Tronick's monadic phases).
enum class InfantState : std::uint8_t { avert = 0, attend = 1, positive = 2, protest = 3 };
// What the partner is doing. `still`: a still face (present, looking, unresponsive; protocols only).
enum class CareState : std::uint8_t { away = 0, attend = 1, play = 2, soothe = 3, still = 4 };

// The fitting response to an infant state: soothe for protest and for any distress (x > θ_d) not
// shown as positive engagement; else wait (attend) for a look-away and for attention, play for
// positive engagement.
CareState fitting_response(InfantState i, bool distressed);
// Matched (coordinated): an engaged partner doing the fitting response to a partner-directed state.
bool coordinated(InfantState i, CareState c, bool distressed);
// The weights of avert, attend, positive and protest when the infant re-draws its state
// (MODEL2.md §7.3), at arousal x, strategy g, fear F, with the partner in state c.
std::array<double, 4> infant_state_weights(const InfantParams& p, double x, double gain, double fear,
                                           CareState c);

// The infant's working model of one caregiver: the slow state of a relationship.
struct WorkingModel {
  double expectation = 0.5;        // E: expected comfort when distressed
  double unpredictability = 0.25;  // V: expected squared prediction error of comfort (prior: maximal)
  double rejection = 0.0;          // R: expected rejection of distress bids
  double gain = 1.0;               // g: signalling strategy (<1 deactivating, >1 hyperactivating)
  double fear = 0.0;               // F: learned fear of the caregiver
};

// What happened in a relationship's ordinary sessions over some period (a day, or the whole run).
struct Interaction {
  double session_s = 0.0;
  double coordinated_s = 0.0;
  double positive_s = 0.0;
  double negative_s = 0.0;
  std::int64_t sessions = 0;
  std::int64_t repairs = 0;   // mismatch → match transitions
  std::int64_t ruptures = 0;  // match → mismatch transitions
  std::int64_t episodes = 0;
  std::int64_t responded = 0;  // episodes answered within W without fright
  std::int64_t shocks = 0;     // episodes that ended in dissociation
  std::int64_t fr_events = 0;  // seconds of frightened/frightening behaviour

  void add(const Interaction& o);
};

struct Relationship {
  WorkingModel wm;
  Interaction total;
  Interaction today;
};

struct Infant {
  double regulation = 0.0;      // r: self-regulation, per s
  double regulation_cap = 0.0;  // r_cap: this infant's ceiling (temperament)
  double z1 = 0.0;              // HPA release stage
  double z = 0.0;               // cortisol
  double sensitization = 0.0;   // S: HPA sensitization by unrepaired distress
  double cortisol_sum = 0.0;    // session-end z over the final days
  std::int64_t cortisol_n = 0;
  double last_session_z = 0.0;  // z at the end of the latest ordinary session
};

// One caregiver–infant tie as the model sees it during a day.
struct Tie {
  const CaregiverParams* caregiver;
  Relationship* relationship;
};

// Everything one step did, for traces and tests. Recording is opt-in: the untraced calls compile
// without any of it.
struct StepRecord {
  int day;
  int session;        // within the day (protocols: the session they replace)
  int phase;          // protocol phase, −1 in ordinary sessions
  std::int64_t step;  // within the session or protocol
  std::size_t tie;
  double x, y;  // infant arousal and partner arousal after the step
  double z1, z;
  InfantState infant;
  CareState partner;
  bool stressor, fr, fear_display, dissociated;
  bool coordinated, repair, rupture;
  bool episode_started, episode_ended, shock, responded;
};
using StepSink = std::function<void(const StepRecord&)>;

// Per-phase measures of a protocol (outcomes.hpp lists them with their meanings).
struct PhaseMeasures {
  int phase = 0;
  double duration_s = 0;
  double arousal_mean = 0, arousal_peak = 0;
  double positive_share = 0, negative_share = 0, signalling_share = 0, avert_share = 0;
  double resist_share = 0;  // protest while being soothed: comfort sought and resisted
  double coordinated_share = 0;
  double ruptures = 0, repairs = 0, episodes = 0, fr_events = 0;  // counts
  double latency_to_calm_s = 0;
  double fear_share = 0, dissociation_share = 0;
  double cortisol_mean = 0, cortisol_end = 0, cortisol_peak = 0, cortisol_peak_s = 0;
};

// A sampled point of a protocol (Phase::sample_every_s).
struct Sample {
  int phase;
  double t;  // seconds since the protocol's start
  double x, y, z;
  InfantState infant;
  CareState partner;
};
using SampleSink = std::function<void(const Sample&)>;

// The end of one distress episode, as the working model sees it.
struct Episode {
  bool responded;     // soothing began within W of onset
  bool frightened;    // frightening behaviour during the episode
  bool rejected;      // the caregiver turned away from the bid
  bool shock;         // ended in dissociation
  double duration_s;  // onset to end
};

// A protocol given during simulate_day() (as the reference model's LabVisit): it takes the place of
// session `protocol->session` of the day.
struct LabVisit {
  const sim::Protocol* protocol;
  const CaregiverParams* stranger;  // null: the protocol's own stranger values, else defaults
  std::size_t tie;                  // which of the day's ties is the caregiver
  PhaseMeasures* phases;            // one per protocol phase, written
  std::vector<Sample>* samples;     // appended (may be null)
};

class DyadModel {
 public:
  // `stage` keys the random streams of one scenario in a chain (a run continued from saved
  // state): 0 for the first.
  DyadModel(const InfantParams& params, const sim::Schedule& schedule, std::uint64_t seed,
            std::uint64_t stage = 0);

  // A newborn: its regulatory capacity is drawn from its own stream (temperament).
  Infant new_infant(std::uint64_t infant_id) const;
  Relationship new_relationship() const { return {}; }
  // The working model of a caregiver who joins later: what the infant has come to expect of its
  // caregivers (the mean expectation, unpredictability and strategy), with no fear or rejection yet.
  Relationship relationship_from(std::span<const Relationship* const> known) const;

  // Runs every session of `day` (0-based). Sessions rotate over the infant's ties in order.
  // With `lab`, that day's protocol takes the place of its session.
  void simulate_day(std::uint64_t infant_id, int day, Infant& infant, std::span<const Tie> ties,
                    const LabVisit* lab = nullptr) const;
  // The same, calling `sink` after every step; results are identical to the untraced call.
  void simulate_day(std::uint64_t infant_id, int day, Infant& infant, std::span<const Tie> ties,
                    const StepSink& sink, const LabVisit* lab = nullptr) const;

  // Runs a protocol's phases as one session with `tie`'s caregiver (the infant's state carries
  // through the phases and is changed by them). One PhaseMeasures per phase.
  std::vector<PhaseMeasures> run_protocol(std::uint64_t infant_id, const sim::Protocol& protocol,
                                          Infant& infant, const Tie& tie, const SampleSink& samples = {},
                                          const StepSink* steps = nullptr,
                                          const CaregiverParams* stranger = nullptr) const;

  const InfantParams& params() const { return p_; }
  const sim::Schedule& schedule() const { return schedule_; }

 private:
  template <bool kTrace>
  void day_impl(std::uint64_t infant_id, int day, Infant& infant, std::span<const Tie> ties,
                const LabVisit* lab, const StepSink* sink) const;
  sim::Stream stream(std::uint64_t infant_id, std::uint64_t sub) const;

  InfantParams p_;
  sim::Schedule schedule_;
  std::uint64_t seed_;
  std::uint64_t stage_;
  std::int64_t steps_;
  int cortisol_from_day_;
};

// Frightened/frightening behaviour: the chance per second for a caregiver at dysregulation y,
// p_FR^max·σ(β_y·(y − θ_FR) + β_u·u). Smooth and increasing in y and in u.
double fr_probability(const CaregiverParams& c, double y);

// How far her arousal y has risen above her resting level b_c: what lowers her care in the moment
// (MODEL2.md §7.2). Her usual load is already in her rated sensitivity (§5.4).
double care_load(const CaregiverParams& c, double y);
// The unpredictability the strategy responds to: (min(1, 4V))³, in [0,1] (4V = 1 when comfort
// comes half the time at random).
double unpredictability_scale(double v);

// The target of the signalling strategy (MODEL2.md §7.6): the stronger of the two conditional
// strategies, hyperactivation by unpredictability `spread` or deactivation by `pressure`.
double strategy_target(const InfantParams& p, double spread, double pressure);

// Whether an episode says nothing about the caregiver's comfort: it ended on its own, unanswered,
// before the response window was over, and without fright, rejection or shock (censored).
bool censored(const InfantParams& p, const Episode& e);

// The end-of-episode learning rule (MODEL2.md §7.6) applied to one working model and the infant.
void learn_from_episode(const InfantParams& p, const Episode& e, WorkingModel& wm, Infant& infant);

// Between-session decay of the two HPA stages over `gap_s` seconds without input (exact).
void decay_hpa(double& z1, double& z, double gap_s, double tau1, double tau2);

// The stage-2 impulse response's peak time of the continuous cascade, τ₁τ₂/(τ₂−τ₁)·ln(τ₂/τ₁)
// (τ where τ₁ = τ₂ = τ).
double hpa_peak_time(double tau1, double tau2);

// Checkpoints: how many doubles a saved infant and a saved relationship take (counts are exact
// below 2^53).
inline constexpr std::size_t kInfantState = 8;
inline constexpr std::size_t kRelationshipState = 5 + 2 * 11;
void save_state(const Infant& in, double* out);
void load_state(const double* in, Infant& out);
void save_state(const Relationship& in, double* out);
void load_state(const double* in, Relationship& out);

}  // namespace attune::mutual
