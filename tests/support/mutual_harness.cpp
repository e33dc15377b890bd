#include "support/mutual_harness.hpp"

#include <cmath>

namespace attune::test {

std::vector<mutual::CaregiverParams> draw_mutual_caregivers(std::size_t n, std::uint64_t seed,
                                                            const Overrides& overrides) {
  const auto table = mutual::param_tables().caregiver;
  std::vector<mutual::CaregiverParams> out;
  out.reserve(n);
  std::vector<double> values(table.size());
  for (std::size_t c = 0; c < n; ++c) {
    for (std::size_t k = 0; k < table.size(); ++k) {
      const auto it = overrides.find(std::string(table[k].key));
      const sim::Distribution d =
          it != overrides.end() ? it->second : sim::Distribution::default_for(table[k]);
      values[k] = sim::sample(d, table[k], sim::Stream(seed, c, sim::Purpose::caregiver_draw, k));
    }
    out.push_back(mutual::caregiver_from(values));
  }
  return out;
}

Overrides high_risk_overrides() {
  using sim::DistKind;
  return {
      {"sensitivity", {DistKind::beta, 0.45, 8}},            // lower sensitivity
      {"baseline_stress", {DistKind::beta, 0.35, 6}},        // more dysregulation (depression, poverty load)
      {"unresolved", {DistKind::beta, 0.2, 2}},              // more unresolved loss and trauma
      {"own_agenda_rate", {DistKind::lognormal, 9.0, 0.5}},  // more distraction, less availability
  };
}

MutualDyad run_mutual_dyad(const mutual::InfantParams& infant, const mutual::CaregiverParams& caregiver,
                           int days, std::uint64_t seed, std::uint64_t infant_id,
                           const mutual::StepSink& sink, const sim::Schedule& schedule) {
  sim::Schedule s = schedule;
  s.days = days;
  const mutual::DyadModel model(infant, s, seed);
  MutualDyad d{model.new_infant(infant_id), model.new_relationship(), {}};
  const mutual::Tie tie{&caregiver, &d.relationship};
  for (int day = 0; day < days; ++day) {
    if (sink)
      model.simulate_day(infant_id, day, d.infant, {&tie, 1}, sink);
    else
      model.simulate_day(infant_id, day, d.infant, {&tie, 1});
  }
  const double cortisol =
      d.infant.cortisol_n > 0 ? d.infant.cortisol_sum / static_cast<double>(d.infant.cortisol_n) : 0;
  d.outcome = mutual::outcome(infant, caregiver, d.relationship.wm, d.relationship.total, d.infant, cortisol);
  return d;
}

std::vector<MutualDyad> run_mutual_population(const mutual::InfantParams& infant,
                                              const std::vector<mutual::CaregiverParams>& caregivers,
                                              int days, std::uint64_t seed, const sim::Schedule& schedule) {
  std::vector<MutualDyad> out;
  out.reserve(caregivers.size());
  for (std::size_t i = 0; i < caregivers.size(); ++i)
    out.push_back(run_mutual_dyad(infant, caregivers[i], days, seed, i, {}, schedule));
  return out;
}

double pearson(const std::vector<double>& a, const std::vector<double>& b) {
  const double n = static_cast<double>(a.size());
  double ma = 0, mb = 0;
  for (std::size_t i = 0; i < a.size(); ++i) ma += a[i], mb += b[i];
  ma /= n, mb /= n;
  double sab = 0, saa = 0, sbb = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    sab += (a[i] - ma) * (b[i] - mb);
    saa += (a[i] - ma) * (a[i] - ma);
    sbb += (b[i] - mb) * (b[i] - mb);
  }
  return saa > 0 && sbb > 0 ? sab / std::sqrt(saa * sbb) : 0.0;
}

MutualSummary summarise(const std::vector<mutual::CaregiverParams>& caregivers,
                        const std::vector<MutualDyad>& dyads) {
  MutualSummary s;
  const double n = static_cast<double>(dyads.size());
  std::vector<double> sens, security, secure, reg;
  for (std::size_t i = 0; i < dyads.size(); ++i) {
    const mutual::Outcome& o = dyads[i].outcome;
    s.share_b += o.classification == 'B' ? 1 / n : 0;
    s.share_a += o.classification == 'A' ? 1 / n : 0;
    s.share_c += o.classification == 'C' ? 1 / n : 0;
    s.share_d += o.classification == 'D' ? 1 / n : 0;
    s.coordinated += o.coordinated_fraction / n;
    s.repairs_per_min += o.repairs_per_min / n;
    s.positive += o.positive_share / n;
    s.negative += o.negative_share / n;
    s.resistance_max = std::max(s.resistance_max, o.resistance);
    s.fear_max = std::max(s.fear_max, o.fear);
    sens.push_back(caregivers[i].sensitivity);
    security.push_back(o.security);
    secure.push_back(o.classification == 'B' ? 1.0 : 0.0);
    reg.push_back(o.regulation);
  }
  s.r_sensitivity_security = pearson(sens, security);
  s.r_sensitivity_secure = pearson(sens, secure);
  double m = 0, v = 0;
  for (double r : reg) m += r / n;
  for (double r : reg) v += (r - m) * (r - m) / n;
  s.regulation_sd = std::sqrt(v);
  return s;
}

}  // namespace attune::test
