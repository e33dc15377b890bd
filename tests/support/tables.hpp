// Comparing tables and result files bit for bit.
#pragma once

#include <cstring>
#include <string>
#include <vector>

#include "sim/hdf5_file.hpp"
#include "sim/table.hpp"

namespace attune::test {

// The first column whose name, kind or bits differ ("shape" for a different size); empty when
// the tables are identical.
inline std::string first_difference(const sim::Table& a, const sim::Table& b) {
  if (a.columns.size() != b.columns.size() || a.rows() != b.rows()) return "shape";
  for (std::size_t c = 0; c < a.columns.size(); ++c) {
    const sim::Column &x = a.columns[c], &y = b.columns[c];
    const bool reals = x.reals.size() == y.reals.size() &&
                       (x.reals.empty() ||
                        std::memcmp(x.reals.data(), y.reals.data(), x.reals.size() * sizeof(double)) == 0);
    if (x.name != y.name || x.kind != y.kind || x.ints != y.ints || !reals || x.texts != y.texts)
      return x.name;
  }
  return "";
}

// "" when every named dataset of the two files is identical, else "dataset: column".
inline std::string first_file_difference(const std::string& a, const std::string& b,
                                         const std::vector<std::string>& datasets) {
  for (const auto& name : datasets) {
    const std::string d = first_difference(sim::read_table(a, name), sim::read_table(b, name));
    if (!d.empty()) return name + ": " + d;
  }
  return "";
}

inline const std::vector<std::string> kSweepDatasets{"design", "runs", "infants", "run_summary"};

}  // namespace attune::test
