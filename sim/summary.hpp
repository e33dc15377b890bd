// A plain-text summary of an outcome table: class distribution and outcome means.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "sim/table.hpp"

namespace attune::sim {

struct SummarySpec {
  std::string class_column;                           // a one-letter text column
  std::vector<std::pair<char, std::string>> classes;  // in reporting order
  std::vector<std::string> mean_columns;              // numeric columns to average
};

struct ClassCount {
  char letter;
  std::size_t count;
  double fraction;
};
std::vector<ClassCount> class_distribution(const Table& t, const SummarySpec& spec);

std::string summarize(const Table& t, const SummarySpec& spec);

}  // namespace attune::sim
