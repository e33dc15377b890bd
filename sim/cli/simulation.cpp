#include "sim/cli/simulation.hpp"

#include <chrono>
#include <cmath>
#include <ctime>
#include <deque>
#include <map>
#include <optional>

#include <fmt/format.h>

#include "models/reference/dyad.hpp"
#include "models/reference/outcomes.hpp"
#include "sim/cli/run_state.hpp"
#include "sim/cli/version.hpp"
#include "sim/errors.hpp"
#include "sim/population.hpp"
#include "sim/progress.hpp"
#include "sim/runner.hpp"

namespace attune::app {
namespace ref = attune::reference;

sim::ModelSpec model_spec() {
  sim::ModelSpec spec;
  spec.params = ref::param_tables();
  for (const auto& f : ref::outcome_fields())
    if (f.kind != ref::OutcomeField::letter) spec.daily_fields.push_back(f.name);
  spec.check_infant = [](const std::vector<double>& v) {
    return ref::infant_consistency_error(ref::infant_from(v));
  };
  return spec;
}

sim::SummarySpec summary_spec() {
  sim::SummarySpec spec{"classification", {}, {}};
  for (const auto& c : ref::classes()) spec.classes.emplace_back(c.letter, std::string(c.name));
  for (const auto& f : ref::outcome_fields())
    if (f.kind != ref::OutcomeField::letter) spec.mean_columns.emplace_back(f.name);
  return spec;
}

namespace {

constexpr int kChunkDays = 16;
constexpr std::size_t kMaxTies = 16;
constexpr int kForever = 1 << 30;
constexpr std::string_view kDrawnColumns[] = {"attunement", "rupture_rate", "repair_rate", "rejection",
                                              "baseline_stress"};

int class_index(char c) {
  switch (c) {
    case 'B':
      return 0;
    case 'A':
      return 1;
    case 'C':
      return 2;
    default:
      return 3;
  }
}
constexpr char kClassOrder[] = {'B', 'A', 'C', 'D'};

// Where each requested daily field sits in outcome_fields().
std::vector<const ref::OutcomeField*> daily_getters(const sim::Scenario& s) {
  std::vector<const ref::OutcomeField*> out;
  for (const auto& name : s.daily)
    for (const auto& f : ref::outcome_fields())
      if (f.name == name) out.push_back(&f);
  return out;
}

std::size_t param_index(std::span<const sim::ParamInfo> table, std::string_view key) {
  std::size_t k = 0;
  while (k < table.size() && table[k].key != key) ++k;
  return k;
}

// One run's population under the reference model: infants in their arm copies ("units"),
// caregivers, relationships with the days they hold, and the model state.
class Run {
 public:
  Run(const sim::Scenario& s, const RunSettings& settings)
      : s_(s), settings_(settings), tables_(ref::param_tables()) {
    n_ = static_cast<std::size_t>(s.infants);
    copies_ = s.experiment.paired ? s.experiment.arm_count() : 1;
    units_ = n_ * copies_;
    if (!s.experiment.initial_state.empty()) initial_ = read_state(s.experiment.initial_state);
    stage_ = initial_ ? initial_->stage + 1 : 0;
    assign_arms();
    build_caregivers();
    build_relationships();
    models_.emplace_back(ref::infant_from(s.infant), s.schedule, s.seed, stage_);
    model_values_.push_back(s.infant);
    unit_model_.assign(units_, 0);
    infants_.assign(units_, models_[0].new_infant());
    rels_.assign(rel_unit_.size(), models_[0].new_relationship());
    if (initial_) start_from_state();
    for (const auto& p : s.experiment.protocols) {
      measures_.emplace_back(units_ * p.phases.size());
      samples_.emplace_back(units_);
      observed_.emplace_back(units_, ' ');
      iwm_class_.emplace_back(units_, ' ');
    }
    protocol_on_day_.assign(static_cast<std::size_t>(s.schedule.days), -1);
    for (std::size_t k = 0; k < s.experiment.protocols.size(); ++k) {
      const auto& p = s.experiment.protocols[k];
      if (protocol_on_day_[static_cast<std::size_t>(p.day)] >= 0)
        throw sim::InputError(fmt::format(
            "{}: protocols {} and {} are both on day {}; give them different days", s.source,
            s.experiment
                .protocols[static_cast<std::size_t>(protocol_on_day_[static_cast<std::size_t>(p.day)])]
                .name,
            p.name, p.day));
      protocol_on_day_[static_cast<std::size_t>(p.day)] = static_cast<int>(k);
      strangers_.push_back(ref::caregiver_from(p.stranger));
    }
  }

  RunResult run();

 private:
  void assign_arms();
  void build_caregivers();
  void build_relationships();
  void start_from_state();
  void apply_changes(int day);
  void advance(std::size_t u, int day);
  std::size_t active_ties(std::size_t u, int day, std::array<ref::Tie, kMaxTies>& out,
                          std::array<std::size_t, kMaxTies>& ids) const;
  void write_daily(std::size_t u, int day);
  RunImage image(int next_day);
  void restore(const RunImage& img);
  RunResult results();

