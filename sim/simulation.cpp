#include "sim/simulation.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <ctime>
#include <optional>

#include "sim/errors.hpp"
#include "sim/population.hpp"
#include "sim/progress.hpp"
#include "sim/run_state.hpp"
#include "sim/runner.hpp"

namespace attune::sim {
namespace {

constexpr int kChunkDays = 16;
constexpr std::size_t kMaxTies = 16;
constexpr int kForever = 1 << 30;

std::size_t param_index(std::span<const ParamInfo> table, std::string_view key) {
  std::size_t k = 0;
  while (k < table.size() && table[k].key != key) ++k;
  return k;
}

Column::Kind column_kind(FieldInfo::Kind k) {
  return k == FieldInfo::real ? Column::float64 : k == FieldInfo::count ? Column::int64 : Column::text;
}

void push(Column& c, double v) {
  if (c.kind == Column::float64)
    c.reals.push_back(v);
  else if (c.kind == Column::int64)
    c.ints.push_back(static_cast<std::int64_t>(v));
  else
    c.texts.emplace_back(1, static_cast<char>(v));
}

// One run's population: infants in their arm copies ("units"), caregivers, relationships with the
// days they hold; the model's state; what the run records.
class Run {
 public:
  Run(const Model& model, const Scenario& s, const RunSettings& settings)
      : model_(model), s_(s), settings_(settings), tables_(model.params()), draws_(s, tables_) {
    n_ = static_cast<std::size_t>(s.infants);
    copies_ = s.experiment.paired ? s.experiment.arm_count() : 1;
    divided_ = settings.ranks && settings.ranks->size() > 1;
    const UnitSlice slice = unit_slice(n_ * copies_, divided_ ? settings.ranks->rank() : 0,
                                       divided_ ? settings.ranks->size() : 1);
    first_unit_ = slice.first;
    units_ = slice.count;
    if (!s.experiment.initial_state.empty()) initial_ = read_state(s.experiment.initial_state);
    stage_ = initial_ ? initial_->stage + 1 : 0;
    assign_arms();
    build_caregivers();
    build_relationships();
    // The protocols' strangers are caregivers too, after everyone else.
    const std::size_t n_params = tables_.caregiver.size();
    for (const auto& p : s.experiment.protocols) {
      strangers_.push_back(caregiver_id_.size());
      values_.insert(values_.end(), p.stranger.begin(), p.stranger.end());
      caregiver_id_.push_back(-1);
      caregiver_profile_.emplace_back("stranger");
      profile_index_.push_back(0);
    }
    state_ =
        model.start(s.schedule, s.seed, stage_, units_, rel_unit_.size(), caregiver_id_.size(), s.infant);
    for (std::size_t u = 0; u < units_; ++u) state_->begin_infant(u, unit_infant(u));
    for (std::size_t c = 0; c < caregiver_id_.size(); ++c)
      state_->set_caregiver(c, {values_.data() + c * n_params, n_params});
    unit_infant_values_.assign(units_, s.infant);
    if (initial_) start_from_state();
    protocol_on_day_.assign(static_cast<std::size_t>(s.schedule.days), -1);
    const std::size_t n_fields = model.phase_fields().size();
    for (std::size_t k = 0; k < s.experiment.protocols.size(); ++k) {
      const auto& p = s.experiment.protocols[k];
      protocol_on_day_[static_cast<std::size_t>(p.day)] = static_cast<int>(k);
      measures_.emplace_back(units_ * p.phases.size() * n_fields);
      samples_.emplace_back(units_);
      observed_.emplace_back(units_, ' ');
      iwm_class_.emplace_back(units_, ' ');
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
  std::size_t active_ties(std::size_t u, int day, std::array<TieRef, kMaxTies>& out) const;
  void write_daily(std::size_t u, int day);
  RunImage image(int next_day) const;
  void restore(const RunImage& img);
  RunResult results();

  // Units are this process's: local indices, global index first_unit_ + u.
  std::size_t unit_infant(std::size_t u) const { return (first_unit_ + u) % n_; }
  std::size_t unit_arm(std::size_t u) const { return arm_of_unit_[u]; }
  std::size_t arm_choice(std::size_t infant) const;
  std::size_t global_arm(std::size_t global_unit) const {
    return s_.experiment.paired ? global_unit / n_ : arm_choice(global_unit % n_);
  }
  void restore_divided_daily(const RunImage& img);
  bool holds(std::size_t r, int day) const { return rel_from_[r] <= day && day < rel_until_[r]; }

  const Model& model_;
  const Scenario& s_;
  const RunSettings& settings_;
  ParamTables tables_;
  CaregiverDraws draws_;
  std::optional<RunImage> initial_;
  std::uint64_t stage_ = 0;
  std::size_t n_ = 0, copies_ = 1, units_ = 0;
  // Divided among ranks: this process's units start at first_unit_, its relationships at
  // first_rel_global_ of total_rels_.
  bool divided_ = false;
  std::size_t first_unit_ = 0, first_rel_global_ = 0, total_rels_ = 0;
  std::atomic<bool> agreed_stop_{false};
  std::vector<std::size_t> arm_of_unit_;
  // Caregivers: each unit's own, then newcomers, then the protocols' strangers. Values
  // row-major in table order.
  std::vector<double> values_;
  std::vector<std::int64_t> caregiver_id_;
  std::vector<std::string> caregiver_profile_;
  std::vector<std::uint32_t> profile_index_;
  std::vector<std::size_t> strangers_;
  // Relationships, grouped by unit (CSR), each with the days [from, until) it holds.
  std::vector<std::size_t> rel_unit_, rel_slot_, first_rel_;
  std::vector<int> rel_from_, rel_until_;
  std::unique_ptr<ModelState> state_;
  std::vector<std::vector<double>> unit_infant_values_;
  // Protocols: per protocol, the phase measures (units × phases × fields), samples, classes.
  std::vector<int> protocol_on_day_;
  std::vector<std::vector<double>> measures_;
  std::vector<std::vector<std::vector<ProtocolSample>>> samples_;
  std::vector<std::vector<char>> observed_, iwm_class_;
  // Daily series and traces.
  std::vector<std::size_t> daily_fields_;  // indices into the model's outcome fields
  std::vector<float> block_;
  std::vector<int> trace_slot_;
  std::vector<Table> traced_;
};

std::size_t Run::arm_choice(std::size_t infant) const {
  const auto& arms = s_.experiment.arms;
  if (arms.size() < 2 || s_.experiment.paired) return 0;
  double total = 0;
  for (const auto& a : arms) total += a.weight;
  const Stream stream(s_.seed, infant, Purpose::arm_choice, stage_);
  const double u = uniform_co(low32(stream.at(0).w[0])) * total;
  double cumulative = 0;
  std::size_t a = 0;
  while (a + 1 < arms.size() && u >= (cumulative += arms[a].weight)) ++a;
  return a;
}

void Run::assign_arms() {
  arm_of_unit_.resize(units_);
  for (std::size_t u = 0; u < units_; ++u) arm_of_unit_[u] = global_arm(first_unit_ + u);
}

void Run::build_caregivers() {
  const std::size_t n_params = tables_.caregiver.size();
  // Each unit's caregiver drawn alone (as build_population draws her), so that a slice of the
  // population costs only its own memory.
  values_.resize(units_ * n_params);
  for (std::size_t u = 0; u < units_; ++u) {
    const std::size_t i = unit_infant(u);
    const std::uint32_t profile = draw_caregiver(s_, draws_, i, {values_.data() + u * n_params, n_params});
    caregiver_id_.push_back(static_cast<std::int64_t>(i));
    profile_index_.push_back(profile);
    caregiver_profile_.push_back(s_.profiles[profile].name);
  }
  // Newcomers: one per infant concerned and per change that brings one, numbered after the
  // birth caregivers, drawn from their own streams.
  std::size_t ordinal = 0;
  for (const auto& c : s_.experiment.changes) {
    if (c.newcomer == Change::Newcomer::none) continue;
    ++ordinal;
    for (std::size_t u = 0; u < units_; ++u) {
      if (!c.applies_to(unit_arm(u))) continue;
      const auto id = static_cast<std::uint64_t>(ordinal * n_ + unit_infant(u));
      for (std::size_t k = 0; k < n_params; ++k) values_.push_back(draws_.draw(c.newcomer_caregiver, id, k));
      caregiver_id_.push_back(static_cast<std::int64_t>(id));
      profile_index_.push_back(0);
      caregiver_profile_.push_back(c.name);
    }
  }
}

void Run::build_relationships() {
  // Per unit: its own caregiver, then the newcomers it receives, in the order of the changes.
  std::vector<std::vector<std::size_t>> newcomer_slots(units_);
  std::vector<std::vector<const Change*>> newcomer_change(units_);
  std::size_t slot = units_;
  for (const auto& c : s_.experiment.changes) {
    if (c.newcomer == Change::Newcomer::none) continue;
    for (std::size_t u = 0; u < units_; ++u)
      if (c.applies_to(unit_arm(u))) newcomer_slots[u].push_back(slot++), newcomer_change[u].push_back(&c);
  }
  first_rel_.push_back(0);
  for (std::size_t u = 0; u < units_; ++u) {
    const std::size_t first = rel_unit_.size();
    rel_unit_.push_back(u), rel_slot_.push_back(u), rel_from_.push_back(0), rel_until_.push_back(kForever);
    for (std::size_t k = 0; k < newcomer_slots[u].size(); ++k) {
      const Change& c = *newcomer_change[u][k];
      if (c.newcomer == Change::Newcomer::replace)
        for (std::size_t r = first; r < rel_unit_.size(); ++r)
          if (rel_until_[r] == kForever) rel_until_[r] = c.day;
      rel_unit_.push_back(u), rel_slot_.push_back(newcomer_slots[u][k]), rel_from_.push_back(c.day),
          rel_until_.push_back(kForever);
    }
    if (rel_unit_.size() - first > kMaxTies)
      throw InputError(fmt::format("{}: an infant would have {} caregivers; at most {} are supported",
                                   s_.source, rel_unit_.size() - first, kMaxTies));
    first_rel_.push_back(rel_unit_.size());
  }
  // Where this slice's relationships lie among all of them: each unit has one, plus the
  // newcomers its arm receives.
  std::vector<std::size_t> per_arm(std::max<std::size_t>(1, s_.experiment.arm_count()), 1);
  bool newcomers = false;
  for (const auto& c : s_.experiment.changes)
    for (std::size_t a = 0; a < per_arm.size() && c.newcomer != Change::Newcomer::none; ++a)
      if (c.applies_to(a)) ++per_arm[a], newcomers = true;
  const std::size_t all_units = n_ * copies_;
  if (!newcomers) {
    first_rel_global_ = first_unit_, total_rels_ = all_units;
    return;
  }
  for (std::size_t g = 0; g < all_units; ++g) {
    if (g == first_unit_) first_rel_global_ = total_rels_;
    total_rels_ += per_arm[global_arm(g)];
  }
}

// A chained scenario: the population and its state come from the state file. Each unit's first
// relationship is the infant's caregiver at the end of the earlier scenario.
void Run::start_from_state() {
  const RunImage& st = *initial_;
  const std::string& file = s_.experiment.initial_state;
  if (st.model != model_.name())
    throw InputError(fmt::format("{}: initial_state {} was made by model '{}', this scenario uses '{}'",
                                 s_.source, file, st.model, model_.name()));
  if (st.units != n_)
    throw InputError(fmt::format("{}: initial_state {} holds {} infants; set population.infants to {}",
                                 s_.source, file, st.units, st.units));
  const std::size_t n_params = tables_.caregiver.size();
  if (st.caregiver_values.size() != n_ * n_params || st.infant_width != state_->infant_state_size() ||
      st.relationship_width != state_->relationship_state_size())
    throw InputError(fmt::format("{}: initial_state {} does not fit this model's state", s_.source, file));
  for (std::size_t u = 0; u < units_; ++u) {
    const std::size_t i = unit_infant(u);
    std::copy_n(st.caregiver_values.data() + i * n_params, n_params, values_.data() + u * n_params);
    state_->set_caregiver(u, {values_.data() + u * n_params, n_params});
    caregiver_id_[u] = st.caregiver_ids[i];
    state_->load_infant(u, st.infants.data() + i * st.infant_width);
    state_->load_relationship(first_rel_[u],
                              st.relationships.data() + st.current_relationship[i] * st.relationship_width);
    // The run's tallies start again; the infant's development carries on.
    state_->reset_tallies(u, first_rel_[u]);
  }
}

// Changes that start on `day`, applied between days on one thread.
void Run::apply_changes(int day) {
  const std::size_t n_params = tables_.caregiver.size();
  for (const auto& c : s_.experiment.changes) {
    if (c.day != day || c.params.empty()) continue;
    for (std::size_t u = 0; u < units_; ++u) {
      if (!c.applies_to(unit_arm(u))) continue;
      for (std::size_t r = first_rel_[u]; r < first_rel_[u + 1]; ++r) {
        if (!holds(r, day)) continue;
        const std::size_t slot = rel_slot_[r];
        const auto& dists =
            c.params.by_profile[std::min<std::size_t>(profile_index_[slot], c.params.by_profile.size() - 1)];
        // The caregiver's own stream: she keeps her rank in the population.
        for (std::size_t k : c.params.caregiver_keys)
          values_[slot * n_params + k] =
              draws_.draw(dists, static_cast<std::uint64_t>(caregiver_id_[slot]), k);
        state_->set_caregiver(slot, {values_.data() + slot * n_params, n_params});
      }
      if (!c.params.infant_keys.empty()) {
        for (std::size_t k : c.params.infant_keys) unit_infant_values_[u][k] = c.params.infant[k];
        state_->set_infant_params(u, unit_infant_values_[u]);
      }
    }
  }
}

std::size_t Run::active_ties(std::size_t u, int day, std::array<TieRef, kMaxTies>& out) const {
  std::size_t k = 0;
  for (std::size_t r = first_rel_[u]; r < first_rel_[u + 1]; ++r)
    if (holds(r, day)) out[k++] = TieRef{rel_slot_[r], r};
  return k;
}

void Run::advance(std::size_t u, int day) {
  // A caregiver who arrives today is met with what the infant expects of the ones it knows.
  for (std::size_t r = first_rel_[u]; r < first_rel_[u + 1]; ++r) {
    if (rel_from_[r] != day || day == 0) continue;
    std::array<std::size_t, kMaxTies> known{};
    std::size_t k = 0;
    for (std::size_t q = first_rel_[u]; q < first_rel_[u + 1]; ++q)
      if (rel_from_[q] < day && rel_until_[q] >= day) known[k++] = q;
    state_->begin_relationship(u, r, {known.data(), k});
  }
  std::array<TieRef, kMaxTies> ties{};
  const std::size_t count = active_ties(u, day, ties);
  const std::span<const TieRef> mine(ties.data(), count);
  const std::size_t i = unit_infant(u);

  LabRequest request{};
  const LabRequest* lab = nullptr;
  const int k = protocol_on_day_[static_cast<std::size_t>(day)];
  const auto kk = static_cast<std::size_t>(k);
  const std::size_t n_fields = model_.phase_fields().size();
  if (k >= 0) {
    const Protocol& p = s_.experiment.protocols[kk];
    if (static_cast<std::size_t>(p.caregiver) >= count)
      throw InputError(
          fmt::format("{}: protocol {} asks for caregiver_index {}, but infant {} has {} on day {}",
                      s_.source, p.name, p.caregiver, i, count, day));
    request = {&p, static_cast<std::size_t>(p.caregiver), strangers_[kk],
               measures_[kk].data() + u * p.phases.size() * n_fields, &samples_[kk][u]};
    lab = &request;
    iwm_class_[kk][u] = state_->classification(u, mine[request.tie].relationship);
  }
  if (!trace_slot_.empty() && trace_slot_[u] >= 0 &&
      std::binary_search(s_.trace.days.begin(), s_.trace.days.end(), day)) {
    Table& t = traced_[static_cast<std::size_t>(trace_slot_[u])];
    const TraceSink sink = [&](std::size_t tie, std::span<const double> values) {
      const auto session = static_cast<int>(values[1]);
      if (!s_.trace.sessions.empty() &&
          !std::binary_search(s_.trace.sessions.begin(), s_.trace.sessions.end(), session))
        return;
      auto c = t.columns.begin();
      (c++)->ints.push_back(static_cast<std::int64_t>(i));
      (c++)->ints.push_back(caregiver_id_[mine[tie].caregiver]);
      for (double v : values) push(*c++, v);
    };
    state_->simulate_day(u, i, day, mine, lab, &sink);
  } else {
    state_->simulate_day(u, i, day, mine, lab, nullptr);
  }
  if (lab) {
    const Protocol& p = *request.protocol;
    std::vector<double> reunions;
    for (std::size_t ph = 0; ph < p.phases.size(); ++ph)
      if (p.phases[ph].reunion)
        reunions.insert(reunions.end(), request.measures + ph * n_fields,
                        request.measures + (ph + 1) * n_fields);
    if (!reunions.empty()) observed_[kk][u] = state_->observed_classification(u, reunions);
  }
  if (!block_.empty()) write_daily(u, day);
}

void Run::write_daily(std::size_t u, int day) {
  const std::size_t n_rel = rel_unit_.size();
  std::array<double, 64> values{};
  for (std::size_t r = first_rel_[u]; r < first_rel_[u + 1]; ++r) {
    const bool held = rel_from_[r] <= day;
    if (held) state_->outcomes(u, TieRef{rel_slot_[r], r}, true, values);
    for (std::size_t f = 0; f < daily_fields_.size(); ++f)
      block_[(f * n_rel + r) * kChunkDays + static_cast<std::size_t>(day % kChunkDays)] =
          held ? static_cast<float>(values[daily_fields_[f]]) : std::nanf("");
  }
}

RunResult Run::run() {
  const auto start = std::chrono::steady_clock::now();
  const std::size_t n_rel = rel_unit_.size();
  const auto fields = model_.outcome_fields();
  if (fields.size() > 64) throw Error("a model with more than 64 outcome fields");
  for (const auto& name : s_.daily)
    for (std::size_t f = 0; f < fields.size(); ++f)
      if (fields[f].name == name) daily_fields_.push_back(f);
  const bool daily = (settings_.output || divided_) && !daily_fields_.empty();
  if (daily) {
    block_.assign(daily_fields_.size() * n_rel * kChunkDays, 0.0F);
    if (settings_.output) settings_.output->create_daily(s_.daily, total_rels_, s_.schedule.days, kChunkDays);
  }
  if (s_.trace.any()) {
    trace_slot_.assign(units_, -1);
    // With paired arms, the first arm's copy of each traced infant is traced (by the rank that
    // simulates it).
    for (std::size_t k = 0; k < s_.trace.infants.size(); ++k) {
      const auto g = static_cast<std::size_t>(s_.trace.infants[k]);
      if (g >= first_unit_ && g < first_unit_ + units_) trace_slot_[g - first_unit_] = static_cast<int>(k);
    }
    traced_.assign(s_.trace.infants.size(), trace_table_layout(model_));
  }

  int first_day = 0;
  if (!settings_.resume.empty()) {
    const RunImage img = read_state(settings_.resume);
    check_resumable(img, s_, model_spec(model_), settings_.resume);
    if (divided_ && !settings_.ranks->same(img.next_day))
      throw InputError(
          fmt::format("{}: the ranks' checkpoints are of different days (a rank was killed while "
                      "saving); start again with --force",
                      settings_.resume));
    // The changes of every day up to and including the first one to simulate: an uninterrupted
    // run applies day d + 1's changes at the end of day d, before the checkpoint is saved.
    for (int d = 0; d <= img.next_day && d < s_.schedule.days; ++d) apply_changes(d);
    restore(img);
    first_day = img.next_day;
  }

  const std::uint64_t steps_per_day = static_cast<std::uint64_t>(s_.schedule.steps_per_day()) * units_;
  Progress progress("attune run", s_.schedule.days, settings_.progress);
  auto flush_daily = [&](int day) {
    const int day0 = day - day % kChunkDays;
    for (std::size_t f = 0; f < daily_fields_.size(); ++f) {
      const float* rows = block_.data() + f * n_rel * kChunkDays;
      if (divided_)
        settings_.ranks->write_daily(settings_.output, f, day0, day - day0 + 1, rows, kChunkDays,
                                     first_rel_global_, n_rel);
      else
        settings_.output->write_daily(f, day0, day - day0 + 1, rows, kChunkDays);
    }
  };
  auto save = [&](int next_day) {
    if (settings_.checkpoint.empty()) return;
    if (daily && next_day % kChunkDays != 0) flush_daily(next_day - 1);  // the partial block, rewritten later
    write_state(settings_.checkpoint, image(next_day), daily ? settings_.output : nullptr, s_.daily);
  };
  auto day_done = [&](int day) {
    const bool last = day + 1 == s_.schedule.days;
    if (daily && ((day + 1) % kChunkDays == 0 || last)) flush_daily(day);
    progress.update(day + 1);
    if (!last) apply_changes(day + 1);
    bool stopping = settings_.stop && settings_.stop->load();
    // Ranks stop together: all after the same day, whichever of them saw the signal.
    if (divided_) agreed_stop_.store(stopping = settings_.ranks->any(stopping));
    if (!last &&
        (stopping || (settings_.checkpoint_every > 0 && (day + 1) % settings_.checkpoint_every == 0)))
      save(day + 1);
  };
  if (first_day == 0) apply_changes(0);
  if (first_day < s_.schedule.days)
    run_days(
        units_, first_day, s_.schedule.days, settings_.threads,
        [&](std::size_t u, int day) { advance(u, day); }, day_done, divided_ ? &agreed_stop_ : settings_.stop,
        // Without a checkpoint to save, nothing is kept when stopped: the day is abandoned at once
        // (but ranks finish the day, to stop together).
        settings_.checkpoint.empty() && !divided_ ? StopAt::now : StopAt::day_end);
  progress.finish();
  if (!settings_.save_state.empty()) write_state(settings_.save_state, image(s_.schedule.days), nullptr, {});

  RunResult result = results();
  result.dyad_steps = steps_per_day * static_cast<std::uint64_t>(s_.schedule.days - first_day);
  result.elapsed_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return result;
}

RunImage Run::image(int next_day) const {
  RunImage img;
  img.model = std::string(model_.name());
  img.scenario = to_yaml(s_, model_spec(model_));
  img.seed = s_.seed;
  img.stage = stage_;
  img.next_day = next_day;
  img.units = units_;
  img.infant_width = state_->infant_state_size();
  img.relationship_width = state_->relationship_state_size();
  img.infants.resize(units_ * img.infant_width);
  for (std::size_t u = 0; u < units_; ++u) state_->save_infant(u, img.infants.data() + u * img.infant_width);
  img.relationships.resize(rel_unit_.size() * img.relationship_width);
  for (std::size_t r = 0; r < rel_unit_.size(); ++r)
    state_->save_relationship(r, img.relationships.data() + r * img.relationship_width);
  // For a later scenario: each unit's caregiver at the end (the last relationship that holds).
  const std::size_t n_params = tables_.caregiver.size();
  for (std::size_t u = 0; u < units_; ++u) {
    std::size_t r = first_rel_[u];
    for (std::size_t q = first_rel_[u]; q < first_rel_[u + 1]; ++q)
      if (holds(q, next_day - 1)) r = q;
    const auto from = values_.begin() + static_cast<std::ptrdiff_t>(rel_slot_[r] * n_params);
    img.caregiver_values.insert(img.caregiver_values.end(), from,
                                from + static_cast<std::ptrdiff_t>(n_params));
    img.caregiver_ids.push_back(caregiver_id_[rel_slot_[r]]);
    img.current_relationship.push_back(r);
  }
  for (std::size_t k = 0; k < measures_.size(); ++k) {
    img.protocol_measures.push_back(measures_[k]);
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
  if (divided_) {
    img.ranks = static_cast<std::uint64_t>(settings_.ranks->size());
    img.rank = static_cast<std::uint64_t>(settings_.ranks->rank());
    img.first_unit = first_unit_;
    img.block_days = next_day % kChunkDays;
    const std::size_t n_rel = rel_unit_.size();
    for (std::size_t f = 0; f < daily_fields_.size() && !block_.empty(); ++f) {
      img.block_fields.push_back(s_.daily[f]);
      std::vector<double> rows(n_rel * static_cast<std::size_t>(img.block_days));
      for (std::size_t r = 0; r < n_rel; ++r)
        for (int d = 0; d < img.block_days; ++d)
          rows[r * static_cast<std::size_t>(img.block_days) + static_cast<std::size_t>(d)] =
              block_[(f * n_rel + r) * kChunkDays + static_cast<std::size_t>(d)];
      img.daily_block.push_back(std::move(rows));
    }
  }
  return img;
}

void Run::restore(const RunImage& img) {
  if (img.units != units_ || img.infant_width != state_->infant_state_size() ||
      img.relationship_width != state_->relationship_state_size() ||
      img.relationships.size() != rel_unit_.size() * img.relationship_width ||
      img.protocol_measures.size() != measures_.size())
    throw InputError("the checkpoint does not match this scenario's population");
  for (std::size_t u = 0; u < units_; ++u) state_->load_infant(u, img.infants.data() + u * img.infant_width);
  for (std::size_t r = 0; r < rel_unit_.size(); ++r)
    state_->load_relationship(r, img.relationships.data() + r * img.relationship_width);
  for (std::size_t k = 0; k < measures_.size(); ++k) {
    if (img.protocol_measures[k].size() != measures_[k].size() ||
        img.protocol_classes[k].size() != 2 * units_)
      throw InputError("the checkpoint's protocol records do not match this scenario");
    measures_[k] = img.protocol_measures[k];
    const auto& smp = img.protocol_samples[k];
    for (std::size_t j = 0; j + 6 <= smp.size(); j += 6) {
      if (smp[j + 1] >= static_cast<double>(s_.experiment.protocols[k].phases.size()))
        throw InputError("the checkpoint's protocol samples do not match this scenario");
      samples_[k][static_cast<std::size_t>(smp[j]) % units_].push_back(
          {static_cast<int>(smp[j + 1]), smp[j + 2], smp[j + 3], smp[j + 4], smp[j + 5]});
    }
    for (std::size_t u = 0; u < units_; ++u) {
      observed_[k][u] = static_cast<char>(img.protocol_classes[k][2 * u]);
      iwm_class_[k][u] = static_cast<char>(img.protocol_classes[k][2 * u + 1]);
    }
  }
  if (divided_) return restore_divided_daily(img);
  // The daily series recorded so far: into the new output, and the current block.
  if (block_.empty()) return;
  const std::size_t n_rel = rel_unit_.size();
  const auto days = static_cast<std::size_t>(img.next_day);
  const std::size_t block_first = days - days % kChunkDays;
  for (std::size_t f = 0; f < s_.daily.size(); ++f) {
    if (std::find(img.daily_fields.begin(), img.daily_fields.end(), s_.daily[f]) == img.daily_fields.end())
      throw InputError("the checkpoint lacks the daily series " + s_.daily[f]);
    if (days == 0) continue;
    copy_daily_record(img, s_.daily[f], n_rel, settings_.output, f,
                      [&](std::size_t r0, std::size_t rows, const double* v) {
                        for (std::size_t r = 0; r < rows; ++r)
                          for (std::size_t d = block_first; d < days; ++d)
                            block_[(f * n_rel + r0 + r) * kChunkDays + d % kChunkDays] =
                                static_cast<float>(v[r * days + d]);
                      });
  }
}

// Divided among ranks: rank 0 refills the new output with every row recorded so far; each rank
// takes its rows of the block in progress from its own file.
void Run::restore_divided_daily(const RunImage& img) {
  if (img.ranks != static_cast<std::uint64_t>(settings_.ranks->size()) ||
      img.rank != static_cast<std::uint64_t>(settings_.ranks->rank()) || img.first_unit != first_unit_)
    throw InputError(fmt::format("{}: a checkpoint of rank {} of {} (units from {}); this is rank {} of {}",
                                 settings_.resume, img.rank, img.ranks, img.first_unit,
                                 settings_.ranks->rank(), settings_.ranks->size()));
  if (block_.empty()) return;
  const std::size_t n_rel = rel_unit_.size();
  const auto days = static_cast<std::size_t>(img.next_day);
  if (img.block_days != img.next_day % kChunkDays)
    throw InputError(fmt::format("{}: the checkpoint's daily block does not fit its day", settings_.resume));
  for (std::size_t f = 0; f < s_.daily.size(); ++f) {
    const auto find = [&](const std::vector<std::string>& names) {
      const auto it = std::find(names.begin(), names.end(), s_.daily[f]);
      if (it == names.end())
        throw InputError(settings_.resume + ": the checkpoint lacks the daily series " + s_.daily[f]);
      return static_cast<std::size_t>(it - names.begin());
    };
    if (settings_.output && days > 0) {
      find(img.daily_fields);
      copy_daily_record(img, s_.daily[f], total_rels_, settings_.output, f, nullptr);
    }
    const auto& b = img.daily_block[find(img.block_fields)];
    const auto width = static_cast<std::size_t>(img.block_days);
    if (b.size() != n_rel * width)
      throw InputError(settings_.resume + ": the checkpoint's daily block does not fit this run");
    for (std::size_t r = 0; r < n_rel; ++r)
      for (std::size_t d = 0; d < width; ++d)
        block_[(f * n_rel + r) * kChunkDays + d] = static_cast<float>(b[r * width + d]);
  }
}

RunResult Run::results() {
  RunResult result;
  Table& t = result.infants;
  t = infants_table_layout(model_);
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
  const std::size_t n_params = tables_.caregiver.size();
  for (std::string_view key : model_.recorded_caregiver_keys()) {
    const std::size_t k = param_index(tables_.caregiver, key);
    auto& drawn = *col++;
    for (std::size_t r = 0; r < n_rel; ++r) drawn.reals.push_back(values_[rel_slot_[r] * n_params + k]);
  }
  const auto fields = model_.outcome_fields();
  const auto first_outcome = col;
  std::vector<double> values(fields.size());
  for (std::size_t r = 0; r < n_rel; ++r) {
    state_->outcomes(rel_unit_[r], TieRef{rel_slot_[r], r}, false, values);
    auto c = first_outcome;
    for (double v : values) push(*c++, v);
  }
  for (Table& traced : traced_) {
    result.trace_rows.push_back(traced.rows());
    if (result.trace.columns.empty()) {
      result.trace = std::move(traced);
      continue;
    }
    for (std::size_t c = 0; c < traced.columns.size(); ++c) {
      auto& to = result.trace.columns[c];
      auto& from = traced.columns[c];
      to.ints.insert(to.ints.end(), from.ints.begin(), from.ints.end());
      to.reals.insert(to.reals.end(), from.reals.begin(), from.reals.end());
    }
  }
  if (result.trace.columns.empty()) result.trace = trace_table_layout(model_);

  // Protocol tables: one row per unit and phase; samples; observed classifications.
  const auto& protocols = s_.experiment.protocols;
  if (protocols.empty()) return result;
  const auto phase_fields = model_.phase_fields();
  const std::size_t n_fields = phase_fields.size();
  Table& ph = result.phases;
  for (const char* c : {"infant_id", "caregiver_id"}) ph.add(c, Column::int64);
  for (const char* c : {"arm", "protocol", "phase"}) ph.add(c, Column::text, 24);
  ph.add("phase_index", Column::int64);
  ph.add("day", Column::int64);
  for (const auto& f : phase_fields) ph.add(std::string(f.name), Column::float64);
  Table& sm = result.samples;
  sm.add("infant_id", Column::int64);
  for (const char* c : {"arm", "protocol", "phase"}) sm.add(c, Column::text, 24);
  for (const char* c : {"t_s", "arousal", "partner_arousal", "cortisol"}) sm.add(c, Column::float64);
  Table& ob = result.observed;
  ob.add("infant_id", Column::int64);
  for (const char* c : {"arm", "protocol"}) ob.add(c, Column::text, 24);
  ob.add("observed", Column::text, 1);
  ob.add("iwm", Column::text, 1);
  const auto classes = model_.classes();
  auto class_index = [&](char c) {
    std::size_t k = 0;
    while (k + 1 < classes.size() && classes[k].letter != c) ++k;
    return std::min<std::size_t>(k, 3);
  };
  for (std::size_t k = 0; k < protocols.size(); ++k) {
    const Protocol& p = protocols[k];
    const std::size_t phase_rows = ph.rows(), sample_rows = sm.rows(), observed_rows = ob.rows();
    for (std::size_t u = 0; u < units_; ++u) {
      const auto infant = static_cast<std::int64_t>(unit_infant(u));
      const std::string arm_name = s_.experiment.arm_name(unit_arm(u));
      for (std::size_t j = 0; j < p.phases.size(); ++j) {
        auto c = ph.columns.begin();
        (c++)->ints.push_back(infant);
        (c++)->ints.push_back(caregiver_id_[u]);
        for (const std::string& text : {arm_name, p.name, p.phases[j].name}) (c++)->texts.push_back(text);
        (c++)->ints.push_back(static_cast<std::int64_t>(j));
        (c++)->ints.push_back(p.day);
        for (std::size_t f = 0; f < n_fields; ++f)
          (c++)->reals.push_back(measures_[k][(u * p.phases.size() + j) * n_fields + f]);
      }
      for (const auto& x : samples_[k][u]) {
        auto c = sm.columns.begin();
        (c++)->ints.push_back(infant);
        for (const std::string& text : {arm_name, p.name, p.phases[static_cast<std::size_t>(x.phase)].name})
          (c++)->texts.push_back(text);
        for (double v : {x.t_s, x.arousal, x.partner_arousal, x.cortisol}) (c++)->reals.push_back(v);
      }
      if (observed_[k][u] != ' ') {
        auto c = ob.columns.begin();
        (c++)->ints.push_back(infant);
        (c++)->texts.push_back(arm_name);
        (c++)->texts.push_back(p.name);
        (c++)->texts.emplace_back(1, observed_[k][u]);
        (c++)->texts.emplace_back(1, iwm_class_[k][u]);
        ++result.agreement.counts[class_index(observed_[k][u])][class_index(iwm_class_[k][u])];
      }
    }
    result.phase_rows.push_back(ph.rows() - phase_rows);
    result.sample_rows.push_back(sm.rows() - sample_rows);
    result.observed_rows.push_back(ob.rows() - observed_rows);
  }
  return result;
}

}  // namespace

UnitSlice unit_slice(std::size_t units, int rank, int ranks) {
  const auto r = static_cast<std::size_t>(rank), n = static_cast<std::size_t>(std::max(1, ranks));
  const std::size_t first = units * r / n;
  return {first, units * (r + 1) / n - first};
}

RunResult simulate(const Model& model, const Scenario& s, const RunSettings& settings) {
  Run run(model, s, settings);
  return run.run();
}

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

std::string format_agreement(const Agreement& a, const Model& model) {
  std::string out = fmt::format("observed (rows) × working model (columns), {} infants\n        ", a.n());
  const auto classes = model.classes();
  for (const auto& c : classes) out += fmt::format("{:>6}", c.letter);
  out += "\n";
  for (std::size_t i = 0; i < classes.size() && i < 4; ++i) {
    out += fmt::format("    {:<4}", classes[i].letter);
    for (std::size_t j = 0; j < 4; ++j) out += fmt::format("{:>6}", a.counts[i][j]);
    out += "\n";
  }
  out += fmt::format("    Cohen's kappa {:.3f}\n", a.kappa());
  return out;
}

Agreement read_agreement(const std::string& path, const Model& model) {
  Agreement a;
  const auto names = list_group(path, "protocol");
  if (std::find(names.begin(), names.end(), "observed") == names.end()) return a;
  const Table t = read_table(path, "protocol/observed");
  const Column* obs = t.find("observed");
  const Column* iwm = t.find("iwm");
  if (!obs || !iwm) return a;
  const auto classes = model.classes();
  auto index = [&](const std::string& text) {
    std::size_t k = 0;
    while (k + 1 < classes.size() && (text.empty() || classes[k].letter != text[0])) ++k;
    return std::min<std::size_t>(k, 3);
  };
  for (std::size_t r = 0; r < t.rows(); ++r) ++a.counts[index(obs->texts[r])][index(iwm->texts[r])];
  return a;
}

Table trace_table_layout(const Model& model) {
  Table t;
  t.add("infant_id", Column::int64);
  t.add("caregiver_id", Column::int64);
  for (const auto& f : model.trace_fields()) t.add(std::string(f.name), column_kind(f.kind));
  return t;
}

Table infants_table_layout(const Model& model) {
  Table t;
  t.add("infant_id", Column::int64);
  t.add("caregiver_id", Column::int64);
  t.add("profile", Column::text, 24);
  t.add("arm", Column::text, 24);
  for (std::string_view key : model.recorded_caregiver_keys()) t.add(std::string(key), Column::float64);
  for (const auto& f : model.outcome_fields()) t.add(std::string(f.name), column_kind(f.kind));
  return t;
}

ModelSpec model_spec(const Model& model) {
  ModelSpec spec;
  spec.name = std::string(model.name());
  spec.params = model.params();
  for (const auto& f : model.outcome_fields())
    if (f.kind != FieldInfo::letter) spec.daily_fields.push_back(f.name);
  spec.check_infant = [&model](const std::vector<double>& v) { return model.check_infant(v); };
  return spec;
}

SummarySpec summary_spec(const Model& model) {
  SummarySpec spec{"classification", {}, {}};
  for (const auto& c : model.classes()) spec.classes.emplace_back(c.letter, std::string(c.name));
  for (const auto& f : model.outcome_fields())
    if (f.kind != FieldInfo::letter) spec.mean_columns.emplace_back(f.name);
  return spec;
}

void write_provenance(OutputFile& out, const Model& model, const Scenario& s, const std::string& version,
                      const std::string& commit) {
  const std::time_t now = std::time(nullptr);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&now));
  out.attribute("schema_version", static_cast<std::uint64_t>(kSchemaVersion));
  out.attribute("attune_version", version);
  out.attribute("git_commit", commit);
  out.attribute("seed", s.seed);
  out.attribute("scenario", to_yaml(s, model_spec(model)));
  out.attribute("scenario_source", s.source);
  out.attribute("model", std::string(model.name()));
  out.attribute("created_utc", std::string(stamp));
  if (!s.experiment.arms.empty()) {
    out.attribute("arms", s.experiment.arms_yaml);
    out.attribute("paired", std::string(s.experiment.paired ? "true" : "false"));
  }
}

void write_results(OutputFile& out, const Model& model, const Scenario& s, const RunResult& r,
                   const std::string& version, const std::string& commit) {
  write_provenance(out, model, s, version, commit);
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

}  // namespace attune::sim
