#include "models/reference/dyad.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace attune::reference {
namespace {

constexpr double kNever = std::numeric_limits<double>::infinity();

// Arousal band for coordination (after Tronick): calm, aroused, distressed.
inline int band(double y, double distress_threshold) {
  return y < 0.3 ? 0 : (y < distress_threshold ? 1 : 2);
}

// P(at least one event in dt) for a hazard given per second.
inline double event_probability(double hazard_per_s, double dt) { return -std::expm1(-hazard_per_s * dt); }

}  // namespace

void Interaction::add(const Interaction& o) {
  session_s += o.session_s;
  coordinated_s += o.coordinated_s;
  synchrony_sum += o.synchrony_sum;
  sessions += o.sessions;
  repairs += o.repairs;
  episodes += o.episodes;
  shocks += o.shocks;
}

double rejection_contingency(const Iwm& iwm) {
  const double rate_signal = (iwm.signal_ruptures + 0.5) / (iwm.signal_time_s + 60.0);
  const double rate_calm = (iwm.calm_ruptures + 0.5) / (iwm.calm_time_s + 60.0);
  return std::clamp((rate_signal - rate_calm) / (rate_signal + rate_calm), 0.0, 1.0);
}

void learn_from_episode(const InfantParams& p, bool responded, bool frightened, bool shock, Iwm& iwm,
                        double& regulation) {
  iwm.alpha = p.forgetting * iwm.alpha + (responded ? 1.0 : 0.0);
  iwm.beta = p.forgetting * iwm.beta + (responded ? 0.0 : 1.0);
  const double avail = iwm.alpha / (iwm.alpha + iwm.beta);
  const double spread = 4.0 * avail * (1.0 - avail);
  const double unpredictability = spread * spread;
  const double pressure = std::max(rejection_contingency(iwm), (1.0 - avail) * (1.0 - unpredictability));
  const double target =
      std::clamp((1.0 + p.hyper * unpredictability) * (1.0 - p.deact * pressure), p.gain_min, p.gain_max);
  iwm.gain += p.strategy_rate * (target - iwm.gain);
  iwm.fear = (1.0 - p.fear_rate) * iwm.fear + p.fear_rate * ((frightened || shock) ? 1.0 : 0.0);
  if (responded && !shock) regulation += p.coregulation_rate * (p.regulation_max - regulation);
}

void decay_cortisol(double& z1, double& z, double gap_s, double tau_s) {
  const double decay = std::exp(-gap_s / tau_s);
  z = (z + z1 * gap_s / tau_s) * decay;
  z1 = z1 * decay;
}

DyadModel::DyadModel(const InfantParams& params, const sim::Schedule& schedule, std::uint64_t seed,
                     std::uint64_t stage)
    : p_(params),
      schedule_(schedule),
      seed_(seed),
      stage_(stage),
      steps_(schedule.steps_per_session()),
      sqrt_dt_(std::sqrt(schedule.dt)),
      p_stressor_(event_probability(params.stressor_rate / 60.0, schedule.dt)),
      cortisol_from_day_(schedule.days - std::min(30, schedule.days)) {}

Infant DyadModel::new_infant() const {
  Infant infant;
  infant.regulation = p_.regulation_initial;
  return infant;
}

Relationship DyadModel::relationship_from(std::span<const Relationship* const> known) const {
  Relationship r;
  if (known.empty()) return r;
  double avail = 0, evidence = 0, gain = 0, fear = 0;
  for (const Relationship* k : known) {
    avail += k->iwm.alpha / (k->iwm.alpha + k->iwm.beta);
    evidence += k->iwm.alpha + k->iwm.beta;
    gain += k->iwm.gain;
    fear += k->iwm.fear;
  }
  const double n = static_cast<double>(known.size());
  const double weight = std::min(evidence / n, kTransferEvidence);
  r.iwm.alpha = avail / n * weight;
  r.iwm.beta = (1.0 - avail / n) * weight;
  r.iwm.gain = gain / n;
  r.iwm.fear = fear / n;
  return r;
}

