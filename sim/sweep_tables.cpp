#include "sim/sweep_tables.hpp"

#include <fmt/format.h>

#include <cmath>
#include <cstdlib>
#include <cstring>

#include "sim/errors.hpp"
#include "sim/simulation.hpp"
#include "sim/summary.hpp"

namespace attune::sim {
namespace {

bool is_number(const std::string& s) {
  if (s.empty()) return true;  // "not set at this point": stored as NaN
  char* end = nullptr;
  std::strtod(s.c_str(), &end);
  return end && *end == '\0';
}

// Appends the design's factor values to `t` for the given points (one row per entry).
void add_factor_columns(sim::Table& t, const sim::Design& d, const std::vector<std::size_t>& points) {
  for (std::size_t f = 0; f < d.factors.size(); ++f) {
    bool numeric = true;
    std::size_t width = 1;
    for (const auto& row : d.values) {
      numeric = numeric && is_number(row[f]);
      width = std::max(width, row[f].size());
    }
    auto& col = t.add(d.factors[f], numeric ? sim::Column::float64 : sim::Column::text, width);
    for (std::size_t p : points) {
      const std::string& v = d.values[p][f];
      if (numeric)
        col.reals.push_back(v.empty() ? std::nan("") : std::strtod(v.c_str(), nullptr));
      else
        col.texts.push_back(v);
    }
  }
}

}  // namespace

sim::Table design_table(const sim::Design& d) {
  sim::Table t;
  auto& id = t.add("point_id", sim::Column::int64);
  std::vector<std::size_t> all(d.points());
  for (std::size_t p = 0; p < d.points(); ++p) all[p] = p, id.ints.push_back(d.point_ids[p]);
  add_factor_columns(t, d, all);
  if (!d.roles.empty()) {
    auto& role = t.add("role", sim::Column::text, 8);
    role.texts = d.roles;
  }
  if (!d.trajectory.empty()) t.add("trajectory", sim::Column::int64).ints = d.trajectory;
  return t;
}

// One row per run of `mine` (all runs, or one shard's), all pending.
sim::Table runs_table(const SweepPlan& plan, const std::vector<std::size_t>& mine) {
  const sim::Design& d = plan.design;
  const auto reps = static_cast<std::size_t>(d.replicates);
  sim::Table t;
  auto& run_id = t.add("run_id", sim::Column::int64);
  auto& point_id = t.add("point_id", sim::Column::int64);
  auto& replicate = t.add("replicate", sim::Column::int64);
  auto& seed = t.add("seed", sim::Column::int64);
  std::vector<std::size_t> points;
  for (std::size_t run : mine) {
    const std::size_t p = run / reps;
    const int r = static_cast<int>(run % reps);
    run_id.ints.push_back(static_cast<std::int64_t>(run));
    point_id.ints.push_back(d.point_ids[p]);
    replicate.ints.push_back(r);
    seed.ints.push_back(static_cast<std::int64_t>(run_scenario(plan, p, r).seed));
    points.push_back(p);
  }
  add_factor_columns(t, d, points);
  t.add("status", sim::Column::text, 8).texts.assign(mine.size(), "pending");
  t.add("reason", sim::Column::text, 200).texts.assign(mine.size(), "");
  t.add("infants_first_row", sim::Column::int64).ints.assign(mine.size(), 0);
  t.add("infants_rows", sim::Column::int64).ints.assign(mine.size(), 0);
  return t;
}

sim::Table slice(const sim::Table& t, std::size_t first, std::size_t n) {
  sim::Table out;
  for (const auto& c : t.columns) {
    auto& o = out.add(c.name, c.kind, c.text_width);
    if (c.kind == sim::Column::int64) o.ints.assign(c.ints.begin() + first, c.ints.begin() + first + n);
    if (c.kind == sim::Column::float64) o.reals.assign(c.reals.begin() + first, c.reals.begin() + first + n);
    if (c.kind == sim::Column::text) o.texts.assign(c.texts.begin() + first, c.texts.begin() + first + n);
  }
  return out;
}

sim::Column& column(sim::Table& t, std::string_view name) {
  for (auto& c : t.columns)
    if (c.name == name) return c;
  throw sim::Error(fmt::format("internal: no column {}", name));
}

bool same_table(const sim::Table& a, const sim::Table& b) {
  if (a.columns.size() != b.columns.size() || a.rows() != b.rows()) return false;
  for (std::size_t i = 0; i < a.columns.size(); ++i) {
    const auto &x = a.columns[i], &y = b.columns[i];
    if (x.name != y.name || x.kind != y.kind || x.ints != y.ints || x.texts != y.texts) return false;
    if (x.reals.size() != y.reals.size() ||
        (!x.reals.empty() &&
         std::memcmp(x.reals.data(), y.reals.data(), x.reals.size() * sizeof(double)) != 0))
      return false;
  }
  return true;
}

sim::Table summary_layout(const Model& model) {
  const sim::SummarySpec spec = summary_spec(model);
  sim::Table t;
  t.add("run_id", sim::Column::int64);
  t.add("point_id", sim::Column::int64);
  t.add("replicate", sim::Column::int64);
  t.add("infants", sim::Column::int64);
  for (const auto& [letter, name] : spec.classes) t.add(fmt::format("prop_{}", letter), sim::Column::float64);
  for (const auto& name : spec.mean_columns) t.add("mean_" + name, sim::Column::float64);
  return t;
}

sim::Table summary_row(const sim::Table& infants, const Model& model, std::int64_t run, std::int64_t point,
                       std::int64_t replicate) {
  const sim::SummarySpec spec = summary_spec(model);
  sim::Table t = summary_layout(model);
  auto col = t.columns.begin();
  (col++)->ints.push_back(run);
  (col++)->ints.push_back(point);
  (col++)->ints.push_back(replicate);
  (col++)->ints.push_back(static_cast<std::int64_t>(infants.rows()));
  for (const auto& c : sim::class_distribution(infants, spec)) (col++)->reals.push_back(c.fraction);
  for (const auto& name : spec.mean_columns) {
    const sim::Column* c = infants.find(name);
    double sum = 0;
    for (std::size_t i = 0; i < c->size(); ++i)
      sum += c->kind == sim::Column::int64 ? static_cast<double>(c->ints[i]) : c->reals[i];
    (col++)->reals.push_back(c->size() ? sum / static_cast<double>(c->size()) : std::nan(""));
  }
  return t;
}

}  // namespace attune::sim
