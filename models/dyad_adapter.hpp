// The engine's model contract (sim/model.hpp) for a dyad model: a model that advances one infant
// and its ties by a day (`simulate_day`), learns per relationship, and reports outcomes, phase
// measures and classes. Both of attune's models have that shape; each supplies a traits struct
// with its types and the few functions that differ, and this adapter does the rest.
//
// Traits T provides
//   types:     Dyad, Infant, Relationship, Interaction, Caregiver, Phase (protocol measures),
//              StepRecord, LabVisit, Sample (what a protocol samples)
//   constants: kName, kTraceWidth, kInfantState, kRelationshipState
//   functions: params(), infant_from(), caregiver_from(), infant_error(), outcome_fields(),
//              classes(), phase_fields() (each field with a `member` pointer into Phase),
//              trace_fields(), recorded(), newborn(dyad, key), outcome(p, caregiver, rel, period,
//              infant, cortisol), classification(p, infant, rel), observed(p, phases), trace_row(record,
//              dt, row), visit(request, stranger, phases, samples), sample(s), save/load.
#pragma once

#include <algorithm>
#include <array>
#include <deque>
#include <memory>
#include <stdexcept>
#include <vector>

#include "sim/model.hpp"

namespace attune::models {

inline constexpr std::size_t kMaxTies = 16;

template <class T>
class DyadState final : public sim::ModelState {
 public:
  DyadState(const sim::Schedule& schedule, std::uint64_t seed, std::uint64_t stage, std::size_t units,
            std::size_t relationships, std::size_t caregivers, std::span<const double> infant)
      : schedule_(schedule), seed_(seed), stage_(stage), caregivers_(caregivers), unit_dyad_(units, 0) {
    dyads_.emplace_back(T::infant_from(infant), schedule, seed, stage);
    dyad_values_.emplace_back(infant.begin(), infant.end());
    infants_.assign(units, typename T::Infant{});
    rels_.assign(relationships, dyads_[0].new_relationship());
  }

  void begin_infant(std::size_t unit, std::uint64_t key) override {
    infants_[unit] = T::newborn(dyads_[unit_dyad_[unit]], key);
  }

  void set_caregiver(std::size_t c, std::span<const double> values) override {
    caregivers_[c] = T::caregiver_from(values);
  }

  // Units share a dyad model per distinct infant parameter set.
  void set_infant_params(std::size_t unit, std::span<const double> values) override {
    std::size_t d = 0;
    while (d < dyad_values_.size() && !std::equal(values.begin(), values.end(), dyad_values_[d].begin())) ++d;
    if (d == dyad_values_.size()) {
      dyads_.emplace_back(T::infant_from(values), schedule_, seed_, stage_);
      dyad_values_.emplace_back(values.begin(), values.end());
    }
    unit_dyad_[unit] = d;
  }

  void begin_relationship(std::size_t unit, std::size_t relationship,
                          std::span<const std::size_t> known) override {
    std::array<const typename T::Relationship*, kMaxTies> from{};
    const std::size_t n = std::min(known.size(), kMaxTies);
    for (std::size_t k = 0; k < n; ++k) from[k] = &rels_[known[k]];
    rels_[relationship] = dyads_[unit_dyad_[unit]].relationship_from({from.data(), n});
  }

  void simulate_day(std::size_t unit, std::uint64_t key, int day, std::span<const sim::TieRef> refs,
                    const sim::LabRequest* lab, const sim::TraceSink* trace) override {
    if (refs.size() > kMaxTies) throw std::length_error("more than 16 caregivers");
    std::array<typename T::Tie, kMaxTies> ties{};
    for (std::size_t k = 0; k < refs.size(); ++k)
      ties[k] = {&caregivers_[refs[k].caregiver], &rels_[refs[k].relationship]};
    const std::span<const typename T::Tie> mine(ties.data(), refs.size());
    const typename T::Dyad& dyad = dyads_[unit_dyad_[unit]];
    // A protocol day (rare): the model's measures and samples, turned into the engine's.
    std::vector<typename T::Phase> phases;
    std::vector<typename T::Sample> samples;
    typename T::LabVisit visit{};
    if (lab) {
      phases.resize(lab->protocol->phases.size());
      visit = T::visit(*lab, caregivers_[lab->stranger], phases.data(), &samples);
    }
    if (trace) {
      std::array<double, T::kTraceWidth> row{};
      dyad.simulate_day(
          key, day, infants_[unit], mine,
          [&](const typename T::StepRecord& r) {
            T::trace_row(r, schedule_.dt, row);
            (*trace)(r.tie, row);
          },
          lab ? &visit : nullptr);
    } else {
      dyad.simulate_day(key, day, infants_[unit], mine, lab ? &visit : nullptr);
    }
    if (!lab) return;
    const auto fields = T::phase_fields();
    for (std::size_t p = 0; p < phases.size(); ++p)
      for (std::size_t f = 0; f < fields.size(); ++f)
        lab->measures[p * fields.size() + f] = phases[p].*fields[f].member;
    for (const auto& s : samples) lab->samples->push_back(T::sample(s));
  }

