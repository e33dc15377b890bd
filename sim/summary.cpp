#include "sim/summary.hpp"

#include <fmt/format.h>

#include <cmath>

namespace attune::sim {

std::vector<ClassCount> class_distribution(const Table& t, const SummarySpec& spec) {
  std::vector<ClassCount> out;
  const Column* col = t.find(spec.class_column);
  const std::size_t n = t.rows();
  for (const auto& [letter, name] : spec.classes) {
    std::size_t count = 0;
    if (col)
      for (const auto& s : col->texts) count += (!s.empty() && s[0] == letter) ? 1 : 0;
    out.push_back({letter, count, n ? static_cast<double>(count) / static_cast<double>(n) : 0.0});
  }
  return out;
}

std::string summarize(const Table& t, const SummarySpec& spec) {
  std::string s = fmt::format("rows: {}\nclass distribution:\n", t.rows());
  const auto dist = class_distribution(t, spec);
  for (std::size_t i = 0; i < dist.size(); ++i)
    s += fmt::format("  {} {:<13} {:>8}  {:5.1f}%\n", dist[i].letter, spec.classes[i].second, dist[i].count,
                     100 * dist[i].fraction);
  s += "outcome means (sd):\n";
  for (const auto& name : spec.mean_columns) {
    const Column* c = t.find(name);
    if (!c || c->kind == Column::text || c->size() == 0) continue;
    double sum = 0, sum2 = 0;
    const std::size_t n = c->size();
    for (std::size_t i = 0; i < n; ++i) {
      const double v = c->kind == Column::int64 ? static_cast<double>(c->ints[i]) : c->reals[i];
      sum += v;
      sum2 += v * v;
    }
    const double mean = sum / static_cast<double>(n);
    const double sd = std::sqrt(std::max(0.0, sum2 / static_cast<double>(n) - mean * mean));
    s += fmt::format("  {:<22} {:>10.4g}  ({:.3g})\n", name, mean, sd);
  }
  return s;
}

}  // namespace attune::sim
