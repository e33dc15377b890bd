#include "sim/summary.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <utility>

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
  Summary s(spec);
  s.add(t);
  return s.text();
}

Summary::Summary(SummarySpec spec)
    : spec_(std::move(spec)),
      class_counts_(spec_.classes.size(), 0),
      numeric_(spec_.mean_columns.size(), -1),
      sum_(spec_.mean_columns.size(), 0.0),
      sum2_(spec_.mean_columns.size(), 0.0) {}

void Summary::add(const Table& t) {
  rows_ += t.rows();
  const auto dist = class_distribution(t, spec_);
  for (std::size_t i = 0; i < dist.size(); ++i) class_counts_[i] += dist[i].count;
  for (std::size_t m = 0; m < spec_.mean_columns.size(); ++m) {
    const Column* c = t.find(spec_.mean_columns[m]);
    if (numeric_[m] < 0) numeric_[m] = c && c->kind != Column::text ? 1 : 0;
    if (!numeric_[m] || !c) continue;
    double sum = sum_[m], sum2 = sum2_[m];
    for (std::size_t i = 0; i < c->size(); ++i) {
      const double v = c->kind == Column::int64 ? static_cast<double>(c->ints[i]) : c->reals[i];
      sum += v;
      sum2 += v * v;
    }
    sum_[m] = sum, sum2_[m] = sum2;
  }
}

std::string Summary::text() const {
  std::string s = fmt::format("rows: {}\nclass distribution:\n", rows_);
  for (std::size_t i = 0; i < spec_.classes.size(); ++i) {
    const double fraction = rows_ ? static_cast<double>(class_counts_[i]) / static_cast<double>(rows_) : 0.0;
    s += fmt::format("  {} {:<13} {:>8}  {:5.1f}%\n", spec_.classes[i].first, spec_.classes[i].second,
                     class_counts_[i], 100 * fraction);
  }
  s += "outcome means (sd):\n";
  for (std::size_t m = 0; m < spec_.mean_columns.size(); ++m) {
    if (numeric_[m] != 1 || rows_ == 0) continue;
    const auto n = static_cast<double>(rows_);
    const double mean = sum_[m] / n;
    const double sd = std::sqrt(std::max(0.0, sum2_[m] / n - mean * mean));
    s += fmt::format("  {:<22} {:>10.4g}  ({:.3g})\n", spec_.mean_columns[m], mean, sd);
  }
  return s;
}

}  // namespace attune::sim
