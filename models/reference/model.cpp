#include "models/reference/model.hpp"

#include <array>
#include <deque>
#include <limits>
#include <stdexcept>

#include "models/reference/dyad.hpp"
#include "models/reference/outcomes.hpp"

namespace attune::reference {
namespace {

constexpr std::size_t kMaxTies = 16;

std::vector<sim::FieldInfo> make_outcome_fields() {
  std::vector<sim::FieldInfo> out;
  for (const auto& f : outcome_fields())
    out.push_back({f.name, f.meaning,
                   f.kind == OutcomeField::real    ? sim::FieldInfo::real
                   : f.kind == OutcomeField::count ? sim::FieldInfo::count
                                                   : sim::FieldInfo::letter});
  return out;
}

std::vector<sim::FieldInfo> make_phase_fields() {
  std::vector<sim::FieldInfo> out;
  for (const auto& f : phase_fields()) out.push_back({f.name, f.meaning, sim::FieldInfo::real});
  return out;
}

// The trace columns after infant_id and caregiver_id, as written since schema version 1.
using K = sim::FieldInfo;
const std::array<sim::FieldInfo, 22> kTrace{{
    {"day", "simulated day (0-based)", K::count},
    {"session", "session within the day", K::count},
    {"step", "step within the session", K::count},
    {"t", "seconds since the session's start", K::real},
    {"x", "infant arousal", K::real},
    {"xc", "caregiver arousal", K::real},
    {"signal", "distress signal sent", K::real},
    {"u", "soothing received", K::real},
    {"v", "intrusion received", K::real},
    {"z1", "first cortisol stage", K::real},
    {"z", "cortisol", K::real},
    {"engaged", "E after the step", K::count},
    {"coordinated", "coordinated this step", K::count},
    {"frightening", "frightening caregiver behaviour", K::count},
    {"dissociated", "dissociated this step", K::count},
    {"stressor", "a stressor hit", K::count},
    {"rupture", "engaged → disengaged", K::count},
    {"repair", "disengaged → engaged", K::count},
    {"episode_start", "a distress episode started", K::count},
    {"episode_end", "a distress episode ended", K::count},
    {"shock", "a developmental shock", K::count},
    {"latency", "response latency of the episode that ended (NaN otherwise)", K::real},
}};

constexpr std::string_view kRecorded[] = {"attunement", "rupture_rate", "repair_rate", "rejection",
                                          "baseline_stress"};

class State final : public sim::ModelState {
 public:
  State(const sim::Schedule& schedule, std::uint64_t seed, std::uint64_t stage, std::size_t units,
        std::size_t relationships, std::size_t caregivers, std::span<const double> infant)
      : schedule_(schedule), seed_(seed), stage_(stage), caregivers_(caregivers), unit_dyad_(units, 0) {
    dyads_.emplace_back(infant_from(infant), schedule, seed, stage);
    dyad_values_.emplace_back(infant.begin(), infant.end());
    infants_.assign(units, dyads_[0].new_infant());
    rels_.assign(relationships, dyads_[0].new_relationship());
  }

  void begin_infant(std::size_t, std::uint64_t) override {}  // every newborn starts alike

  void set_caregiver(std::size_t c, std::span<const double> values) override {
    caregivers_[c] = caregiver_from(values);
  }

  void set_infant_params(std::size_t unit, std::span<const double> values) override {
    std::size_t d = 0;
    while (d < dyad_values_.size() && !std::equal(values.begin(), values.end(), dyad_values_[d].begin())) ++d;
    if (d == dyad_values_.size()) {
      dyads_.emplace_back(infant_from(values), schedule_, seed_, stage_);
      dyad_values_.emplace_back(values.begin(), values.end());
    }
    unit_dyad_[unit] = d;
  }

  void begin_relationship(std::size_t unit, std::size_t relationship,
                          std::span<const std::size_t> known) override {
    std::array<const Relationship*, kMaxTies> from{};
    for (std::size_t k = 0; k < known.size(); ++k) from[k] = &rels_[known[k]];
    rels_[relationship] = dyads_[unit_dyad_[unit]].relationship_from({from.data(), known.size()});
  }

  void simulate_day(std::size_t unit, std::uint64_t infant_key, int day, std::span<const sim::TieRef> refs,
                    const sim::LabRequest* lab, const sim::TraceSink* trace) override {
    if (refs.size() > kMaxTies) throw std::length_error("more than 16 caregivers");
    std::array<Tie, kMaxTies> ties{};
    for (std::size_t k = 0; k < refs.size(); ++k)
      ties[k] = {&caregivers_[refs[k].caregiver], &rels_[refs[k].relationship]};
    const std::span<const Tie> mine(ties.data(), refs.size());
    const DyadModel& dyad = dyads_[unit_dyad_[unit]];
    std::vector<PhaseMeasures> phases;
    LabVisit visit{};
    if (lab) {
      phases.resize(lab->protocol->phases.size());
      visit = {lab->protocol, &caregivers_[lab->stranger], lab->tie, phases.data(), lab->samples};
    }
    if (trace) {
      std::array<double, kTrace.size()> row{};
      dyad.simulate_day(
          infant_key, day, infants_[unit], mine,
          [&](const StepRecord& r) {
            row = {static_cast<double>(r.day),
                   static_cast<double>(r.session),
                   static_cast<double>(r.step),
                   static_cast<double>(r.step) * schedule_.dt,
                   r.x,
                   r.xc,
                   r.signal,
                   r.u,
                   r.v,
                   r.z1,
                   r.z,
                   static_cast<double>(r.engaged),
                   static_cast<double>(r.coordinated),
                   static_cast<double>(r.fear),
                   static_cast<double>(r.dissociated),
                   static_cast<double>(r.stressor),
                   static_cast<double>(r.rupture),
                   static_cast<double>(r.repair),
                   static_cast<double>(r.episode_started),
                   static_cast<double>(r.episode_ended),
                   static_cast<double>(r.shock),
                   r.episode_ended ? r.latency : std::numeric_limits<double>::quiet_NaN()};
            (*trace)(r.tie, row);
          },
          lab ? &visit : nullptr);
    } else {
      dyad.simulate_day(infant_key, day, infants_[unit], mine, lab ? &visit : nullptr);
    }
    if (!lab) return;
    const auto fields = phase_fields();
    for (std::size_t p = 0; p < phases.size(); ++p)
      for (std::size_t f = 0; f < fields.size(); ++f)
        lab->measures[p * fields.size() + f] = phases[p].*fields[f].member;
  }

