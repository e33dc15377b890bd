#include "models/mutual/dyad.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace attune::mutual {

std::array<double, 4> infant_state_weights(const InfantParams& p, double x, double gain, double fear,
                                           CareState c) {
  const double rel = x / p.distress_threshold;
  // Comfort sought and resisted (Ainsworth et al. 1978's C infants): while being soothed, a
  // hyperactivating infant protests as if its arousal were ϱ = 1 + ρ_R·max(g − 1, 0) times higher,
  // the same factor by which the comfort calms it less (step 4).
  const double resisting =
      c == CareState::soothe ? 1.0 + p.comfort_resistance * std::max(gain - 1.0, 0.0) : 1.0;
  const double rel2 = rel * rel * resisting * resisting;
  return {
      p.weight_avert * (1.0 + rel / gain) * (1.0 + fear),
      p.weight_attend,
      p.weight_positive * (1.0 - x) * (1.0 - x) * (c == CareState::play ? 1.0 + p.play_contagion : 1.0),
      p.weight_protest * gain * rel2 * rel2,
  };
}

namespace {

constexpr double kNever = std::numeric_limits<double>::infinity();

// Sub-streams of the infant's dynamics stream (sub 0 is the per-step stream of ordinary sessions).
constexpr std::uint64_t kSubAvailability = 1;  // the preoccupied caregiver's availability per session
constexpr std::uint64_t kSubTemperament = 2;   // the infant's regulatory capacity at birth
constexpr std::uint64_t kSubProtocol = 3;      // per-step draws of protocols

// P(at least one event in dt) for a hazard given per second.
inline double event_probability(double hazard_per_s, double dt) { return -std::expm1(-hazard_per_s * dt); }
inline double logistic(double v) { return 1.0 / (1.0 + std::exp(-v)); }
inline double clamp01(double v) { return std::clamp(v, 0.0, 1.0); }

// What a stretch of steps (an ordinary session, or one protocol phase) is like. Derived once per
// stretch so that the step itself reads no configuration.
struct Setting {
  const CaregiverParams* partner = nullptr;  // who interacts with the infant; nullptr: nobody
  bool caregiver = false;                    // the partner is the attachment figure
  bool soothing = true, changes = true, resonance = true;
  double p_stressor = 0;
  double drive = 0;    // extra arousal drive per s: protocol input, separation, wariness
  double comfort = 1;  // soothing relative to the caregiver's
  // The partner's behaviour, derived from her parameters.
  double notice_per_s = 0;           // ν·m (m: availability this session)
  double distress_notice_per_s = 0;  // ν_D·m
  double p_agenda = 0;               // P(own-agenda change) per step
  double p_return = 0;               // P(spontaneous return) per step while away
  double contagion = 0;              // ρ·(1 − d)·(1 + p)
  double p_switch = 0;               // P(infant re-draws its state) per step
  bool code_every_step = true;       // Δ_c ≤ dt: every step is coded (the default, dt = Δ_c = 1)
};

bool codes_every_step(const InfantParams& p, double dt) { return p.coding_interval_s <= dt * (1.0 + 1e-9); }

// The fast state of one session or protocol.
struct Fast {
  double x = 0.0;  // infant arousal, [0,1]
  double y = 0.0;  // partner arousal (dysregulation), [0,1]
  InfantState i = InfantState::attend;
  CareState c = CareState::attend;
  double dissociation_left = 0.0;
  bool open = false;
  double onset = 0.0, latency = kNever, unattended = 0.0;
  bool frightened = false, rejected = false;
  bool was_coordinated = true;
};

// What a stretch of steps adds up to.
struct Tally {
  double steps = 0, sum_x = 0, peak_x = 0;
  double positive = 0, negative = 0, signalling = 0, avert = 0, coordinated = 0, fear = 0, dissociated = 0;
  double resisting = 0;  // protest while being soothed by an engaged partner
  std::int64_t ruptures = 0, repairs = 0, episodes = 0, responded = 0, shocks = 0, fr = 0;
  double first_distress = -1, calm_after = -1;
  double sum_z = 0, peak_z = -1, peak_z_t = 0, end_z = 0;
};

Setting partner_setting(const InfantParams& p, const CaregiverParams& cg, double availability, double dt) {
  Setting st;
  st.partner = &cg;
  st.notice_per_s = cg.notice_rate * availability;
  st.distress_notice_per_s = cg.distress_notice_rate * availability;
  st.p_agenda = event_probability(cg.own_agenda_rate / 60.0 * (1.0 + 2.0 * cg.preoccupied), dt);
  st.p_return = event_probability(cg.return_rate / 60.0, dt);
  st.contagion = cg.contagion * (1.0 - cg.dismissing) * (1.0 + cg.preoccupied);
  st.p_switch = event_probability(p.state_change_rate, dt);
  st.p_stressor = event_probability(p.stressor_rate / 60.0, dt);
  st.code_every_step = codes_every_step(p, dt);
  return st;
}

// A misreading: an engaged state other than the fitting one, chosen by w ∈ [0,1).
CareState misread(CareState fitting, double w, bool soothing) {
  CareState options[3];
  int n = 0;
  for (CareState c : {CareState::attend, CareState::play, CareState::soothe})
    if (c != fitting && (soothing || c != CareState::soothe)) options[n++] = c;
  return options[std::min(n - 1, static_cast<int>(w * n))];
}

// A change on her own cues: away, attend or play, other than what she does now.
CareState own_agenda(CareState now, double w) {
  CareState options[3];
  int n = 0;
  for (CareState c : {CareState::away, CareState::attend, CareState::play})
    if (c != now) options[n++] = c;
  return options[std::min(n - 1, static_cast<int>(w * n))];
}

InfantState choose_infant_state(const InfantParams& p, double x, double gain, double fear, CareState c,
                                double w) {
  const auto weights = infant_state_weights(p, x, gain, fear, c);
  double total = weights[0] + weights[1] + weights[2] + weights[3];
  double pick = w * total;
  for (int k = 0; k < 3; ++k) {
    if (pick < weights[k]) return static_cast<InfantState>(k);
    pick -= weights[k];
  }
  return InfantState::protest;
}

// One step (MODEL2.md §3): the named phases in order. `wm` is the working model of the tie's
// caregiver (it shapes behaviour even when she is out of the room; it learns only with her).
template <bool kTrace>
void step(const InfantParams& p, const Setting& st, const sim::Block& b, double dt, double sqrt_dt, double t,
          Fast& f, Infant& infant, WorkingModel& wm, Tally& tally, StepRecord& rec) {
  const double u_stress = sim::uniform_co(sim::low32(b.w[0]));
  const double u_notice = sim::uniform_co(sim::low32(b.w[1]));
  const double u_agenda = sim::uniform_co(sim::high32(b.w[1]));
  const double u_fr = sim::uniform_co(sim::low32(b.w[2]));
  const double u_infant = sim::uniform_co(sim::high32(b.w[2]));
  double n1, n2;
  sim::normal_pair(sim::low32(b.w[3]), sim::high32(b.w[3]), n1, n2);

  const bool dissociated = f.dissociation_left > 0.0;
  const double theta = p.distress_threshold;
  double x = f.x;

  // 1. Stressor: closes a share 1 − e^(−J·Exp(1)) of the gap to 1.
  const bool stressor = u_stress < st.p_stressor;
  if (stressor) x = 1.0 - (1.0 - x) * std::exp(-p.stressor_size * sim::exponential(sim::high32(b.w[0])));

  // 2. Partner: notices and responds, or follows her own agenda, or returns; then may frighten.
  bool turned_away = false, fr = false, fear_display = false;
  if (st.partner != nullptr) {
    const CaregiverParams& cg = *st.partner;
    if (st.changes) {
      const double s_eff = cg.sensitivity * (1.0 - care_load(cg, f.y));
      CareState fitting = fitting_response(f.i, x > theta);
      // Distress is noticed and answered on its own, slower time scale (Ainsworth's promptness:
      // seconds to minutes), play and attention within seconds (Tronick's matching).
      const double rate = fitting == CareState::soothe ? st.distress_notice_per_s : st.notice_per_s;
      if (!st.soothing && fitting == CareState::soothe) fitting = CareState::attend;
      const double loud = (f.i == InfantState::protest && !dissociated) ? wm.gain : 1.0;
      const double p_notice = event_probability(rate * s_eff * loud, dt);
      if (u_notice < p_notice) {
        if (f.c != fitting) {
          // A dismissing caregiver who notices distress turns away from it with probability d,
          // however well she reads it: rejection is her stance towards the bid, not a reading
          // (Ainsworth's acceptance–rejection scale is distinct from sensitivity). Otherwise she
          // reads the state right with probability s_eff.
          double v = u_notice / p_notice;
          if (fitting == CareState::soothe && v < cg.dismissing) {
            f.c = CareState::away;
            turned_away = true;
          } else {
            if (fitting == CareState::soothe) v = (v - cg.dismissing) / (1.0 - cg.dismissing);
            f.c = v < s_eff ? fitting : misread(fitting, (v - s_eff) / (1.0 - s_eff), st.soothing);
          }
        }
      } else if (f.c == CareState::away) {
        if (u_agenda < st.p_return) f.c = CareState::attend;
      } else if (u_agenda < st.p_agenda) {
        f.c = own_agenda(f.c, u_agenda / st.p_agenda);
      }
    }
    if (f.c != CareState::away) {
      const double p_fr = std::min(1.0, fr_probability(cg, f.y) * dt);
      fr = u_fr < p_fr;
      if (!fr && st.caregiver && wm.fear > 0.0)
        fear_display = (u_fr - p_fr) / (1.0 - p_fr) < std::min(1.0, p.fear_display_rate * wm.fear * dt);
    }
  }
  const bool engaged = st.partner != nullptr && f.c != CareState::away;

  // 3. Infant state: re-drawn at rate κ from weights set by arousal, strategy, fear and partner.
  if (dissociated) {
    f.i = InfantState::avert;
  } else if (u_infant < st.p_switch) {
    f.i = choose_infant_state(p, x, wm.gain, wm.fear, f.c, u_infant / st.p_switch);
  }

  // 4. Infant arousal: drive toward 1, relief toward 0, both saturating; noise; bounded in [0,1].
  const bool matched = engaged && !dissociated && coordinated(f.i, f.c, x > theta);
  const bool bid = !dissociated && f.i != InfantState::avert;
  double drive = st.drive;
  if (bid && st.partner != nullptr && !matched) drive += p.mismatch_stress;
  double relief = infant.regulation;
  if (!dissociated) {
    if (f.i == InfantState::avert) relief += p.avert_regulation;
    // A hyperactivating infant (g > 1) seeks contact and resists it: comfort calms it less
    // (Ainsworth et al. 1978's resistant infants; Cassidy & Berlin 1994).
    if (engaged && f.c == CareState::soothe)
      relief += st.partner->soothing_gain * st.comfort * (1.0 - care_load(*st.partner, f.y)) /
                (1.0 + p.comfort_resistance * std::max(wm.gain - 1.0, 0.0));
  }
  x += (drive * (1.0 - x) - relief * x) * dt + p.infant_noise * sqrt_dt * n1;
  if (fr) x = 1.0 - (1.0 - x) * (1.0 - p.fright_input);
  x = clamp01(x);
  f.x = x;

  // 5. Partner arousal: back to her baseline, pulled up by the infant's arousal while engaged.
  if (st.partner != nullptr) {
    const CaregiverParams& cg = *st.partner;
    const double pull = (engaged && st.resonance) ? st.contagion : 0.0;
    f.y =
        clamp01(f.y + (-cg.caregiver_regulation * (f.y - cg.baseline_stress) + pull * x * (1.0 - f.y)) * dt +
                cg.caregiver_noise * sqrt_dt * n2);
  }

  // 6. HPA axis: release stage z₁ → cortisol z; the drive grows with sensitization.
  infant.z += (infant.z1 / p.hpa_release_tau_s - infant.z / p.hpa_clearance_tau_s) * dt;
  infant.z1 += (-infant.z1 / p.hpa_release_tau_s +
                p.hpa_gain * (1.0 + p.sensitization_gain * infant.sensitization) * std::max(x - theta, 0.0)) *
               dt;

  // 7. Coordination: matches, ruptures and repairs.
  // They are coded on the coder's time base Δ_c: the step that reaches the next multiple of Δ_c.
  const double tick = p.coding_interval_s;
  const bool coded = st.code_every_step || std::floor((t + dt) / tick + 1e-9) > std::floor(t / tick + 1e-9);
  const bool repair = coded && matched && !f.was_coordinated;
  const bool rupture = coded && !matched && f.was_coordinated;
  if (coded) f.was_coordinated = matched;

  // 8. Fear learned from frightening behaviour.
  if (fr && st.caregiver) wm.fear += p.fear_rate * (1.0 - wm.fear);

  // 9. Distress episodes, and learning at their end.
  const bool started = !f.open && !dissociated && x > theta;
  if (started) {
    f.open = true;
    f.onset = t;
    f.latency = kNever;
    f.frightened = f.rejected = false;
    f.unattended = 0.0;
    if (tally.first_distress < 0) tally.first_distress = t;
  }
  if (f.open && f.latency == kNever && engaged && f.c == CareState::soothe) f.latency = t - f.onset;
  f.frightened = f.frightened || (f.open && fr);
  f.rejected = f.rejected || (f.open && turned_away);
  f.unattended = (f.open && x > theta && (!engaged || fr)) ? f.unattended + dt : 0.0;
  const bool shock = f.open && f.unattended >= p.shock_s;
  if (shock) f.dissociation_left = p.dissociation_s;
  const bool ended = f.open && (x < theta / 2.0 || shock);
  bool responded = false;
  if (ended) {
    responded = f.latency <= p.response_window_s;
    if (st.caregiver)
      learn_from_episode(p, Episode{responded, f.frightened, f.rejected, shock, t - f.onset}, wm, infant);
    f.open = false;
    ++tally.episodes;
    tally.responded += (responded && !f.frightened) ? 1 : 0;
    tally.shocks += shock ? 1 : 0;
  }
  if (tally.first_distress >= 0 && tally.calm_after < 0 && x < theta / 2.0) tally.calm_after = t;
  if (dissociated) f.dissociation_left = std::max(f.dissociation_left - dt, 0.0);

  // Tally.
  tally.steps += 1;
  tally.sum_x += x;
  tally.peak_x = std::max(tally.peak_x, x);
  tally.positive += f.i == InfantState::positive ? dt : 0.0;
  tally.negative += f.i == InfantState::protest ? dt : 0.0;
  tally.signalling += (f.i == InfantState::attend || f.i == InfantState::positive) ? dt : 0.0;
  tally.avert += f.i == InfantState::avert ? dt : 0.0;
  tally.resisting += (f.i == InfantState::protest && engaged && f.c == CareState::soothe) ? dt : 0.0;
  tally.coordinated += matched ? dt : 0.0;
  tally.fear += (fr || fear_display) && st.caregiver ? dt : 0.0;
  tally.dissociated += dissociated ? dt : 0.0;
  tally.repairs += repair ? 1 : 0;
  tally.ruptures += rupture ? 1 : 0;
  tally.fr += fr ? 1 : 0;
  tally.sum_z += infant.z;
  if (infant.z > tally.peak_z) {
    tally.peak_z = infant.z;
    tally.peak_z_t = t;
  }
  tally.end_z = infant.z;

  if constexpr (kTrace) {
    rec.x = x;
    rec.y = f.y;
    rec.z1 = infant.z1;
    rec.z = infant.z;
    rec.infant = f.i;
    rec.partner = st.partner != nullptr ? f.c : CareState::away;
    rec.stressor = stressor;
    rec.fr = fr;
    rec.fear_display = fear_display;
    rec.dissociated = dissociated;
    rec.coordinated = matched;
    rec.repair = repair;
    rec.rupture = rupture;
    rec.episode_started = started;
    rec.episode_ended = ended;
    rec.shock = shock;
    rec.responded = responded;
  }
}

Fast session_start(const CaregiverParams& cg) {
  Fast f;
  f.y = cg.baseline_stress;
  return f;
}

}  // namespace