void DyadModel::simulate_day(std::uint64_t infant_id, int day, Infant& infant, std::span<const Tie> ties,
                             const LabVisit* lab) const {
  day_impl<false>(infant_id, day, infant, ties, nullptr, lab);
}

void DyadModel::simulate_day(std::uint64_t infant_id, int day, Infant& infant, std::span<const Tie> ties,
                             const StepSink& sink, const LabVisit* lab) const {
  day_impl<true>(infant_id, day, infant, ties, &sink, lab);
}

template <bool kTrace>
void DyadModel::day_impl(std::uint64_t infant_id, int day, Infant& infant, std::span<const Tie> ties,
                         const StepSink* sink, const LabVisit* lab) const {
  StepRecord rec{};
  rec.day = day;
  const sim::Stream rng(seed_, infant_id, sim::Purpose::dynamics, stage_);
  for (const Tie& tie : ties) tie.relationship->today = Interaction{};
  const bool record_cortisol = day >= cortisol_from_day_;
  const double slot_s = 86400.0 / schedule_.sessions_per_day;
  for (int s = 0; s < schedule_.sessions_per_day; ++s) {
    const std::int64_t session = std::int64_t{day} * schedule_.sessions_per_day + s;
    const std::size_t which = static_cast<std::size_t>(session) % ties.size();
    rec.session = s;
    if (lab && lab->protocol->session == s) {
      const Tie& with = ties[lab->tie];
      rec.tie = lab->tie;
      if (lab->protocol->carry_over) {
        const std::int64_t steps =
            run_lab<kTrace>(*lab, *with.caregiver, infant_id, static_cast<std::uint64_t>(session), infant,
                            *with.relationship, record_cortisol, rec, sink);
        const double gap =
            steps == steps_ ? schedule_.gap_s() : slot_s - static_cast<double>(steps) * schedule_.dt;
        decay_cortisol(infant.z1, infant.z, gap, p_.cortisol_tau_s);
        continue;
      }
      // Observation only: the procedure runs on a copy; the ordinary session follows as usual.
      Infant observed = infant;
      Relationship rel = *with.relationship;
      run_lab<false>(*lab, *with.caregiver, infant_id, static_cast<std::uint64_t>(session), observed, rel,
                     false, rec, nullptr);
    }
    const Tie& tie = ties[which];
    rec.tie = which;
    run_session<kTrace>(*tie.caregiver, rng, static_cast<std::uint64_t>(session * steps_), infant,
                        *tie.relationship, record_cortisol, rec, sink);
    decay_cortisol(infant.z1, infant.z, schedule_.gap_s(), p_.cortisol_tau_s);
  }
  // Day's end: maturation of self-regulation; contingency exposures fade.
  infant.regulation += p_.maturation_per_day * (p_.regulation_max - infant.regulation);
  for (const Tie& tie : ties) {
    Iwm& m = tie.relationship->iwm;
    const double w = p_.contingency_memory_per_day;
    m.signal_time_s *= w;
    m.signal_ruptures *= w;
    m.calm_time_s *= w;
    m.calm_ruptures *= w;
    tie.relationship->total.add(tie.relationship->today);
  }
}

namespace {

// The adult the infant is with: her parameters and the working model the infant has of her,
// with what the step needs derived once.
struct Partner {
  CaregiverParams cg;  // a copy: the step's stores to the working model cannot alias it
  Iwm* iwm;
  double rupture_per_s, repair_per_s, p_rupture_calm, p_repair_calm;
  double perception_sd, soothing, intrusion, noise_c, response_u;

