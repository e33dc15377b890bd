// The description of one model parameter: the single source from which scenario loading,
// validation, the resolved scenario and docs/PARAMETERS.md are all produced.
#pragma once

#include <limits>
#include <span>
#include <string_view>

namespace attune::sim {

inline constexpr double kInf = std::numeric_limits<double>::infinity();

// How a per-caregiver parameter is spread across a population when a scenario says nothing.
enum class DistKind { fixed, beta, lognormal, normal, uniform };

struct ParamInfo {
  std::string_view key;      // YAML key, e.g. "attunement"
  std::string_view symbol;   // symbol in MODEL.md, e.g. "a"
  std::string_view unit;     // "1", "per min", "s", ...
  std::string_view meaning;  // one line
  double value;              // default (the population mean for drawn parameters)
  double min = 0.0;          // valid range
  double max = kInf;
  bool min_open = false;  // true: min itself is not allowed
  bool max_open = false;
  DistKind dist = DistKind::fixed;  // default population spread
  double spread = 0.0;              // concentration for beta, log-sd for lognormal, sd for normal
};

// The model's parameters, split by whom they belong to.
struct ParamTables {
  std::span<const ParamInfo> caregiver;  // drawn once per caregiver
  std::span<const ParamInfo> infant;     // shared by every infant of a scenario
};

}  // namespace attune::sim