CareState fitting_response(InfantState i, bool distressed) {
  if (distressed) return i == InfantState::positive ? CareState::play : CareState::soothe;
  switch (i) {
    case InfantState::positive:
      return CareState::play;
    case InfantState::protest:
      return CareState::soothe;
    default:
      return CareState::attend;
  }
}

bool coordinated(InfantState i, CareState c, bool distressed) {
  return i != InfantState::avert && c == fitting_response(i, distressed);
}

void Interaction::add(const Interaction& o) {
  session_s += o.session_s;
  coordinated_s += o.coordinated_s;
  positive_s += o.positive_s;
  negative_s += o.negative_s;
  sessions += o.sessions;
  repairs += o.repairs;
  ruptures += o.ruptures;
  episodes += o.episodes;
  responded += o.responded;
  shocks += o.shocks;
  fr_events += o.fr_events;
}

double care_load(const CaregiverParams& c, double y) { return std::max(y - c.baseline_stress, 0.0); }

double unpredictability_scale(double v) {
  const double s = std::min(1.0, 4.0 * v);
  return s * s * s;
}

double fr_probability(const CaregiverParams& c, double y) {
  const double insecure = 1.0 - (1.0 - c.dismissing) * (1.0 - c.preoccupied);
  const double weight = 1.0 - c.fr_secure_buffer * (1.0 - insecure);
  return c.fr_max * logistic(c.fr_slope * (y - c.fr_threshold) + c.fr_unresolved * weight * c.unresolved +
                             c.fr_anomalous * c.anomalous);
}