  Partner(const CaregiverParams& c, Iwm& m, const InfantParams& p, double dt, double sqrt_dt)
      : cg(c),
        iwm(&m),
        rupture_per_s(c.rupture_rate / 60.0),
        repair_per_s(c.repair_rate / 60.0),
        p_rupture_calm(event_probability(rupture_per_s * 1.0, dt)),
        p_repair_calm(event_probability(repair_per_s * 1.0, dt)),
        perception_sd(c.perception_noise * (1.0 - c.attunement)),
        soothing(c.soothing_gain * c.attunement),
        intrusion(c.intrusiveness * (1.0 - c.attunement)),
        noise_c(c.caregiver_noise * sqrt_dt),
        response_u(p.response_min * c.soothing_gain * p.distress_threshold) {}
};

// What a laboratory phase changes in the step; the defaults are ordinary caregiving.
struct Mode {
  bool present = true;  // is anyone with the infant?
  bool soothing = true, engagement_changes = true, resonance = true;
  double p_stressor = 0;
  double input = 0;  // arousal added per second
};

// A session's running state.
struct Session {
  double x = 0, xc = 0;
  bool engaged = true;
  double dissociation_left = 0;
  bool open = false;
  double onset = 0, latency = kNever, unattended = 0;
  bool frightened = false;
  Iwm* episode_iwm = nullptr;  // who the open episode is learned about (null: nobody was there)
  bool was_coordinated = true;
  double coordinated_s = 0;
  std::int64_t repairs = 0, episodes = 0, shocks = 0;
  double sum_x = 0, sum_c = 0, sum_xx = 0, sum_cc = 0, sum_xc = 0;
  double z1 = 0, z = 0, regulation = 0;
};

struct StepEvents {
  double signal, u, v;
  bool stressor, rupture, repair, coordinated, fear, dissociated, started, ended, shock;
  double latency;
};

// One step of MODEL.md, in its order. kLab adds what protocol phases may change.
template <bool kLab>
[[gnu::always_inline]] inline StepEvents step(Session& st, const Partner& pt, const Mode& mode,
                                              const InfantParams& p, const sim::Block& b, double t, double dt,
                                              double noise_x, double p_stressor) {
  StepEvents ev;  // every field is set below
  const CaregiverParams& cg = pt.cg;
  Iwm& iwm = *pt.iwm;
  double& x = st.x;
  double& xc = st.xc;

  // 1. Stressor.
  ev.stressor = sim::uniform_co(sim::low32(b.w[0])) < (kLab ? mode.p_stressor : p_stressor);
  if (ev.stressor) x += p.stressor_size * sim::exponential(sim::high32(b.w[1]));

  // 2. Signal.
  const bool dissociated = st.dissociation_left > 0.0;
  const double signal = dissociated ? 0.0 : iwm.gain * std::max(x, 0.0);

  // 3. Engagement: rupture while engaged, repair while not.
  const bool was_engaged = st.engaged;
  if (kLab && (!mode.engagement_changes || !mode.present)) {
    // frozen (still face) or nobody there
  } else if (st.engaged) {
    const double qs = cg.rejection * signal;
    const double pr = qs == 0.0 ? pt.p_rupture_calm : event_probability(pt.rupture_per_s * (1.0 + qs), dt);
    const bool rupture = sim::uniform_co(sim::high32(b.w[0])) < pr;
    if (signal > p.signal_floor) {
      iwm.signal_time_s += dt;
      iwm.signal_ruptures += rupture ? 1.0 : 0.0;
    } else {
      iwm.calm_time_s += dt;
      iwm.calm_ruptures += rupture ? 1.0 : 0.0;
    }
    st.engaged = !rupture;
  } else {
    const double as = cg.attunement * signal;
    const double pp = as == 0.0 ? pt.p_repair_calm : event_probability(pt.repair_per_s * (1.0 + as), dt);
    st.engaged = sim::uniform_co(sim::low32(b.w[1])) < pp;
  }
  const bool engaged = st.engaged;
  const double e = engaged ? 1.0 : 0.0;

  // 4. Caregiver action, with the new engagement.
  // u = E·k·a·max(ŷ,0)·eff and v = E·k_i·(1−a)·|N₂| are exactly 0 when E = 0, so the
  // perception and intrusion normals are only transformed while engaged.
  const bool flooded = xc > cg.flood_threshold;
  double u = 0.0, v = 0.0;
  if (engaged && (!kLab || mode.soothing)) {
    double n1, n2;
    sim::normal_pair(sim::low32(b.w[2]), sim::high32(b.w[2]), n1, n2);
    const double perceived = x + pt.perception_sd * n1;
    const double efficacy = flooded ? 0.0 : 1.0 / (1.0 + std::max(xc - cg.baseline_stress, 0.0));
    u = pt.soothing * std::max(perceived, 0.0) * efficacy;
    v = pt.intrusion * std::fabs(n2);
  }
  const bool fear = engaged && flooded;
  double n3, n4;
  sim::normal_pair(sim::low32(b.w[3]), sim::high32(b.w[3]), n3, n4);

  // 5. Infant arousal.
  if (dissociated) {
    x += -st.regulation * (x + p.hypoarousal) * dt + noise_x * n3;
    st.dissociation_left = std::max(st.dissociation_left - dt, 0.0);
  } else {
    x += (-st.regulation * x - u + v + (fear ? cg.fright_jump : 0.0)) * dt + noise_x * n3;
  }
  if (kLab && mode.input != 0.0) x += mode.input * dt;

  // 6. Caregiver arousal: resonance with the infant's new arousal.
  const double xc_rel = xc - cg.baseline_stress;
  const double pull = kLab && !mode.resonance ? 0.0 : e * cg.resonance;
  xc += (-cg.caregiver_regulation * xc_rel + pull * (x - xc_rel)) * dt + pt.noise_c * n4;

  // 7. Cortisol, two stages.
  st.z += (st.z1 - st.z) / p.cortisol_tau_s * dt;
  st.z1 += (-st.z1 / p.cortisol_tau_s + p.cortisol_gain * std::max(x - p.distress_threshold, 0.0)) * dt;

  // 8. Coordination and its repair. A still face takes no part in an exchange, so nothing the
  // infant does is coordinated with it.
  const bool coordinated =
      engaged && (!kLab || mode.soothing) &&
      band(x, p.distress_threshold) == band(xc - cg.baseline_stress, p.distress_threshold);
  if (coordinated) {
    st.coordinated_s += dt;
    if (!st.was_coordinated) ++st.repairs;
  }
  ev.repair = coordinated && !st.was_coordinated;
  st.was_coordinated = coordinated;
  st.sum_x += x;
  const double xc_shifted =
      xc - cg.baseline_stress;  // correlation is shift-free; this is exact-zero friendly
  st.sum_c += xc_shifted;
  st.sum_xx += x * x;
  st.sum_cc += xc_shifted * xc_shifted;
  st.sum_xc += x * xc_shifted;

  // 9. Distress episodes.
  const bool started = !st.open && !dissociated && x > p.distress_threshold;
  if (started) {
    st.open = true;
    st.onset = t;
    st.latency = kNever;
    st.frightened = false;
    st.unattended = 0.0;
    st.episode_iwm = kLab && !mode.present ? nullptr : &iwm;
  }
  if (st.open && st.latency == kNever && u >= pt.response_u) st.latency = t - st.onset;
  st.frightened = st.frightened || (st.open && fear);
  st.unattended = (st.open && x > p.distress_threshold && (!engaged || flooded)) ? st.unattended + dt : 0.0;
  const bool shock = st.open && st.unattended >= p.shock_s;
  if (shock) {
    st.dissociation_left = p.dissociation_s;
    ++st.shocks;
  }
  const bool ended = st.open && (x < p.distress_threshold / 2.0 || shock);
  ev.latency = ended ? st.latency : kNever;
  if (ended) {
    if (!kLab || st.episode_iwm) {
      // Through a local: the session's state must not escape the step, or it leaves registers.
      double regulation = st.regulation;
      learn_from_episode(p, st.latency <= p.response_window_s, st.frightened, shock,
                         kLab ? *st.episode_iwm : iwm, regulation);
      st.regulation = regulation;
    }
    st.open = false;
    ++st.episodes;
  }

  ev.signal = signal;
  ev.u = u;
  ev.v = v;
  ev.rupture = was_engaged && !engaged;
  ev.coordinated = coordinated;
  ev.fear = fear;
  ev.dissociated = dissociated;
  ev.started = started;
  ev.ended = ended;
  ev.shock = shock;
  return ev;
}

void record(StepRecord& rec, std::int64_t k, const Session& st, const StepEvents& ev, bool was_engaged) {
  rec.step = k;
  rec.x = st.x;
  rec.xc = st.xc;
  rec.signal = ev.signal;
  rec.u = ev.u;
  rec.v = ev.v;
  rec.z1 = st.z1;
  rec.z = st.z;
  rec.engaged = st.engaged;
  rec.stressor = ev.stressor;
  rec.rupture = ev.rupture;
  rec.repair = !was_engaged && st.engaged;
  rec.coordinated = ev.coordinated;
  rec.fear = ev.fear;
  rec.dissociated = ev.dissociated;
  rec.episode_started = ev.started;
  rec.episode_ended = ev.ended;
  rec.shock = ev.shock;
  rec.latency = ev.latency;
}

// A session's end: the infant's state back from the session, its tallies into the day.
[[gnu::always_inline]] inline void close_session(const Session& st, double dt, std::int64_t steps,
                                                 Infant& infant, Relationship& rel, bool record_cortisol) {
  infant.regulation = st.regulation;
  infant.z1 = st.z1;
  infant.z = st.z;
  infant.last_session_z = st.z;
  if (record_cortisol) {
    infant.cortisol_sum += st.z;
    ++infant.cortisol_n;
  }
  // Synchrony: Pearson correlation of x and x_c over the session (0 if either is constant).
  const double n = static_cast<double>(steps);
  // A variance at rounding level (a constant series) counts as 0, as MODEL.md asks.
  const double mean_x = st.sum_x / n, mean_c = st.sum_c / n;
  const double var_x = st.sum_xx / n - mean_x * mean_x;
  const double var_c = st.sum_cc / n - mean_c * mean_c;
  const double cov = st.sum_xc / n - mean_x * mean_c;
  const bool varies = var_x > 1e-12 * (1.0 + mean_x * mean_x) && var_c > 1e-12 * (1.0 + mean_c * mean_c);
  const double synchrony = varies ? cov / std::sqrt(var_x * var_c) : 0.0;

  Interaction& today = rel.today;
  today.session_s += n * dt;
  today.coordinated_s += st.coordinated_s;
  today.synchrony_sum += synchrony;
  today.sessions += 1;
  today.repairs += st.repairs;
  today.episodes += st.episodes;
  today.shocks += st.shocks;
}

}  // namespace

