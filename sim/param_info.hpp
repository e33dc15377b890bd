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

// A correlation between two per-caregiver parameters in a model's default population. It is
// applied through a Gaussian copula: rho is the correlation of the normal scores, and each
// parameter keeps its own distribution (sim/population.cpp).
struct ParamCorrelation {
  std::string_view a, b;    // caregiver parameter keys
  double rho;               // in (-1, 1)
  std::string_view source;  // the finding it stands for
};

// The model's parameters, split by whom they belong to.
struct ParamTables {
  std::span<const ParamInfo> caregiver;                 // drawn once per caregiver
  std::span<const ParamInfo> infant;                    // shared by every infant of a scenario
  std::span<const ParamCorrelation> correlations = {};  // between caregiver parameters, by default
};

}  // namespace attune::sim