double strategy_target(const InfantParams& p, double spread, double pressure) {
  // Main's (1990) conditional strategies are alternatives: the infant follows the stronger
  // pressure, compared as the distance each would move the gain in log terms. Multiplying them
  // instead let a rejecting and an unpredictable caregiver cancel into a "secure" gain of 1.
  const double up = 1.0 + p.hyper * (p.gain_max - 1.0) * spread;
  const double down = std::max(1.0 - p.deact * pressure, p.gain_min);
  return std::clamp(up * down >= 1.0 ? up : down, p.gain_min, p.gain_max);
}

bool censored(const InfantParams& p, const Episode& e) {
  return !e.responded && !e.frightened && !e.rejected && !e.shock && e.duration_s < p.response_window_s;
}

void learn_from_episode(const InfantParams& p, const Episode& e, WorkingModel& wm, Infant& infant) {
  if (!censored(p, e)) {
    const double outcome = (e.responded && !e.frightened) ? 1.0 : 0.0;
    const double error = outcome - wm.expectation;
    wm.expectation += p.expectation_rate * error;
    wm.unpredictability += p.expectation_rate * (error * error - wm.unpredictability);
    wm.rejection += p.rejection_rate * ((e.rejected ? 1.0 : 0.0) - wm.rejection);
    const double spread = unpredictability_scale(wm.unpredictability);
    const double pressure = std::max(wm.rejection, (1.0 - wm.expectation) * (1.0 - spread));
    wm.gain += p.strategy_rate * (strategy_target(p, spread, pressure) - wm.gain);
  }
  if (!e.responded || e.shock) infant.sensitization += p.sensitization_rate * (1.0 - infant.sensitization);
  if (e.responded && !e.shock)
    infant.regulation += p.coregulation_rate * (infant.regulation_cap - infant.regulation);
}