  std::size_t unit_infant(std::size_t u) const { return u % n_; }
  std::size_t unit_arm(std::size_t u) const {
    return s_.experiment.paired ? u / n_ : arm_of_infant_[unit_infant(u)];
  }

  const sim::Scenario& s_;
  const RunSettings& settings_;
  sim::ParamTables tables_;
  std::optional<RunImage> initial_;
  std::uint64_t stage_ = 0;
  std::size_t n_ = 0, copies_ = 1, units_ = 0;
  std::vector<std::size_t> arm_of_infant_;
  // Caregivers ("slots"): each unit's own, then newcomers. Values row-major, table order.
  std::vector<double> values_;
  std::vector<ref::CaregiverParams> caregivers_;
  std::vector<std::int64_t> caregiver_id_;
  std::vector<std::string> caregiver_profile_;
  std::vector<std::uint32_t> profile_index_;
  // Relationships, grouped by unit (CSR), each with the days [from, until) it holds.
  std::vector<std::size_t> rel_unit_, rel_slot_, first_rel_;
  std::vector<int> rel_from_, rel_until_;
  std::deque<ref::DyadModel> models_;  // one per distinct infant parameter set
  std::vector<std::vector<double>> model_values_;
  std::vector<std::size_t> unit_model_;
  std::vector<ref::Infant> infants_;
  std::vector<ref::Relationship> rels_;
  // Protocols: per protocol, the phase measures (units × phases), samples, classifications.
  std::vector<int> protocol_on_day_;
  std::vector<ref::CaregiverParams> strangers_;
  std::vector<std::vector<ref::PhaseMeasures>> measures_;
  std::vector<std::vector<std::vector<ref::ProtocolSample>>> samples_;
  std::vector<std::vector<char>> observed_, iwm_class_;
  // Daily series and traces.
  std::vector<const ref::OutcomeField*> getters_;
  std::vector<float> block_;
  struct Traced {
    ref::StepRecord rec;
    std::int64_t infant, caregiver;
  };
  std::vector<int> trace_slot_;
  std::vector<std::vector<Traced>> traced_;
};

void Run::assign_arms() {
  const auto& arms = s_.experiment.arms;
  arm_of_infant_.assign(n_, 0);
  if (arms.size() < 2 || s_.experiment.paired) return;
  double total = 0;
  for (const auto& a : arms) total += a.weight;
  for (std::size_t i = 0; i < n_; ++i) {
    const sim::Stream stream(s_.seed, i, sim::Purpose::arm_choice, stage_);
    const double u = sim::uniform_co(sim::low32(stream.at(0).w[0])) * total;
    double cumulative = 0;
    std::size_t a = 0;
    while (a + 1 < arms.size() && u >= (cumulative += arms[a].weight)) ++a;
    arm_of_infant_[i] = a;
  }
}

void Run::build_caregivers() {
  const std::size_t P = tables_.caregiver.size();
  const sim::Population pop = sim::build_population(s_, tables_);
  for (std::size_t u = 0; u < units_; ++u) {
    const std::size_t i = unit_infant(u);
    const auto row = pop.caregiver(i);
    values_.insert(values_.end(), row.begin(), row.end());
    caregiver_id_.push_back(static_cast<std::int64_t>(i));
    profile_index_.push_back(pop.caregiver_profile[i]);
    caregiver_profile_.push_back(s_.profiles[pop.caregiver_profile[i]].name);
  }
  // Newcomers: one per infant concerned and per change that brings one, numbered after the
  // birth caregivers, drawn from their own streams.
  std::size_t ordinal = 0;
  for (const auto& c : s_.experiment.changes) {
    if (c.newcomer == sim::Change::Newcomer::none) continue;
    ++ordinal;
    for (std::size_t u = 0; u < units_; ++u) {
      if (!c.applies_to(unit_arm(u))) continue;
      const auto id = static_cast<std::uint64_t>(ordinal * n_ + unit_infant(u));
      for (std::size_t k = 0; k < P; ++k)
        values_.push_back(sim::sample(c.newcomer_caregiver[k], tables_.caregiver[k],
                                      sim::Stream(s_.seed, id, sim::Purpose::caregiver_draw, k)));
      caregiver_id_.push_back(static_cast<std::int64_t>(id));
      profile_index_.push_back(0);
      caregiver_profile_.push_back(c.name);
    }
  }
  for (std::size_t c = 0; c < caregiver_id_.size(); ++c)
    caregivers_.push_back(ref::caregiver_from({values_.data() + c * P, P}));
}

void Run::build_relationships() {
  // Per unit: its own caregiver, then the newcomers it receives, in the order of the changes.
  std::vector<std::vector<std::size_t>> newcomer_slots(units_);
  std::vector<std::vector<const sim::Change*>> newcomer_change(units_);
  std::size_t slot = units_;
  for (const auto& c : s_.experiment.changes) {
    if (c.newcomer == sim::Change::Newcomer::none) continue;
    for (std::size_t u = 0; u < units_; ++u)
      if (c.applies_to(unit_arm(u))) newcomer_slots[u].push_back(slot++), newcomer_change[u].push_back(&c);
  }
  first_rel_.push_back(0);
  for (std::size_t u = 0; u < units_; ++u) {
    const std::size_t first = rel_unit_.size();
    rel_unit_.push_back(u), rel_slot_.push_back(u), rel_from_.push_back(0), rel_until_.push_back(kForever);
    for (std::size_t k = 0; k < newcomer_slots[u].size(); ++k) {
      const sim::Change& c = *newcomer_change[u][k];
      if (c.newcomer == sim::Change::Newcomer::replace)
        for (std::size_t r = first; r < rel_unit_.size(); ++r)
          if (rel_until_[r] == kForever) rel_until_[r] = c.day;
      rel_unit_.push_back(u), rel_slot_.push_back(newcomer_slots[u][k]), rel_from_.push_back(c.day),
          rel_until_.push_back(kForever);
    }
    if (rel_unit_.size() - first > kMaxTies)
      throw sim::InputError(fmt::format("{}: an infant would have {} caregivers; at most {} are supported",
                                        s_.source, rel_unit_.size() - first, kMaxTies));
    first_rel_.push_back(rel_unit_.size());
  }
}

// A chained scenario: the population and its state come from the state file. Each unit's first
// relationship is the infant's caregiver at the end of the earlier scenario.
void Run::start_from_state() {
  const RunImage& st = *initial_;
  if (st.units != n_)
    throw sim::InputError(fmt::format("{}: initial_state {} holds {} infants; set population.infants to {}",
                                      s_.source, s_.experiment.initial_state, st.units, st.units));
  const std::size_t P = tables_.caregiver.size();
  if (st.caregiver_values.size() != n_ * P)
    throw sim::InputError(fmt::format("{}: initial_state {} does not fit this model's caregiver parameters",
                                      s_.source, s_.experiment.initial_state));
  for (std::size_t u = 0; u < units_; ++u) {
    const std::size_t i = unit_infant(u);
    std::copy_n(st.caregiver_values.data() + i * P, P, values_.data() + u * P);
    caregivers_[u] = ref::caregiver_from({values_.data() + u * P, P});
    caregiver_id_[u] = st.caregiver_ids[i];
    ref::load_state(st.infants.data() + i * ref::kInfantState, infants_[u]);
    ref::load_state(st.relationships.data() + i * ref::kRelationshipState, rels_[first_rel_[u]]);
    // Run-level tallies start again; the infant's development carries on.
    infants_[u].cortisol_sum = 0;
    infants_[u].cortisol_n = 0;
    rels_[first_rel_[u]].total = ref::Interaction{};
  }
}

// Changes that start on `day`, applied between days on one thread.
void Run::apply_changes(int day) {
  const std::size_t P = tables_.caregiver.size();
  for (const auto& c : s_.experiment.changes) {
    if (c.day != day || c.params.empty()) continue;
    for (std::size_t u = 0; u < units_; ++u) {
      if (!c.applies_to(unit_arm(u))) continue;
      for (std::size_t r = first_rel_[u]; r < first_rel_[u + 1]; ++r) {
        if (rel_from_[r] > day || rel_until_[r] <= day) continue;
        const std::size_t slot = rel_slot_[r];
        const auto& dists =
            c.params.by_profile[std::min<std::size_t>(profile_index_[slot], c.params.by_profile.size() - 1)];
        // The caregiver's own stream: she keeps her rank in the population.
        for (std::size_t k : c.params.caregiver_keys)
          values_[slot * P + k] =
              sim::sample(dists[k], tables_.caregiver[k],
                          sim::Stream(s_.seed, static_cast<std::uint64_t>(caregiver_id_[slot]),
                                      sim::Purpose::caregiver_draw, k));
        caregivers_[slot] = ref::caregiver_from({values_.data() + slot * P, P});
      }
      if (!c.params.infant_keys.empty()) {
        std::vector<double> v = model_values_[unit_model_[u]];
        for (std::size_t k : c.params.infant_keys) v[k] = c.params.infant[k];
        std::size_t m = 0;
        while (m < model_values_.size() && model_values_[m] != v) ++m;
        if (m == model_values_.size()) {
          models_.emplace_back(ref::infant_from(v), s_.schedule, s_.seed, stage_);
          model_values_.push_back(v);
        }
        unit_model_[u] = m;
      }
    }
  }
}

std::size_t Run::active_ties(std::size_t u, int day, std::array<ref::Tie, kMaxTies>& out,
                             std::array<std::size_t, kMaxTies>& ids) const {
  std::size_t k = 0;
  for (std::size_t r = first_rel_[u]; r < first_rel_[u + 1]; ++r) {
    if (rel_from_[r] > day || rel_until_[r] <= day) continue;
    ids[k] = r;
    out[k++] = ref::Tie{&caregivers_[rel_slot_[r]], const_cast<ref::Relationship*>(&rels_[r])};
  }
  return k;
}

void Run::advance(std::size_t u, int day) {
  const ref::DyadModel& model = models_[unit_model_[u]];
  // A caregiver who arrives today is met with what the infant expects of the ones it knows.
  for (std::size_t r = first_rel_[u]; r < first_rel_[u + 1]; ++r) {
    if (rel_from_[r] != day || day == 0) continue;
    std::array<const ref::Relationship*, kMaxTies> known{};
    std::size_t k = 0;
    for (std::size_t q = first_rel_[u]; q < first_rel_[u + 1]; ++q)
      if (rel_from_[q] < day && rel_until_[q] >= day) known[k++] = &rels_[q];
    rels_[r] = model.relationship_from({known.data(), k});
  }
  std::array<ref::Tie, kMaxTies> ties{};
  std::array<std::size_t, kMaxTies> ids{};
  const std::size_t count = active_ties(u, day, ties, ids);
  const std::span<const ref::Tie> mine(ties.data(), count);
  const std::size_t i = unit_infant(u);

  ref::LabVisit visit{};
  const ref::LabVisit* lab = nullptr;
  if (const int k = protocol_on_day_[static_cast<std::size_t>(day)]; k >= 0) {
    const auto kk = static_cast<std::size_t>(k);
    const sim::Protocol& p = s_.experiment.protocols[kk];
    if (static_cast<std::size_t>(p.caregiver) >= count)
      throw sim::InputError(
          fmt::format("{}: protocol {} asks for caregiver_index {}, but infant {} has {} on day {}",
                      s_.source, p.name, p.caregiver, i, count, day));
    visit = {&p, &strangers_[kk], static_cast<std::size_t>(p.caregiver),
             measures_[kk].data() + u * p.phases.size(), &samples_[kk][u]};
    lab = &visit;
    const ref::Infant& inf = infants_[u];
    iwm_class_[kk][u] =
        ref::outcome(model.params(), mine[visit.tie].relationship->iwm, {}, inf.regulation, 0).classification;
  }
  if (!trace_slot_.empty() && trace_slot_[u] >= 0 &&
      std::binary_search(s_.trace.days.begin(), s_.trace.days.end(), day)) {
    auto& buffer = traced_[static_cast<std::size_t>(trace_slot_[u])];
    model.simulate_day(
        i, day, infants_[u], mine,
        [&](const ref::StepRecord& rec) {
          if (!s_.trace.sessions.empty() &&
              !std::binary_search(s_.trace.sessions.begin(), s_.trace.sessions.end(), rec.session))
            return;
          buffer.push_back({rec, static_cast<std::int64_t>(i), caregiver_id_[rel_slot_[ids[rec.tie]]]});
        },
        lab);
  } else {
    model.simulate_day(i, day, infants_[u], mine, lab);
  }
  if (lab) {
    const sim::Protocol& p = *visit.protocol;
    std::vector<ref::PhaseMeasures> reunions;
    for (std::size_t ph = 0; ph < p.phases.size(); ++ph)
      if (p.phases[ph].reunion) reunions.push_back(visit.phases[ph]);
    if (!reunions.empty())
      observed_[static_cast<std::size_t>(protocol_on_day_[static_cast<std::size_t>(day)])][u] =
          ref::observed_classification(model.params(), reunions);
  }
  if (!block_.empty()) write_daily(u, day);
}

void Run::write_daily(std::size_t u, int day) {
  const std::size_t n_rel = rel_unit_.size();
  const ref::DyadModel& model = models_[unit_model_[u]];
  const ref::Infant& inf = infants_[u];
  for (std::size_t r = first_rel_[u]; r < first_rel_[u + 1]; ++r) {
    ref::Interaction period = rels_[r].today;
    period.episodes = rels_[r].total.episodes;
    period.shocks = rels_[r].total.shocks;
    const ref::Outcome o =
        ref::outcome(model.params(), rels_[r].iwm, period, inf.regulation, inf.last_session_z);
    const bool held = rel_from_[r] <= day;
    for (std::size_t f = 0; f < getters_.size(); ++f)
      block_[(f * n_rel + r) * kChunkDays + static_cast<std::size_t>(day % kChunkDays)] =
          held ? static_cast<float>(getters_[f]->get(o)) : std::nanf("");
  }
}

RunResult Run::run() {
  const auto start = std::chrono::steady_clock::now();
  const std::size_t n_rel = rel_unit_.size();
  getters_ = daily_getters(s_);
  const bool daily = settings_.output && !getters_.empty();
  if (daily) {
    block_.assign(getters_.size() * n_rel * kChunkDays, 0.0F);
    settings_.output->create_daily(s_.daily, n_rel, s_.schedule.days, kChunkDays);
  }
  if (s_.trace.any()) {
    trace_slot_.assign(units_, -1);
    // With paired arms, the first arm's copy of each traced infant is traced.
    for (std::size_t k = 0; k < s_.trace.infants.size(); ++k)
      trace_slot_[static_cast<std::size_t>(s_.trace.infants[k])] = static_cast<int>(k);
    traced_.resize(s_.trace.infants.size());
  }

  int first_day = 0;
  if (!settings_.resume.empty()) {
    const RunImage img = read_state(settings_.resume);
    check_resumable(img, s_, settings_.resume);
    for (int d = 0; d < img.next_day; ++d) apply_changes(d);
    restore(img);
    first_day = img.next_day;
  }

  const std::uint64_t steps_per_day = static_cast<std::uint64_t>(s_.schedule.steps_per_day()) * units_;
  sim::Progress progress("attune run", s_.schedule.days, settings_.progress);
  auto flush_daily = [&](int day) {
    const int day0 = day - day % kChunkDays;
    for (std::size_t f = 0; f < getters_.size(); ++f)
      settings_.output->write_daily(f, day0, day - day0 + 1, block_.data() + f * n_rel * kChunkDays,
                                    kChunkDays);
  };
  auto save = [&](int next_day) {
    if (settings_.checkpoint.empty()) return;
    if (daily && next_day % kChunkDays != 0) flush_daily(next_day - 1);  // the partial block, rewritten later
    write_state(settings_.checkpoint, image(next_day), settings_.output, s_.daily);
  };
  auto day_done = [&](int day) {
    const bool last = day + 1 == s_.schedule.days;
    if (daily && ((day + 1) % kChunkDays == 0 || last)) flush_daily(day);
    progress.update(day + 1);
    if (day + 1 < s_.schedule.days) apply_changes(day + 1);
    const bool stopping = settings_.stop && settings_.stop->load();
    if (!last &&
        (stopping || (settings_.checkpoint_every > 0 && (day + 1) % settings_.checkpoint_every == 0)))
      save(day + 1);
  };
  if (first_day == 0) apply_changes(0);
  if (first_day < s_.schedule.days)
    sim::run_days(
        units_, first_day, s_.schedule.days, settings_.threads,
        [&](std::size_t u, int day) { advance(u, day); }, day_done, settings_.stop);
  progress.finish();
  if (!settings_.save_state.empty()) write_state(settings_.save_state, image(s_.schedule.days), nullptr, {});

  RunResult result = results();
  result.dyad_steps = steps_per_day * static_cast<std::uint64_t>(s_.schedule.days - first_day);
  result.elapsed_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return result;
}

RunImage Run::image(int next_day) {
  RunImage img;
  img.model = "reference";
  img.scenario = sim::to_yaml(s_, model_spec());
  img.seed = s_.seed;
  img.stage = stage_;
  img.next_day = next_day;
  img.units = units_;
  img.infant_width = ref::kInfantState;
  img.relationship_width = ref::kRelationshipState;
  img.infants.resize(units_ * ref::kInfantState);
  for (std::size_t u = 0; u < units_; ++u)
    ref::save_state(infants_[u], img.infants.data() + u * ref::kInfantState);
  img.relationships.resize(rels_.size() * ref::kRelationshipState);
  for (std::size_t r = 0; r < rels_.size(); ++r)
    ref::save_state(rels_[r], img.relationships.data() + r * ref::kRelationshipState);
  // For a later scenario: each unit's caregiver at the end, and her state.
  const std::size_t P = tables_.caregiver.size();
  std::vector<double> last_rel;
  for (std::size_t u = 0; u < units_; ++u) {
    std::size_t r = first_rel_[u];
    for (std::size_t q = first_rel_[u]; q < first_rel_[u + 1]; ++q)
      if (rel_from_[q] <= next_day && rel_until_[q] > next_day - 1) r = q;
    img.caregiver_values.insert(img.caregiver_values.end(),
                                values_.begin() + static_cast<std::ptrdiff_t>(rel_slot_[r] * P),
                                values_.begin() + static_cast<std::ptrdiff_t>((rel_slot_[r] + 1) * P));
    img.caregiver_ids.push_back(caregiver_id_[rel_slot_[r]]);
    img.current_relationship.push_back(r);
  }
  for (std::size_t k = 0; k < measures_.size(); ++k) {
    std::vector<double> m;
    for (const auto& pm : measures_[k])
      for (const auto& f : ref::phase_fields()) m.push_back(f.get(pm));
    img.protocol_measures.push_back(std::move(m));
    std::vector<double> smp;
    for (std::size_t u = 0; u < units_; ++u)
      for (const auto& x : samples_[k][u])
        smp.insert(smp.end(), {static_cast<double>(u), static_cast<double>(x.phase), x.t_s, x.arousal,
                               x.partner_arousal, x.cortisol});
    img.protocol_samples.push_back(std::move(smp));
    std::vector<double> cls;
    for (std::size_t u = 0; u < units_; ++u)
      cls.insert(cls.end(), {static_cast<double>(observed_[k][u]), static_cast<double>(iwm_class_[k][u])});
    img.protocol_classes.push_back(std::move(cls));
  }
  return img;
}

void Run::restore(const RunImage& img) {
  if (img.units != units_ || img.relationships.size() != rels_.size() * ref::kRelationshipState)
    throw sim::InputError("the checkpoint does not match this scenario's population");
  for (std::size_t u = 0; u < units_; ++u)
    ref::load_state(img.infants.data() + u * ref::kInfantState, infants_[u]);
  for (std::size_t r = 0; r < rels_.size(); ++r)
    ref::load_state(img.relationships.data() + r * ref::kRelationshipState, rels_[r]);
  const std::size_t F = ref::phase_fields().size();
  for (std::size_t k = 0; k < measures_.size(); ++k) {
    for (std::size_t j = 0; j < measures_[k].size(); ++j) {
      const double* v = img.protocol_measures[k].data() + j * F;
      ref::PhaseMeasures& m = measures_[k][j];
      double* fields[] = {&m.mean_arousal,
                          &m.peak_arousal,
                          &m.mean_signal,
                          &m.signal_per_arousal,
                          &m.coordinated_fraction,
                          &m.ruptures,
                          &m.repairs,
                          &m.episodes,
                          &m.shocks,
                          &m.latency_to_calm_s,
                          &m.fear_s,
                          &m.dissociated_s,
                          &m.cortisol_end};
      static_assert(std::size(fields) == 13);
      for (std::size_t f = 0; f < F; ++f) *fields[f] = v[f];
    }
    const auto& smp = img.protocol_samples[k];
    for (std::size_t j = 0; j + 6 <= smp.size(); j += 6)
      samples_[k][static_cast<std::size_t>(smp[j])].push_back(
          {static_cast<int>(smp[j + 1]), smp[j + 2], smp[j + 3], smp[j + 4], smp[j + 5]});
    for (std::size_t u = 0; u < units_; ++u) {
      observed_[k][u] = static_cast<char>(img.protocol_classes[k][2 * u]);
      iwm_class_[k][u] = static_cast<char>(img.protocol_classes[k][2 * u + 1]);
    }
  }
  // The daily series recorded so far: into the new output, and the current block.
  if (block_.empty()) return;
  const std::size_t n_rel = rel_unit_.size();
  const auto days = static_cast<std::size_t>(img.next_day);
  std::vector<float> buffer(n_rel * days);
  for (std::size_t f = 0; f < s_.daily.size(); ++f) {
    const auto it = std::find(img.daily_fields.begin(), img.daily_fields.end(), s_.daily[f]);
    if (it == img.daily_fields.end())
      throw sim::InputError("the checkpoint lacks the daily series " + s_.daily[f]);
    const auto& v = img.daily[static_cast<std::size_t>(it - img.daily_fields.begin())];
    if (v.size() != buffer.size()) throw sim::InputError("the checkpoint's daily series do not fit this run");
    std::copy(v.begin(), v.end(), buffer.begin());
    if (days > 0) settings_.output->write_daily(f, 0, img.next_day, buffer.data(), img.next_day);
    for (std::size_t d = days - days % kChunkDays; d < days; ++d)
      for (std::size_t r = 0; r < n_rel; ++r)
        block_[(f * n_rel + r) * kChunkDays + d % kChunkDays] = buffer[r * days + d];
  }
}

RunResult Run::results() {
  RunResult result;
  sim::Table& t = result.infants;
  t = infants_table_layout();
  auto col = t.columns.begin();
  auto& infant_id = *col++;
  auto& caregiver_id = *col++;
  auto& profile = *col++;
  auto& arm = *col++;
  const std::size_t n_rel = rel_unit_.size();
  for (std::size_t r = 0; r < n_rel; ++r) {
    infant_id.ints.push_back(static_cast<std::int64_t>(unit_infant(rel_unit_[r])));
    caregiver_id.ints.push_back(caregiver_id_[rel_slot_[r]]);
    profile.texts.push_back(caregiver_profile_[rel_slot_[r]]);
    arm.texts.push_back(s_.experiment.arm_name(unit_arm(rel_unit_[r])));
  }
  const std::size_t P = tables_.caregiver.size();
  for (std::string_view key : kDrawnColumns) {
    const std::size_t k = param_index(tables_.caregiver, key);
    auto& drawn = *col++;
    for (std::size_t r = 0; r < n_rel; ++r) drawn.reals.push_back(values_[rel_slot_[r] * P + k]);
  }
  std::vector<ref::Outcome> outcomes;
  for (std::size_t r = 0; r < n_rel; ++r) {
    const std::size_t u = rel_unit_[r];
    const ref::Infant& inf = infants_[u];
    const double cortisol = inf.cortisol_n ? inf.cortisol_sum / static_cast<double>(inf.cortisol_n) : 0.0;
    outcomes.push_back(ref::outcome(models_[unit_model_[u]].params(), rels_[r].iwm, rels_[r].total,
                                    inf.regulation, cortisol));
  }
  for (const auto& f : ref::outcome_fields()) {
    auto& out = *col++;
    for (const auto& o : outcomes) {
      const double v = f.get(o);
      if (out.kind == sim::Column::float64)
        out.reals.push_back(v);
      else if (out.kind == sim::Column::int64)
        out.ints.push_back(static_cast<std::int64_t>(v));
      else
        out.texts.emplace_back(1, static_cast<char>(v));
    }
  }

  result.trace = trace_table_layout();
  for (const auto& buffer : traced_) {
    for (const Traced& tr : buffer) {
      const ref::StepRecord& r = tr.rec;
      auto out = result.trace.columns.begin();
      for (std::int64_t v : {tr.infant, tr.caregiver, std::int64_t{r.day}, std::int64_t{r.session}, r.step})
        (out++)->ints.push_back(v);
      for (double v :
           {static_cast<double>(r.step) * s_.schedule.dt, r.x, r.xc, r.signal, r.u, r.v, r.z1, r.z})
        (out++)->reals.push_back(v);
      for (bool v : {r.engaged, r.coordinated, r.fear, r.dissociated, r.stressor, r.rupture, r.repair,
                     r.episode_started, r.episode_ended, r.shock})
        (out++)->ints.push_back(v ? 1 : 0);
      (out++)->reals.push_back(r.episode_ended ? r.latency : std::nan(""));
    }
  }

  // Protocol tables: one row per unit and phase; samples; observed classifications.
  const auto& protocols = s_.experiment.protocols;
  if (protocols.empty()) return result;
  sim::Table& ph = result.phases;
  for (const char* c : {"infant_id", "caregiver_id"}) ph.add(c, sim::Column::int64);
  ph.add("arm", sim::Column::text, 24);
  ph.add("protocol", sim::Column::text, 24);
  ph.add("phase", sim::Column::text, 24);
  ph.add("phase_index", sim::Column::int64);
  ph.add("day", sim::Column::int64);
  for (const auto& f : ref::phase_fields()) ph.add(std::string(f.name), sim::Column::float64);
  sim::Table& sm = result.samples;
  sm.add("infant_id", sim::Column::int64);
  sm.add("arm", sim::Column::text, 24);
  sm.add("protocol", sim::Column::text, 24);
  sm.add("phase", sim::Column::text, 24);
  for (const char* c : {"t_s", "arousal", "partner_arousal", "cortisol"}) sm.add(c, sim::Column::float64);
  sim::Table& ob = result.observed;
  ob.add("infant_id", sim::Column::int64);
  ob.add("arm", sim::Column::text, 24);
  ob.add("protocol", sim::Column::text, 24);
  ob.add("observed", sim::Column::text, 1);
  ob.add("iwm", sim::Column::text, 1);
  for (std::size_t k = 0; k < protocols.size(); ++k) {
    const sim::Protocol& p = protocols[k];
    for (std::size_t u = 0; u < units_; ++u) {
      const auto infant = static_cast<std::int64_t>(unit_infant(u));
      const std::string arm_name = s_.experiment.arm_name(unit_arm(u));
      for (std::size_t j = 0; j < p.phases.size(); ++j) {
        auto c = ph.columns.begin();
        (c++)->ints.push_back(infant);
        (c++)->ints.push_back(caregiver_id_[u]);
        (c++)->texts.push_back(arm_name);
        (c++)->texts.push_back(p.name);
        (c++)->texts.push_back(p.phases[j].name);
        (c++)->ints.push_back(static_cast<std::int64_t>(j));
        (c++)->ints.push_back(p.day);
        for (const auto& f : ref::phase_fields())
          (c++)->reals.push_back(f.get(measures_[k][u * p.phases.size() + j]));
      }
      for (const auto& x : samples_[k][u]) {
        auto c = sm.columns.begin();
        (c++)->ints.push_back(infant);
        (c++)->texts.push_back(arm_name);
        (c++)->texts.push_back(p.name);
        (c++)->texts.push_back(p.phases[static_cast<std::size_t>(x.phase)].name);
        for (double v : {x.t_s, x.arousal, x.partner_arousal, x.cortisol}) (c++)->reals.push_back(v);
      }
      if (observed_[k][u] != ' ') {
        auto c = ob.columns.begin();
        (c++)->ints.push_back(infant);
        (c++)->texts.push_back(arm_name);
        (c++)->texts.push_back(p.name);
        (c++)->texts.emplace_back(1, observed_[k][u]);
        (c++)->texts.emplace_back(1, iwm_class_[k][u]);
        ++result.agreement.counts[static_cast<std::size_t>(class_index(observed_[k][u]))]
                                 [static_cast<std::size_t>(class_index(iwm_class_[k][u]))];
      }
    }
  }
  return result;
}

}  // namespace

std::int64_t Agreement::n() const {
  std::int64_t total = 0;
  for (const auto& row : counts)
    for (auto c : row) total += c;
  return total;
}

double Agreement::kappa() const {
  const auto total = static_cast<double>(n());
  if (total == 0) return std::nan("");
  double observed = 0, expected = 0;
  for (std::size_t i = 0; i < 4; ++i) {
    double row = 0, column = 0;
    for (std::size_t j = 0; j < 4; ++j)
      row += static_cast<double>(counts[i][j]), column += static_cast<double>(counts[j][i]);
    observed += static_cast<double>(counts[i][i]);
    expected += row * column / total;
  }
  observed /= total;
  expected /= total;
  return expected < 1.0 ? (observed - expected) / (1.0 - expected) : std::nan("");
}

std::string format_agreement(const Agreement& a) {
  std::string out = fmt::format("observed (rows) × working model (columns), {} infants\n        ", a.n());
  for (char c : kClassOrder) out += fmt::format("{:>6}", c);
  out += "\n";
  for (std::size_t i = 0; i < 4; ++i) {
    out += fmt::format("    {:<4}", kClassOrder[i]);
    for (std::size_t j = 0; j < 4; ++j) out += fmt::format("{:>6}", a.counts[i][j]);
    out += "\n";
  }
  out += fmt::format("    Cohen's kappa {:.3f}\n", a.kappa());
  return out;
}

Agreement read_agreement(const std::string& path) {
  Agreement a;
  if (sim::list_group(path, "protocol").empty()) return a;
  const auto names = sim::list_group(path, "protocol");
  if (std::find(names.begin(), names.end(), "observed") == names.end()) return a;
  const sim::Table t = sim::read_table(path, "protocol/observed");
  const sim::Column* obs = t.find("observed");
  const sim::Column* iwm = t.find("iwm");
  if (!obs || !iwm) return a;
  for (std::size_t r = 0; r < t.rows(); ++r)
    ++a.counts[static_cast<std::size_t>(class_index(obs->texts[r].empty() ? '?' : obs->texts[r][0]))]
              [static_cast<std::size_t>(class_index(iwm->texts[r].empty() ? '?' : iwm->texts[r][0]))];
  return a;
}

sim::Table trace_table_layout() {
  sim::Table t;
  for (const char* c : {"infant_id", "caregiver_id", "day", "session", "step"}) t.add(c, sim::Column::int64);
  for (const char* c : {"t", "x", "xc", "signal", "u", "v", "z1", "z"}) t.add(c, sim::Column::float64);
  for (const char* c : {"engaged", "coordinated", "frightening", "dissociated", "stressor", "rupture",
                        "repair", "episode_start", "episode_end", "shock"})
    t.add(c, sim::Column::int64);
  t.add("latency", sim::Column::float64);
  return t;
}

sim::Table infants_table_layout() {
  sim::Table t;
  t.add("infant_id", sim::Column::int64);
  t.add("caregiver_id", sim::Column::int64);
  t.add("profile", sim::Column::text, 24);
  t.add("arm", sim::Column::text, 24);
  for (std::string_view key : kDrawnColumns) t.add(std::string(key), sim::Column::float64);
  for (const auto& f : ref::outcome_fields()) {
    using K = ref::OutcomeField::Kind;
    t.add(std::string(f.name), f.kind == K::real    ? sim::Column::float64
                               : f.kind == K::count ? sim::Column::int64
                                                    : sim::Column::text);
  }
  return t;
}

RunResult simulate(const sim::Scenario& s, const RunSettings& settings) {
  Run run(s, settings);
  return run.run();
}

void write_results(sim::OutputFile& out, const sim::Scenario& s, const RunResult& r) {
  const std::time_t now = std::time(nullptr);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&now));
  out.attribute("schema_version", static_cast<std::uint64_t>(sim::kSchemaVersion));
  out.attribute("attune_version", std::string(kVersion));
  out.attribute("git_commit", std::string(git_commit()));
  out.attribute("seed", s.seed);
  out.attribute("scenario", sim::to_yaml(s, model_spec()));
  out.attribute("scenario_source", s.source);
  out.attribute("model", std::string("reference"));
  out.attribute("created_utc", std::string(stamp));
  if (!s.experiment.arms.empty()) {
    out.attribute("arms", s.experiment.arms_yaml);
    out.attribute("paired", std::string(s.experiment.paired ? "true" : "false"));
  }
  out.write_table("infants", r.infants);
  if (r.trace.rows() > 0) out.write_table("trace/steps", r.trace);
  if (!s.experiment.protocols.empty()) {
    out.write_table("protocol/phases", r.phases);
    out.write_table("protocol/samples", r.samples);
    if (r.observed.rows() > 0) {
      out.write_table("protocol/observed", r.observed);
      std::vector<double> counts;
      for (const auto& row : r.agreement.counts)
        for (auto c : row) counts.push_back(static_cast<double>(c));
      out.write_matrix("protocol/agreement", counts, 4);
    }
  }
}

}  // namespace attune::app
