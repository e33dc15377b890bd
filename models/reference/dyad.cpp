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

DyadModel::DyadModel(const InfantParams& params, const sim::Schedule& schedule, std::uint64_t seed)
    : p_(params),
      schedule_(schedule),
      seed_(seed),
      steps_(schedule.steps_per_session()),
      sqrt_dt_(std::sqrt(schedule.dt)),
      p_stressor_(event_probability(params.stressor_rate / 60.0, schedule.dt)),
      cortisol_from_day_(schedule.days - std::min(30, schedule.days)) {}

Infant DyadModel::new_infant() const {
  Infant infant;
  infant.regulation = p_.regulation_initial;
  return infant;
}

void DyadModel::simulate_day(std::uint64_t infant_id, int day, Infant& infant,
                             std::span<const Tie> ties) const {
  day_impl<false>(infant_id, day, infant, ties, nullptr);
}

void DyadModel::simulate_day(std::uint64_t infant_id, int day, Infant& infant, std::span<const Tie> ties,
                             const StepSink& sink) const {
  day_impl<true>(infant_id, day, infant, ties, &sink);
}

template <bool kTrace>
void DyadModel::day_impl(std::uint64_t infant_id, int day, Infant& infant, std::span<const Tie> ties,
                         const StepSink* sink) const {
  StepRecord rec{};
  rec.day = day;
  const sim::Stream rng(seed_, infant_id, sim::Purpose::dynamics);
  for (const Tie& tie : ties) tie.relationship->today = Interaction{};
  const bool record_cortisol = day >= cortisol_from_day_;
  for (int s = 0; s < schedule_.sessions_per_day; ++s) {
    const std::int64_t session = std::int64_t{day} * schedule_.sessions_per_day + s;
    const std::size_t which = static_cast<std::size_t>(session) % ties.size();
    const Tie& tie = ties[which];
    rec.session = s;
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

template <bool kTrace>
void DyadModel::run_session(const CaregiverParams& cg, const sim::Stream& rng, std::uint64_t first_step,
                            Infant& infant, Relationship& rel, bool record_cortisol, StepRecord& rec,
                            [[maybe_unused]] const StepSink* sink) const {
  const InfantParams& p = p_;
  const double dt = schedule_.dt;
  const double a = cg.attunement;
  const double rupture_per_s = cg.rupture_rate / 60.0;
  const double repair_per_s = cg.repair_rate / 60.0;
  const double p_rupture_calm = event_probability(rupture_per_s * 1.0, dt);
  const double p_repair_calm = event_probability(repair_per_s * 1.0, dt);
  const double perception_sd = cg.perception_noise * (1.0 - a);
  const double soothing = cg.soothing_gain * a;
  const double intrusion = cg.intrusiveness * (1.0 - a);
  const double noise_x = p.infant_noise * sqrt_dt_;
  const double noise_c = cg.caregiver_noise * sqrt_dt_;
  const double response_u = p.response_min * cg.soothing_gain * p.distress_threshold;
  const double episode_end_x = p.distress_threshold / 2.0;

  Iwm& iwm = rel.iwm;
  double regulation = infant.regulation;
  double x = 0.0;
  double xc = cg.baseline_stress;
  bool engaged = true;
  double dissociation_left = 0.0;
  bool open = false;
  double onset = 0.0, latency = kNever, unattended = 0.0;
  bool frightened = false;
  bool was_coordinated = true;
  double coordinated_s = 0.0;
  std::int64_t repairs = 0, episodes = 0, shocks = 0;
  double sum_x = 0, sum_c = 0, sum_xx = 0, sum_cc = 0, sum_xc = 0;
  double z1 = infant.z1, z = infant.z;

  for (std::int64_t k = 0; k < steps_; ++k) {
    const sim::Block b = rng.at(first_step + static_cast<std::uint64_t>(k));
    const double t = static_cast<double>(k) * dt;

    // 1. Stressor.
    const bool stressor = sim::uniform_co(sim::low32(b.w[0])) < p_stressor_;
    if (stressor) x += p.stressor_size * sim::exponential(sim::high32(b.w[1]));

    // 2. Signal.
    const bool dissociated = dissociation_left > 0.0;
    const double signal = dissociated ? 0.0 : iwm.gain * std::max(x, 0.0);

    // 3. Engagement: rupture while engaged, repair while not.
    const bool was_engaged = engaged;
    if (engaged) {
      const double qs = cg.rejection * signal;
      const double pr = qs == 0.0 ? p_rupture_calm : event_probability(rupture_per_s * (1.0 + qs), dt);
      const bool rupture = sim::uniform_co(sim::high32(b.w[0])) < pr;
      if (signal > p.signal_floor) {
        iwm.signal_time_s += dt;
        iwm.signal_ruptures += rupture ? 1.0 : 0.0;
      } else {
        iwm.calm_time_s += dt;
        iwm.calm_ruptures += rupture ? 1.0 : 0.0;
      }
      engaged = !rupture;
    } else {
      const double as = a * signal;
      const double pp = as == 0.0 ? p_repair_calm : event_probability(repair_per_s * (1.0 + as), dt);
      engaged = sim::uniform_co(sim::low32(b.w[1])) < pp;
    }
    const double e = engaged ? 1.0 : 0.0;

    // 4. Caregiver action, with the new engagement.
    // u = E·k·a·max(ŷ,0)·eff and v = E·k_i·(1−a)·|N₂| are exactly 0 when E = 0, so the
    // perception and intrusion normals are only transformed while engaged.
    const bool flooded = xc > cg.flood_threshold;
    double u = 0.0, v = 0.0;
    if (engaged) {
      double n1, n2;
      sim::normal_pair(sim::low32(b.w[2]), sim::high32(b.w[2]), n1, n2);
      const double perceived = x + perception_sd * n1;
      const double efficacy = flooded ? 0.0 : 1.0 / (1.0 + std::max(xc - cg.baseline_stress, 0.0));
      u = soothing * std::max(perceived, 0.0) * efficacy;
      v = intrusion * std::fabs(n2);
    }
    const bool fear = engaged && flooded;
    double n3, n4;
    sim::normal_pair(sim::low32(b.w[3]), sim::high32(b.w[3]), n3, n4);

    // 5. Infant arousal.
    if (dissociated) {
      x += -regulation * (x + p.hypoarousal) * dt + noise_x * n3;
      dissociation_left = std::max(dissociation_left - dt, 0.0);
    } else {
      x += (-regulation * x - u + v + (fear ? cg.fright_jump : 0.0)) * dt + noise_x * n3;
    }

    // 6. Caregiver arousal: resonance with the infant's new arousal.
    const double xc_rel = xc - cg.baseline_stress;
    xc += (-cg.caregiver_regulation * xc_rel + e * cg.resonance * (x - xc_rel)) * dt + noise_c * n4;

    // 7. Cortisol, two stages.
    z += (z1 - z) / p.cortisol_tau_s * dt;
    z1 += (-z1 / p.cortisol_tau_s + p.cortisol_gain * std::max(x - p.distress_threshold, 0.0)) * dt;

    // 8. Coordination and its repair.
    const bool coordinated =
        engaged && band(x, p.distress_threshold) == band(xc - cg.baseline_stress, p.distress_threshold);
    if (coordinated) {
      coordinated_s += dt;
      if (!was_coordinated) ++repairs;
    }
    was_coordinated = coordinated;
    sum_x += x;
    const double xc_shifted =
        xc - cg.baseline_stress;  // correlation is shift-free; this is exact-zero friendly
    sum_c += xc_shifted;
    sum_xx += x * x;
    sum_cc += xc_shifted * xc_shifted;
    sum_xc += x * xc_shifted;

    // 9. Distress episodes.
    const bool started = !open && !dissociated && x > p.distress_threshold;
    if (started) {
      open = true;
      onset = t;
      latency = kNever;
      frightened = false;
      unattended = 0.0;
    }
    if (open && latency == kNever && u >= response_u) latency = t - onset;
    frightened = frightened || (open && fear);
    unattended = (open && x > p.distress_threshold && (!engaged || flooded)) ? unattended + dt : 0.0;
    const bool shock = open && unattended >= p.shock_s;
    if (shock) {
      dissociation_left = p.dissociation_s;
      ++shocks;
    }
    const bool ended = open && (x < episode_end_x || shock);
    if (ended) {
      learn_from_episode(p, latency <= p.response_window_s, frightened, shock, iwm, regulation);
      open = false;
      ++episodes;
    }

    if constexpr (kTrace) {
      rec.step = k;
      rec.x = x;
      rec.xc = xc;
      rec.signal = signal;
      rec.u = u;
      rec.v = v;
      rec.z1 = z1;
      rec.z = z;
      rec.engaged = engaged;
      rec.stressor = stressor;
      rec.rupture = was_engaged && !engaged;
      rec.repair = !was_engaged && engaged;
      rec.coordinated = coordinated;
      rec.fear = fear;
      rec.dissociated = dissociated;
      rec.episode_started = started;
      rec.episode_ended = ended;
      rec.shock = shock;
      rec.latency = ended ? latency : kNever;
      (*sink)(rec);
    }
  }

  infant.regulation = regulation;
  infant.z1 = z1;
  infant.z = z;
  infant.last_session_z = z;
  if (record_cortisol) {
    infant.cortisol_sum += z;
    ++infant.cortisol_n;
  }

  // Synchrony: Pearson correlation of x and x_c over the session (0 if either is constant).
  const double n = static_cast<double>(steps_);
  // A variance at rounding level (a constant series) counts as 0, as MODEL.md asks.
  const double mean_x = sum_x / n, mean_c = sum_c / n;
  const double var_x = sum_xx / n - mean_x * mean_x;
  const double var_c = sum_cc / n - mean_c * mean_c;
  const double cov = sum_xc / n - mean_x * mean_c;
  const bool varies = var_x > 1e-12 * (1.0 + mean_x * mean_x) && var_c > 1e-12 * (1.0 + mean_c * mean_c);
  const double synchrony = varies ? cov / std::sqrt(var_x * var_c) : 0.0;

  Interaction& today = rel.today;
  today.session_s += n * dt;
  today.coordinated_s += coordinated_s;
  today.synchrony_sum += synchrony;
  today.sessions += 1;
  today.repairs += repairs;
  today.episodes += episodes;
  today.shocks += shocks;
}

}  // namespace attune::reference
