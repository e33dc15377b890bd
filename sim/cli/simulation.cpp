#include "sim/cli/simulation.hpp"

#include <chrono>
#include <cmath>
#include <ctime>

#include <fmt/format.h>

#include "models/reference/dyad.hpp"
#include "models/reference/outcomes.hpp"
#include "sim/cli/version.hpp"
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
constexpr std::string_view kDrawnColumns[] = {"attunement", "rupture_rate", "repair_rate", "rejection",
                                              "baseline_stress"};

// Where each requested daily field sits in outcome_fields().
std::vector<const ref::OutcomeField*> daily_getters(const sim::Scenario& s) {
  std::vector<const ref::OutcomeField*> out;
  for (const auto& name : s.daily)
    for (const auto& f : ref::outcome_fields())
      if (f.name == name) out.push_back(&f);
  return out;
}

}  // namespace

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
  const auto start = std::chrono::steady_clock::now();
  const sim::ModelSpec spec = model_spec();
  const ref::InfantParams infant_params = ref::infant_from(s.infant);
  const ref::DyadModel model(infant_params, s.schedule, s.seed);
  const sim::Population pop = sim::build_population(s, spec.params);

  std::vector<ref::CaregiverParams> caregivers;
  caregivers.reserve(pop.caregivers());
  for (std::size_t c = 0; c < pop.caregivers(); ++c)
    caregivers.push_back(ref::caregiver_from(pop.caregiver(c)));
  std::vector<ref::Relationship> rels(pop.relationships.size(), model.new_relationship());
  std::vector<ref::Infant> infants(pop.infants(), model.new_infant());

  // Each infant's ties, flattened once (CSR) so the daily loop does no graph lookups.
  std::vector<ref::Tie> ties;
  std::vector<std::size_t> first_tie(pop.infants() + 1, 0);
  for (std::size_t i = 0; i < pop.infants(); ++i) {
    for (std::uint32_t r : pop.relationships_of_infant(i))
      ties.push_back({&caregivers[pop.relationships[r].caregiver], &rels[r]});
    first_tie[i + 1] = ties.size();
  }

  // Daily series: a rows × kChunkDays block per field, flushed every kChunkDays days.
  const auto getters = daily_getters(s);
  const std::size_t n_rel = rels.size();
  const bool daily = settings.output && !getters.empty();
  std::vector<float> block(daily ? getters.size() * n_rel * kChunkDays : 0);
  if (daily) settings.output->create_daily(s.daily, n_rel, s.schedule.days, kChunkDays);

  // Traces: a buffer per traced infant, filled by that infant's own task, so no locking.
  struct Traced {
    ref::StepRecord rec;
    std::int64_t infant, caregiver;
  };
  std::vector<int> trace_slot(pop.infants(), -1);
  std::vector<char> trace_day(static_cast<std::size_t>(s.schedule.days), 0);
  std::vector<char> trace_session(static_cast<std::size_t>(s.schedule.sessions_per_day),
                                  s.trace.sessions.empty());
  std::vector<std::vector<Traced>> traced(s.trace.infants.size());
  for (std::size_t k = 0; k < s.trace.infants.size(); ++k)
    trace_slot[static_cast<std::size_t>(s.trace.infants[k])] = static_cast<int>(k);
  for (int d : s.trace.days) trace_day[static_cast<std::size_t>(d)] = 1;
  for (int v : s.trace.sessions) trace_session[static_cast<std::size_t>(v)] = 1;

  const std::uint64_t steps_per_day = static_cast<std::uint64_t>(s.schedule.steps_per_day()) * n_rel;
  sim::Progress progress("attune run", s.schedule.days, settings.progress);

  auto advance = [&](std::size_t i, int day) {
    const std::span<const ref::Tie> mine(ties.data() + first_tie[i], first_tie[i + 1] - first_tie[i]);
    if (trace_slot[i] >= 0 && trace_day[static_cast<std::size_t>(day)]) {
      auto& buffer = traced[static_cast<std::size_t>(trace_slot[i])];
      model.simulate_day(i, day, infants[i], mine, [&](const ref::StepRecord& rec) {
        if (!trace_session[static_cast<std::size_t>(rec.session)]) return;
        const auto rel = static_cast<std::size_t>(mine[rec.tie].relationship - rels.data());
        buffer.push_back({rec, static_cast<std::int64_t>(i), pop.relationships[rel].caregiver});
      });
    } else {
      model.simulate_day(i, day, infants[i], mine);
    }
    if (!daily) return;
    for (const ref::Tie& tie : mine) {
      ref::Interaction period = tie.relationship->today;
      period.episodes = tie.relationship->total.episodes;
      period.shocks = tie.relationship->total.shocks;
      const ref::Outcome o = ref::outcome(infant_params, tie.relationship->iwm, period, infants[i].regulation,
                                          infants[i].last_session_z);
      const std::size_t row = static_cast<std::size_t>(tie.relationship - rels.data());
      for (std::size_t f = 0; f < getters.size(); ++f)
        block[(f * n_rel + row) * kChunkDays + static_cast<std::size_t>(day % kChunkDays)] =
            static_cast<float>(getters[f]->get(o));
    }
  };
  auto day_done = [&](int day) {
    const bool last = day + 1 == s.schedule.days;
    if (daily && ((day + 1) % kChunkDays == 0 || last)) {
      const int day0 = day - day % kChunkDays;
      for (std::size_t f = 0; f < getters.size(); ++f)
        settings.output->write_daily(f, day0, day - day0 + 1, block.data() + f * n_rel * kChunkDays,
                                     kChunkDays);
    }
    progress.update(day + 1);
  };
  sim::run_days(pop.infants(), s.schedule.days, settings.threads, advance, day_done, settings.stop);
  progress.finish();

  RunResult result;
  result.dyad_steps = steps_per_day * static_cast<std::uint64_t>(s.schedule.days);
  sim::Table& t = result.infants;
  t = infants_table_layout();
  auto col = t.columns.begin();
  auto& infant_id = *col++;
  auto& caregiver_id = *col++;
  auto& profile = *col++;
  for (std::size_t r = 0; r < n_rel; ++r) {
    infant_id.ints.push_back(pop.relationships[r].infant);
    caregiver_id.ints.push_back(pop.relationships[r].caregiver);
    profile.texts.push_back(s.profiles[pop.caregiver_profile[pop.relationships[r].caregiver]].name);
  }
  for (std::string_view key : kDrawnColumns) {
    std::size_t k = 0;
    while (spec.params.caregiver[k].key != key) ++k;
    auto& drawn = *col++;
    for (std::size_t r = 0; r < n_rel; ++r)
      drawn.reals.push_back(pop.caregiver(pop.relationships[r].caregiver)[k]);
  }
  std::vector<ref::Outcome> outcomes;
  for (std::size_t r = 0; r < n_rel; ++r) {
    const ref::Infant& inf = infants[pop.relationships[r].infant];
    const double cortisol = inf.cortisol_n ? inf.cortisol_sum / static_cast<double>(inf.cortisol_n) : 0.0;
    outcomes.push_back(ref::outcome(infant_params, rels[r].iwm, rels[r].total, inf.regulation, cortisol));
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
  for (const auto& buffer : traced) {
    for (const Traced& tr : buffer) {
      const ref::StepRecord& r = tr.rec;
      auto out = result.trace.columns.begin();
      for (std::int64_t v : {tr.infant, tr.caregiver, std::int64_t{r.day}, std::int64_t{r.session}, r.step})
        (out++)->ints.push_back(v);
      for (double v : {static_cast<double>(r.step) * s.schedule.dt, r.x, r.xc, r.signal, r.u, r.v, r.z1, r.z})
        (out++)->reals.push_back(v);
      for (bool v : {r.engaged, r.coordinated, r.fear, r.dissociated, r.stressor, r.rupture, r.repair,
                     r.episode_started, r.episode_ended, r.shock})
        (out++)->ints.push_back(v ? 1 : 0);
      (out++)->reals.push_back(r.episode_ended ? r.latency : std::nan(""));
    }
  }
  result.elapsed_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return result;
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
  out.write_table("infants", r.infants);
  if (r.trace.rows() > 0) out.write_table("trace/steps", r.trace);
}

}  // namespace attune::app