template <bool kTrace>
void DyadModel::run_session(const CaregiverParams& cg, const sim::Stream& rng, std::uint64_t first_step,
                            Infant& infant, Relationship& rel, bool record_cortisol, StepRecord& rec,
                            [[maybe_unused]] const StepSink* sink) const {
  const double dt = schedule_.dt;
  const Partner partner(cg, rel.iwm, p_, dt, sqrt_dt_);
  const double noise_x = p_.infant_noise * sqrt_dt_;
  const Mode ordinary;
  Session st;
  st.xc = cg.baseline_stress;
  st.z1 = infant.z1;
  st.z = infant.z;
  st.regulation = infant.regulation;
  for (std::int64_t k = 0; k < steps_; ++k) {
    const sim::Block b = rng.at(first_step + static_cast<std::uint64_t>(k));
    const bool was_engaged = st.engaged;
    const StepEvents ev =
        step<false>(st, partner, ordinary, p_, b, static_cast<double>(k) * dt, dt, noise_x, p_stressor_);
    if constexpr (kTrace) {
      record(rec, k, st, ev, was_engaged);
      (*sink)(rec);
    }
  }
  close_session(st, dt, steps_, infant, rel, record_cortisol);
}

template <bool kTrace>
std::int64_t DyadModel::run_lab(const LabVisit& lab, const CaregiverParams& cg, std::uint64_t infant_id,
                                std::uint64_t session, Infant& infant, Relationship& rel,
                                bool record_cortisol, StepRecord& rec,
                                [[maybe_unused]] const StepSink* sink) const {
  const double dt = schedule_.dt;
  const double noise_x = p_.infant_noise * sqrt_dt_;
  // The first steps use the draws of the session the protocol replaces, so a protocol of
  // ordinary phases is exactly that session; longer protocols continue on a stream of their own.
  const sim::Stream rng(seed_, infant_id, sim::Purpose::dynamics, stage_);
  const sim::Stream more(seed_, infant_id, sim::Purpose::protocol, stage_);
  const auto slot_steps = static_cast<std::uint64_t>(std::llround(86400.0 / schedule_.sessions_per_day / dt));
  const std::uint64_t first_step = session * static_cast<std::uint64_t>(steps_);

  // The stranger is met with the expectations the infant has of its caregiver.
  const Relationship* known[] = {&rel};
  Relationship with_stranger = relationship_from(known);
  const Partner caregiver(cg, rel.iwm, p_, dt, sqrt_dt_);
  const Partner stranger(*lab.stranger, with_stranger.iwm, p_, dt, sqrt_dt_);
  double xc_caregiver = cg.baseline_stress, xc_stranger = lab.stranger->baseline_stress;

  Session st;
  st.xc = xc_caregiver;
  st.z1 = infant.z1;
  st.z = infant.z;
  st.regulation = infant.regulation;
  std::int64_t k = 0;
  sim::Phase::Partner previous = sim::Phase::Partner::caregiver;
  const auto& phases = lab.protocol->phases;
  for (std::size_t ph = 0; ph < phases.size(); ++ph) {
    const sim::Phase& phase = phases[ph];
    const sim::Phase::Partner who = phase.partner();
    // The partner's arousal: the adult who is there carries hers; an absent one settles.
    const Partner& pt = who == sim::Phase::Partner::stranger ? stranger : caregiver;
    if (who != previous || ph == 0) {
      (previous == sim::Phase::Partner::stranger ? xc_stranger : xc_caregiver) = st.xc;
      st.xc = who == sim::Phase::Partner::stranger ? xc_stranger : xc_caregiver;
      if (who != previous) st.engaged = who != sim::Phase::Partner::none;  // an adult who enters engages
    }
    Mode mode;
    mode.present = who != sim::Phase::Partner::none;
    mode.soothing = phase.soothing || who != sim::Phase::Partner::caregiver;
    mode.engagement_changes = phase.engagement_changes || who != sim::Phase::Partner::caregiver;
    mode.resonance = phase.resonance || who != sim::Phase::Partner::caregiver;
    if (!mode.engagement_changes) st.engaged = true;  // a still face: present and looking
    if (!mode.present) st.engaged = false;
    mode.p_stressor =
        phase.stressor_rate >= 0 ? event_probability(phase.stressor_rate / 60.0, dt) : p_stressor_;
    mode.input = phase.arousal_input;
    st.x += phase.arousal_pulse;

    PhaseMeasures& m = lab.phases[ph];
    m = PhaseMeasures{};
    const auto steps = std::llround(phase.duration_s / dt);
    const auto sample_steps = phase.sample_every_s > 0 ? std::llround(phase.sample_every_s / dt) : 0;
    const std::int64_t repairs0 = st.repairs, episodes0 = st.episodes, shocks0 = st.shocks;
    const double coordinated0 = st.coordinated_s;
    double signal_sum = 0, aroused_sum = 0;
    bool calm = false;
    m.latency_to_calm_s = phase.duration_s;
    for (std::int64_t j = 0; j < steps; ++j, ++k) {
      const auto kk = static_cast<std::uint64_t>(k);
      const sim::Block b = kk < static_cast<std::uint64_t>(steps_) ? rng.at(first_step + kk)
                                                                   : more.at(session * slot_steps + kk);
      const bool was_engaged = st.engaged;
      const StepEvents ev =
          step<true>(st, pt, mode, p_, b, static_cast<double>(k) * dt, dt, noise_x, p_stressor_);
      m.mean_arousal += st.x;
      m.peak_arousal = j == 0 ? st.x : std::max(m.peak_arousal, st.x);
      m.mean_signal += ev.signal;
      if (!ev.dissociated) {
        signal_sum += ev.signal;
        aroused_sum += std::max(st.x, 0.0);
      }
      m.ruptures += ev.rupture ? 1 : 0;
      m.fear_s += ev.fear ? dt : 0;
      m.dissociated_s += ev.dissociated ? dt : 0;
      if (!calm && st.x < p_.distress_threshold / 2.0) {
        calm = true;
        m.latency_to_calm_s = static_cast<double>(j) * dt;
      }
      if (lab.samples && sample_steps > 0 && (j + 1) % sample_steps == 0)
        lab.samples->push_back({static_cast<int>(ph), static_cast<double>(k + 1) * dt, st.x,
                                mode.present ? st.xc - pt.cg.baseline_stress : 0.0, st.z});
      if constexpr (kTrace) {
        record(rec, k, st, ev, was_engaged);
        (*sink)(rec);
      }
    }
    const double n = static_cast<double>(steps);
    m.mean_arousal /= n;
    m.mean_signal /= n;
    m.signal_per_arousal = aroused_sum > 0 ? signal_sum / aroused_sum : std::nan("");
    m.coordinated_fraction = (st.coordinated_s - coordinated0) / (n * dt);
    m.repairs = static_cast<double>(st.repairs - repairs0);
    m.episodes = static_cast<double>(st.episodes - episodes0);
    m.shocks = static_cast<double>(st.shocks - shocks0);
    m.cortisol_end = st.z;
    previous = who;
  }
  close_session(st, dt, k, infant, rel, record_cortisol);
  return k;
}