void decay_hpa(double& z1, double& z, double gap_s, double tau1, double tau2) {
  const double d1 = std::exp(-gap_s / tau1), d2 = std::exp(-gap_s / tau2);
  const double transfer =
      std::fabs(tau2 - tau1) < 1e-9 * tau2 ? gap_s / tau2 * d2 : tau2 / (tau2 - tau1) * (d2 - d1);
  z = z * d2 + z1 * transfer;
  z1 *= d1;
}

double hpa_peak_time(double tau1, double tau2) {
  if (std::fabs(tau2 - tau1) < 1e-9 * tau2) return tau2;
  return tau1 * tau2 / (tau2 - tau1) * std::log(tau2 / tau1);
}

DyadModel::DyadModel(const InfantParams& params, const sim::Schedule& schedule, std::uint64_t seed,
                     std::uint64_t stage)
    : p_(params),
      schedule_(schedule),
      seed_(seed),
      stage_(stage),
      steps_(schedule.steps_per_session()),
      cortisol_from_day_(schedule.days - std::min(30, schedule.days)) {}

// Stage 0 keeps sub-stream 0 for the per-step draws of ordinary sessions.
sim::Stream DyadModel::stream(std::uint64_t infant_id, std::uint64_t sub) const {
  return sim::Stream(seed_, infant_id, sim::Purpose::dynamics, (stage_ << 8) | sub);
}