  void outcomes(std::size_t unit, std::size_t relationship, bool today,
                std::span<double> out) const override {
    const Infant& inf = infants_[unit];
    const Relationship& rel = rels_[relationship];
    const InfantParams& p = dyads_[unit_dyad_[unit]].params();
    Outcome o;
    if (today) {
      Interaction period = rel.today;
      period.episodes = rel.total.episodes;
      period.shocks = rel.total.shocks;
      o = outcome(p, rel.iwm, period, inf.regulation, inf.last_session_z);
    } else {
      const double cortisol = inf.cortisol_n ? inf.cortisol_sum / static_cast<double>(inf.cortisol_n) : 0.0;
      o = outcome(p, rel.iwm, rel.total, inf.regulation, cortisol);
    }
    const auto fields = outcome_fields();
    for (std::size_t f = 0; f < fields.size(); ++f) out[f] = fields[f].get(o);
  }

  char classification(std::size_t unit, std::size_t relationship) const override {
    return outcome(dyads_[unit_dyad_[unit]].params(), rels_[relationship].iwm, {}, infants_[unit].regulation,
                   0)
        .classification;
  }

  char observed_classification(std::size_t unit, std::span<const double> reunions) const override {
    const auto fields = phase_fields();
    std::vector<PhaseMeasures> m(reunions.size() / fields.size());
    for (std::size_t p = 0; p < m.size(); ++p)
      for (std::size_t f = 0; f < fields.size(); ++f)
        m[p].*fields[f].member = reunions[p * fields.size() + f];
    return reference::observed_classification(dyads_[unit_dyad_[unit]].params(), m);
  }

  std::size_t infant_state_size() const override { return kInfantState; }
  std::size_t relationship_state_size() const override { return kRelationshipState; }
  void save_infant(std::size_t unit, double* out) const override { save_state(infants_[unit], out); }
  void load_infant(std::size_t unit, const double* in) override { load_state(in, infants_[unit]); }
  void save_relationship(std::size_t r, double* out) const override { save_state(rels_[r], out); }
  void load_relationship(std::size_t r, const double* in) override { load_state(in, rels_[r]); }
  void reset_tallies(std::size_t unit, std::size_t relationship) override {
    infants_[unit].cortisol_sum = 0;
    infants_[unit].cortisol_n = 0;
    rels_[relationship].total = Interaction{};
  }

 private:
  sim::Schedule schedule_;
  std::uint64_t seed_, stage_;
  std::vector<CaregiverParams> caregivers_;
  std::deque<DyadModel> dyads_;  // one per distinct infant parameter set
  std::vector<std::vector<double>> dyad_values_;
  std::vector<std::size_t> unit_dyad_;
  std::vector<Infant> infants_;
  std::vector<Relationship> rels_;
};

class Reference final : public sim::Model {
 public:
  std::string_view name() const override { return "reference"; }
  sim::ParamTables params() const override { return param_tables(); }
  const char* check_infant(std::span<const double> values) const override {
    return infant_consistency_error(infant_from(values));
  }
  std::span<const sim::FieldInfo> outcome_fields() const override { return outcomes_; }
  std::span<const sim::ClassInfo> classes() const override { return classes_; }
  std::span<const std::string_view> recorded_caregiver_keys() const override { return kRecorded; }
  std::span<const sim::FieldInfo> phase_fields() const override { return phases_; }
  std::span<const sim::FieldInfo> trace_fields() const override { return kTrace; }
  std::unique_ptr<sim::ModelState> start(const sim::Schedule& schedule, std::uint64_t seed,
                                         std::uint64_t stage, std::size_t units, std::size_t relationships,
                                         std::size_t caregivers,
                                         std::span<const double> infant) const override {
    return std::make_unique<State>(schedule, seed, stage, units, relationships, caregivers, infant);
  }

 private:
  std::vector<sim::FieldInfo> outcomes_ = make_outcome_fields();
  std::vector<sim::FieldInfo> phases_ = make_phase_fields();
  std::vector<sim::ClassInfo> classes_ = [] {
    std::vector<sim::ClassInfo> out;
    for (const auto& c : reference::classes()) out.push_back({c.letter, c.name});
    return out;
  }();
};

}  // namespace

const sim::Model& model() {
  static const Reference instance;
  return instance;
}

}  // namespace attune::reference