  void outcomes(std::size_t unit, sim::TieRef tie, bool today, std::span<double> out) const override {
    const typename T::Infant& inf = infants_[unit];
    const typename T::Relationship& rel = rels_[tie.relationship];
    const typename T::Caregiver& cg = caregivers_[tie.caregiver];
    const auto& p = dyads_[unit_dyad_[unit]].params();
    typename T::Outcome o;
    if (today) {  // the day's interaction, with the run's counts, and the last session's cortisol
      typename T::Interaction period = rel.today;
      period.episodes = rel.total.episodes;
      period.shocks = rel.total.shocks;
      o = T::outcome(p, cg, rel, period, inf, inf.last_session_z);
    } else {
      const double cortisol =
          inf.cortisol_n > 0 ? inf.cortisol_sum / static_cast<double>(inf.cortisol_n) : 0.0;
      o = T::outcome(p, cg, rel, rel.total, inf, cortisol);
    }
    const auto fields = T::outcome_fields();
    for (std::size_t f = 0; f < fields.size(); ++f) out[f] = fields[f].get(o);
  }

  char classification(std::size_t unit, std::size_t relationship) const override {
    return T::classification(dyads_[unit_dyad_[unit]].params(), infants_[unit], rels_[relationship]);
  }

  char observed_classification(std::size_t unit, std::span<const double> reunions) const override {
    const auto fields = T::phase_fields();
    std::vector<typename T::Phase> m(reunions.size() / fields.size());
    for (std::size_t p = 0; p < m.size(); ++p)
      for (std::size_t f = 0; f < fields.size(); ++f)
        m[p].*fields[f].member = reunions[p * fields.size() + f];
    return T::observed(dyads_[unit_dyad_[unit]].params(), m);
  }

  std::size_t infant_state_size() const override { return T::kInfantState; }
  std::size_t relationship_state_size() const override { return T::kRelationshipState; }
  void save_infant(std::size_t unit, double* out) const override { T::save(infants_[unit], out); }
  void load_infant(std::size_t unit, const double* in) override { T::load(in, infants_[unit]); }
  void save_relationship(std::size_t r, double* out) const override { T::save(rels_[r], out); }
  void load_relationship(std::size_t r, const double* in) override { T::load(in, rels_[r]); }
  void reset_tallies(std::size_t unit, std::size_t relationship) override {
    infants_[unit].cortisol_sum = 0;
    infants_[unit].cortisol_n = 0;
    rels_[relationship].total = typename T::Interaction{};
  }

 private:
  sim::Schedule schedule_;
  std::uint64_t seed_, stage_;
  std::vector<typename T::Caregiver> caregivers_;
  std::deque<typename T::Dyad> dyads_;  // one per distinct infant parameter set
  std::vector<std::vector<double>> dyad_values_;
  std::vector<std::size_t> unit_dyad_;
  std::vector<typename T::Infant> infants_;
  std::vector<typename T::Relationship> rels_;
};

template <class T>
class DyadModelInfo final : public sim::Model {
 public:
  DyadModelInfo() {
    using K = sim::FieldInfo;
    for (const auto& f : T::outcome_fields())
      outcomes_.push_back({f.name, f.meaning,
                           f.kind == decltype(f.kind)::real    ? K::real
                           : f.kind == decltype(f.kind)::count ? K::count
                                                               : K::letter});
    for (const auto& f : T::phase_fields()) phases_.push_back({f.name, f.meaning, K::real});
    for (const auto& c : T::classes()) classes_.push_back({c.letter, c.name});
  }
  std::string_view name() const override { return T::kName; }
  sim::ParamTables params() const override { return T::params(); }
  const char* check_infant(std::span<const double> values) const override {
    return T::infant_error(T::infant_from(values));
  }
  std::span<const sim::FieldInfo> outcome_fields() const override { return outcomes_; }
  std::span<const sim::ClassInfo> classes() const override { return classes_; }
  std::span<const std::string_view> recorded_caregiver_keys() const override { return T::recorded(); }
  std::span<const sim::FieldInfo> phase_fields() const override { return phases_; }
  std::span<const sim::FieldInfo> trace_fields() const override { return T::trace_fields(); }
  std::unique_ptr<sim::ModelState> start(const sim::Schedule& schedule, std::uint64_t seed,
                                         std::uint64_t stage, std::size_t units, std::size_t relationships,
                                         std::size_t caregivers,
                                         std::span<const double> infant) const override {
    return std::make_unique<DyadState<T>>(schedule, seed, stage, units, relationships, caregivers, infant);
  }

 private:
  std::vector<sim::FieldInfo> outcomes_, phases_;
  std::vector<sim::ClassInfo> classes_;
};

}  // namespace attune::models