Relationship DyadModel::relationship_from(std::span<const Relationship* const> known) const {
  Relationship r;
  if (known.empty()) return r;
  WorkingModel mean{0, 0, 0, 0, 0};
  for (const Relationship* k : known) {
    mean.expectation += k->wm.expectation;
    mean.unpredictability += k->wm.unpredictability;
    mean.gain += k->wm.gain;
  }
  const double n = static_cast<double>(known.size());
  r.wm.expectation = mean.expectation / n;
  r.wm.unpredictability = mean.unpredictability / n;
  r.wm.gain = mean.gain / n;
  return r;
}

Infant DyadModel::new_infant(std::uint64_t infant_id) const {
  const sim::Stream rng = stream(infant_id, kSubTemperament);
  const sim::Block b = rng.at(0);
  double n1, n2;
  sim::normal_pair(sim::low32(b.w[0]), sim::high32(b.w[0]), n1, n2);
  const double s = p_.temperament_sd;
  const double capacity = std::exp(s * n1 - s * s / 2.0);
  Infant infant;
  infant.regulation_cap = p_.regulation_max * capacity;
  infant.regulation = p_.regulation_initial * capacity;
  return infant;
}

void DyadModel::simulate_day(std::uint64_t infant_id, int day, Infant& infant, std::span<const Tie> ties,
                             const LabVisit* lab) const {
  day_impl<false>(infant_id, day, infant, ties, lab, nullptr);
}

