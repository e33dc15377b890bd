// `attune compare FILE`: group comparisons of a run, sweep or protocol table (docs/COMPARE.md).
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "sim/compare.hpp"

namespace attune::app {

struct CompareArgs {
  std::string file;
  std::string by;        // "", arm, profile, phase, FACTOR or FACTOR1,FACTOR2
  std::string outcomes;  // comma-separated; "" for the defaults
  bool json = false;
  int resamples = sim::compare::kResamples;
};

// What compare_command() analyses: the file's table and the comparison to make of it.
struct ComparePlan {
  std::string file;
  std::string table;  // "infants" or "protocol/phases"
  bool paired = false;
  std::vector<std::pair<std::string, sim::compare::Result>> parts;  // (protocol or "", result)
};

// Reads the file and compares; throws sim::InputError naming the file and what was allowed.
ComparePlan compare_file(const CompareArgs& args);

std::string compare_json(const ComparePlan& plan);
std::string compare_text(const ComparePlan& plan);

int compare_command(const CompareArgs& args);

}  // namespace attune::app