void save_state(const Infant& in, double* out) {
  const double v[kInfantState] = {in.regulation,     in.z1,           in.z,
                                  in.last_session_z, in.cortisol_sum, static_cast<double>(in.cortisol_n)};
  std::copy(v, v + kInfantState, out);
}

void load_state(const double* in, Infant& out) {
  out.regulation = in[0];
  out.z1 = in[1];
  out.z = in[2];
  out.last_session_z = in[3];
  out.cortisol_sum = in[4];
  out.cortisol_n = static_cast<std::int64_t>(in[5]);
}

namespace {
constexpr std::size_t kIwmState = 8, kInteractionState = 7;
void save_interaction(const Interaction& i, double* out) {
  const double v[kInteractionState] = {i.session_s,
                                       i.coordinated_s,
                                       i.synchrony_sum,
                                       static_cast<double>(i.sessions),
                                       static_cast<double>(i.repairs),
                                       static_cast<double>(i.episodes),
                                       static_cast<double>(i.shocks)};
  std::copy(v, v + kInteractionState, out);
}
void load_interaction(const double* in, Interaction& i) {
  i.session_s = in[0];
  i.coordinated_s = in[1];
  i.synchrony_sum = in[2];
  i.sessions = static_cast<std::int64_t>(in[3]);
  i.repairs = static_cast<std::int64_t>(in[4]);
  i.episodes = static_cast<std::int64_t>(in[5]);
  i.shocks = static_cast<std::int64_t>(in[6]);
}
}  // namespace

static_assert(kRelationshipState == kIwmState + 2 * kInteractionState);

void save_state(const Relationship& in, double* out) {
  const Iwm& m = in.iwm;
  const double v[kIwmState] = {m.alpha,       m.beta,          m.signal_time_s, m.signal_ruptures,
                               m.calm_time_s, m.calm_ruptures, m.gain,          m.fear};
  std::copy(v, v + kIwmState, out);
  save_interaction(in.total, out + kIwmState);
  save_interaction(in.today, out + kIwmState + kInteractionState);
}

void load_state(const double* in, Relationship& out) {
  Iwm& m = out.iwm;
  m.alpha = in[0];
  m.beta = in[1];
  m.signal_time_s = in[2];
  m.signal_ruptures = in[3];
  m.calm_time_s = in[4];
  m.calm_ruptures = in[5];
  m.gain = in[6];
  m.fear = in[7];
  load_interaction(in + kIwmState, out.total);
  load_interaction(in + kIwmState + kInteractionState, out.today);
}

}  // namespace attune::reference