void DyadModel::simulate_day(std::uint64_t infant_id, int day, Infant& infant, std::span<const Tie> ties,
                             const StepSink& sink, const LabVisit* lab) const {
  day_impl<true>(infant_id, day, infant, ties, lab, &sink);
}

template <bool kTrace>
void DyadModel::day_impl(std::uint64_t infant_id, int day, Infant& infant, std::span<const Tie> ties,
                         const LabVisit* lab, const StepSink* sink) const {
  const InfantParams& p = p_;
  const double dt = schedule_.dt;
  const double sqrt_dt = std::sqrt(dt);
  const sim::Stream rng = stream(infant_id, 0);
  const sim::Stream availability_rng = stream(infant_id, kSubAvailability);
  for (const Tie& tie : ties) tie.relationship->today = Interaction{};
  const bool record_cortisol = day >= cortisol_from_day_;
  StepRecord rec{};
  rec.day = day;
  rec.phase = -1;

  for (int s = 0; s < schedule_.sessions_per_day; ++s) {
    const std::int64_t session = std::int64_t{day} * schedule_.sessions_per_day + s;
    const std::size_t which = static_cast<std::size_t>(session) % ties.size();
    const Tie& tie = ties[which];
    if (lab != nullptr && lab->protocol->session == s) {
      const Tie& lab_tie = ties[std::min(lab->tie, ties.size() - 1)];
      std::vector<Sample>* out = lab->samples;
      const SampleSink samples =
          out != nullptr ? SampleSink([out](const Sample& x) { out->push_back(x); }) : SampleSink{};
      if (lab->protocol->carry_over) {
        const auto measures =
            run_protocol(infant_id, *lab->protocol, infant, lab_tie, samples, nullptr, lab->stranger);
        std::copy(measures.begin(), measures.end(), lab->phases);
        decay_hpa(infant.z1, infant.z,
                  std::max(86400.0 / schedule_.sessions_per_day - lab->protocol->duration_s(), 0.0),
                  p.hpa_release_tau_s, p.hpa_clearance_tau_s);
        continue;
      }
      // Observation only (carry_over: false): the procedure runs on copies of the infant and of
      // its working model of her, and the ordinary session follows as usual, as in the reference
      // model. Until 2 December 2026 the mutual model ignored the flag, so its 12-month
      // procedures changed what they measured.
      Infant observed = infant;
      Relationship rel = *lab_tie.relationship;
      const Tie copy{lab_tie.caregiver, &rel};
      const auto measures =
          run_protocol(infant_id, *lab->protocol, observed, copy, samples, nullptr, lab->stranger);
      std::copy(measures.begin(), measures.end(), lab->phases);
    }
    const CaregiverParams& cg = *tie.caregiver;
    Relationship& rel = *tie.relationship;
    // Preoccupied: inconsistently available, all or nothing per session (MODEL2.md §5.4). With
    // probability p/2 she notices nothing of the infant this session; the mean availability is
    // that of the earlier graded rule, 1 − p/2, but the infant meets it as unpredictable comfort.
    const double availability =
        sim::uniform_co(sim::low32(availability_rng.at(static_cast<std::uint64_t>(session)).w[0])) <
                0.5 * cg.preoccupied
            ? 0.0
            : 1.0;
    Setting st = partner_setting(p, cg, availability, dt);
    st.caregiver = true;
    Fast f = session_start(cg);
    Tally tally;
    rec.session = s;
    rec.tie = which;
    const auto first = static_cast<std::uint64_t>(session * steps_);
    for (std::int64_t k = 0; k < steps_; ++k) {
      step<kTrace>(p, st, rng.at(first + static_cast<std::uint64_t>(k)), dt, sqrt_dt,
                   static_cast<double>(k) * dt, f, infant, rel.wm, tally, rec);
      if constexpr (kTrace) {
        rec.step = k;
        (*sink)(rec);
      }
    }
    infant.last_session_z = infant.z;
    if (record_cortisol) {
      infant.cortisol_sum += infant.z;
      ++infant.cortisol_n;
    }
    decay_hpa(infant.z1, infant.z, schedule_.gap_s(), p.hpa_release_tau_s, p.hpa_clearance_tau_s);

    Interaction& today = rel.today;
    today.session_s += tally.steps * dt;
    today.coordinated_s += tally.coordinated;
    today.positive_s += tally.positive;
    today.negative_s += tally.negative;
    today.sessions += 1;
    today.repairs += tally.repairs;
    today.ruptures += tally.ruptures;
    today.episodes += tally.episodes;
    today.responded += tally.responded;
    today.shocks += tally.shocks;
    today.fr_events += tally.fr;
  }

  // Day's end: maturation; learned fear and HPA sensitization fade; the day joins the run.
  infant.regulation += p.maturation_per_day * (infant.regulation_cap - infant.regulation);
  infant.sensitization *= 1.0 - p.sensitization_decay_per_day;
  for (const Tie& tie : ties) {
    tie.relationship->wm.fear *= 1.0 - p.fear_forgetting_per_day;
    tie.relationship->total.add(tie.relationship->today);
  }
}

