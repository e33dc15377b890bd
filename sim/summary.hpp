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

// The same summary of a table read in consecutive blocks of rows (a result too large to hold at
// once, e.g. one written by many ranks): the sums run over the rows in the same order, so the
// text is summarize()'s to the last digit.
class Summary {
 public:
  explicit Summary(SummarySpec spec);
  void add(const Table& rows);
  std::string text() const;

 private:
  SummarySpec spec_;
  std::size_t rows_ = 0;
  std::vector<std::size_t> class_counts_;
  std::vector<int> numeric_;  // per mean column: -1 unknown, 0 absent or text, 1 numeric
  std::vector<double> sum_, sum2_;
};

}  // namespace attune::sim
