// Population distributions of per-caregiver parameters, sampled from counter-based streams.
#pragma once

#include <string>
#include <vector>

#include "sim/param_info.hpp"
#include "sim/random.hpp"

namespace attune::sim {

struct Distribution {
  DistKind kind = DistKind::fixed;
  // fixed: a = value; beta: a = mean, b = concentration; lognormal: a = mean, b = log-sd;
  // normal (truncated to the parameter's range): a = mean, b = sd; uniform: a = min, b = max.
  double a = 0.0;
  double b = 0.0;

  static Distribution fixed(double v) { return {DistKind::fixed, v, 0.0}; }
  // The default population spread a ParamInfo declares.
  static Distribution default_for(const ParamInfo& info);
  double mean() const;
};

std::string_view dist_name(DistKind kind);

// One draw. `stream` is this parameter's own stream, so each parameter's draws are independent
// of what other parameters' distributions are. Results stay within [info.min, info.max].
double sample(const Distribution& d, const ParamInfo& info, const Stream& stream);

// The value below which a share u of the distribution's draws fall (its inverse CDF, within the
// parameter's range: the normal is truncated as sample() truncates it). Used for correlated draws.
double quantile(const Distribution& d, const ParamInfo& info, double u);

// The lower Cholesky factor (row-major, n × n) of a correlation matrix given row-major; empty when
// the matrix is not positive definite (the correlations cannot all hold at once).
std::vector<double> cholesky(const std::vector<double>& correlation, std::size_t n);

// Draws used by sample(), exposed for tests.
double sample_gamma(double shape, const Stream& stream, std::uint64_t& counter);
double sample_normal(const Stream& stream, std::uint64_t& counter);

}  // namespace attune::sim