std::vector<PhaseMeasures> DyadModel::run_protocol(std::uint64_t infant_id, const sim::Protocol& protocol,
                                                   Infant& infant, const Tie& tie, const SampleSink& samples,
                                                   const StepSink* steps,
                                                   const CaregiverParams* stranger_params) const {
  const InfantParams& p = p_;
  const double dt = schedule_.dt;
  const double sqrt_dt = std::sqrt(dt);
  const sim::Stream rng = stream(infant_id, kSubProtocol);
  const auto base =
      (static_cast<std::uint64_t>(protocol.day) * static_cast<std::uint64_t>(schedule_.sessions_per_day) +
       static_cast<std::uint64_t>(protocol.session))
      << 32;
  const CaregiverParams& cg = *tie.caregiver;
  CaregiverParams stranger;
  if (stranger_params != nullptr)
    stranger = *stranger_params;
  else if (protocol.stranger.size() == param_tables().caregiver.size())
    stranger = caregiver_from(protocol.stranger);
  WorkingModel& wm = tie.relationship->wm;

  std::vector<PhaseMeasures> out;
  out.reserve(protocol.phases.size());
  Fast f = session_start(cg);
  const CaregiverParams* previous = &cg;
  std::uint64_t k = 0;
  double t = 0.0;
  StepRecord rec{};
  rec.day = protocol.day;
  rec.session = protocol.session;
  for (std::size_t ph = 0; ph < protocol.phases.size(); ++ph) {
    const sim::Phase& phase = protocol.phases[ph];
    const sim::Phase::Partner who = phase.partner();
    const CaregiverParams* partner = who == sim::Phase::Partner::caregiver  ? &cg
                                     : who == sim::Phase::Partner::stranger ? &stranger
                                                                            : nullptr;
    Setting st = partner != nullptr ? partner_setting(p, *partner, 1.0, dt) : Setting{};
    st.p_switch = event_probability(p.state_change_rate, dt);
    st.code_every_step = codes_every_step(p, dt);
    st.p_stressor =
        event_probability((phase.stressor_rate >= 0 ? phase.stressor_rate : p.stressor_rate) / 60.0, dt);
    st.caregiver = who == sim::Phase::Partner::caregiver;
    st.soothing = phase.soothing;
    st.changes = phase.engagement_changes;
    st.resonance = phase.resonance;
    st.comfort = st.caregiver ? 1.0 : p.stranger_comfort;
    st.drive = phase.arousal_input + (phase.caregiver_present ? 0.0 : p.separation_stress) +
               (phase.stranger_present ? p.stranger_wariness : 0.0);
    if (partner != previous &&
        partner != nullptr) {  // someone comes in: she starts attending, at her baseline
      f.c = CareState::attend;
      f.y = partner->baseline_stress;
    }
    if (partner != nullptr)
      f.c = st.changes ? (f.c == CareState::still ? CareState::attend : f.c) : CareState::still;
    previous = partner;
    f.was_coordinated = partner != nullptr && coordinated(f.i, f.c, f.x > p.distress_threshold);
    if (phase.arousal_pulse > 0) f.x = 1.0 - (1.0 - f.x) * std::exp(-phase.arousal_pulse);

    Tally tally;
    const auto n = static_cast<std::int64_t>(std::llround(phase.duration_s / dt));
    const auto every =
        phase.sample_every_s > 0 ? std::max<std::int64_t>(1, std::llround(phase.sample_every_s / dt)) : 0;
    const double phase_start = t;
    rec.phase = static_cast<int>(ph);
    for (std::int64_t j = 0; j < n; ++j, ++k, t += dt) {
      if (steps != nullptr)
        step<true>(p, st, rng.at(base | k), dt, sqrt_dt, t, f, infant, wm, tally, rec);
      else
        step<false>(p, st, rng.at(base | k), dt, sqrt_dt, t, f, infant, wm, tally, rec);
      if (steps != nullptr) {
        rec.step = static_cast<std::int64_t>(k);
        (*steps)(rec);
      }
      if (every > 0 && samples && j % every == 0)
        samples(Sample{static_cast<int>(ph), t, f.x, f.y, infant.z, f.i,
                       partner != nullptr ? f.c : CareState::away});
    }

    PhaseMeasures m;
    m.phase = static_cast<int>(ph);
    m.duration_s = tally.steps * dt;
    const double steps_n = std::max(tally.steps, 1.0);
    const double secs = std::max(m.duration_s, dt);
    m.arousal_mean = tally.sum_x / steps_n;
    m.arousal_peak = tally.peak_x;
    m.positive_share = tally.positive / secs;
    m.negative_share = tally.negative / secs;
    m.signalling_share = tally.signalling / secs;
    m.avert_share = tally.avert / secs;
    m.resist_share = tally.resisting / secs;
    m.coordinated_share = tally.coordinated / secs;
    m.ruptures = static_cast<double>(tally.ruptures);
    m.repairs = static_cast<double>(tally.repairs);
    m.episodes = static_cast<double>(tally.episodes);
    m.fr_events = static_cast<double>(tally.fr);
    m.latency_to_calm_s = tally.first_distress < 0 ? 0.0
                          : tally.calm_after < 0   ? phase_start + m.duration_s - tally.first_distress
                                                   : tally.calm_after - tally.first_distress;
    m.fear_share = tally.fear / secs;
    m.dissociation_share = tally.dissociated / secs;
    m.cortisol_mean = tally.sum_z / steps_n;
    m.cortisol_end = tally.end_z;
    m.cortisol_peak = std::max(tally.peak_z, 0.0);
    m.cortisol_peak_s = tally.peak_z_t;
    out.push_back(m);
  }
  return out;
}

namespace {
double* save_interaction(const Interaction& i, double* out) {
  const double v[11] = {i.session_s,
                        i.coordinated_s,
                        i.positive_s,
                        i.negative_s,
                        static_cast<double>(i.sessions),
                        static_cast<double>(i.repairs),
                        static_cast<double>(i.ruptures),
                        static_cast<double>(i.episodes),
                        static_cast<double>(i.responded),
                        static_cast<double>(i.shocks),
                        static_cast<double>(i.fr_events)};
  return std::copy(v, v + 11, out);
}
const double* load_interaction(const double* in, Interaction& i) {
  const auto n = [](double v) { return static_cast<std::int64_t>(v); };
  i = Interaction{in[0],    in[1],    in[2],    in[3],    n(in[4]), n(in[5]),
                  n(in[6]), n(in[7]), n(in[8]), n(in[9]), n(in[10])};
  return in + 11;
}
}  // namespace

void save_state(const Infant& in, double* out) {
  const double v[kInfantState] = {in.regulation,
                                  in.regulation_cap,
                                  in.z1,
                                  in.z,
                                  in.sensitization,
                                  in.cortisol_sum,
                                  static_cast<double>(in.cortisol_n),
                                  in.last_session_z};
  std::copy(v, v + kInfantState, out);
}

void load_state(const double* in, Infant& out) {
  out = Infant{in[0], in[1], in[2], in[3], in[4], in[5], static_cast<std::int64_t>(in[6]), in[7]};
}

void save_state(const Relationship& in, double* out) {
  const WorkingModel& w = in.wm;
  const double v[5] = {w.expectation, w.unpredictability, w.rejection, w.gain, w.fear};
  save_interaction(in.today, save_interaction(in.total, std::copy(v, v + 5, out)));
}

void load_state(const double* in, Relationship& out) {
  out.wm = WorkingModel{in[0], in[1], in[2], in[3], in[4]};
  load_interaction(load_interaction(in + 5, out.total), out.today);
}

}  // namespace attune::mutual
