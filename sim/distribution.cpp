#include "sim/distribution.hpp"

#include <algorithm>
#include <boost/math/distributions/normal.hpp>
#include <boost/math/special_functions/beta.hpp>
#include <cmath>

#include "sim/errors.hpp"

namespace attune::sim {

Distribution Distribution::default_for(const ParamInfo& info) {
  if (info.dist == DistKind::fixed || info.spread == 0.0) return fixed(info.value);
  return {info.dist, info.value, info.spread};
}

double Distribution::mean() const { return kind == DistKind::uniform ? 0.5 * (a + b) : a; }

std::string_view dist_name(DistKind kind) {
  switch (kind) {
    case DistKind::fixed:
      return "fixed";
    case DistKind::beta:
      return "beta";
    case DistKind::lognormal:
      return "lognormal";
    case DistKind::normal:
      return "normal";
    case DistKind::uniform:
      return "uniform";
  }
  return "?";
}

double sample_normal(const Stream& stream, std::uint64_t& counter) {
  const Block b = stream.at(counter++);
  double n1, n2;
  normal_pair(low32(b.w[0]), high32(b.w[0]), n1, n2);
  return n1;
}

// Marsaglia & Tsang (2000); for shape < 1, Gamma(shape+1)·U^(1/shape).
double sample_gamma(double shape, const Stream& stream, std::uint64_t& counter) {
  if (shape < 1.0) {
    const double g = sample_gamma(shape + 1.0, stream, counter);
    const Block b = stream.at(counter++);
    return g * std::pow(uniform_oc(low32(b.w[0])), 1.0 / shape);
  }
  const double d = shape - 1.0 / 3.0;
  const double c = 1.0 / std::sqrt(9.0 * d);
  for (;;) {
    const Block b = stream.at(counter++);
    double n, unused;
    normal_pair(low32(b.w[0]), high32(b.w[0]), n, unused);
    const double v0 = 1.0 + c * n;
    if (v0 <= 0.0) continue;
    const double v = v0 * v0 * v0;
    const double u = uniform_oc(low32(b.w[1]));
    if (std::log(u) < 0.5 * n * n + d - d * v + d * std::log(v)) return d * v;
  }
}

double sample(const Distribution& d, const ParamInfo& info, const Stream& stream) {
  std::uint64_t counter = 0;
  double x = 0.0;
  switch (d.kind) {
    case DistKind::fixed:
      x = d.a;
      break;
    case DistKind::beta: {
      const double ga = sample_gamma(d.a * d.b, stream, counter);
      const double gb = sample_gamma((1.0 - d.a) * d.b, stream, counter);
      // Validation keeps both shapes large enough that ga + gb > 0; guard anyway.
      x = ga + gb > 0 ? ga / (ga + gb) : d.a;
      break;
    }
    case DistKind::lognormal:
      // Keeps the mean: X = m·exp(s·N − s²/2).
      x = d.b == 0.0 ? d.a : d.a * std::exp(d.b * sample_normal(stream, counter) - 0.5 * d.b * d.b);
      break;
    case DistKind::normal:
      // Truncated to the valid range by rejection; validation keeps the mean inside it.
      for (int tries = 0;; ++tries) {
        x = d.a + d.b * sample_normal(stream, counter);
        if (x >= info.min && x <= info.max) break;
        if (tries > 1000000)
          throw InputError("normal distribution of " + std::string(info.key) +
                           " almost never falls in its valid range; narrow its sd");
      }
      break;
    case DistKind::uniform: {
      const Block b = stream.at(counter++);
      x = d.a + (d.b - d.a) * uniform_co(low32(b.w[0]));
      break;
    }
  }
  // The loader checks that a distribution's draws are finite; this is the last line (a NaN would
  // pass std::clamp and spread through the model).
  if (!std::isfinite(x))
    throw InputError("a draw of " + std::string(info.key) + " from its " + std::string(dist_name(d.kind)) +
                     " distribution is not a finite number; narrow the distribution");
  return std::clamp(x, info.min, info.max);
}

double quantile(const Distribution& d, const ParamInfo& info, double u) {
  // Away from 0 and 1, where the normal and beta quantiles are infinite or degenerate.
  u = std::clamp(u, 1e-15, 1.0 - 1e-15);
  const boost::math::normal_distribution<double> unit;
  double x = d.a;
  switch (d.kind) {
    case DistKind::fixed:
      break;
    case DistKind::beta:
      x = boost::math::ibeta_inv(d.a * d.b, (1.0 - d.a) * d.b, u);
      break;
    case DistKind::lognormal:
      x = d.a * std::exp(d.b * boost::math::quantile(unit, u) - 0.5 * d.b * d.b);
      break;
    case DistKind::normal: {
      if (d.b == 0.0) break;
      const double lo = std::isfinite(info.min) ? boost::math::cdf(unit, (info.min - d.a) / d.b) : 0.0;
      const double hi = std::isfinite(info.max) ? boost::math::cdf(unit, (info.max - d.a) / d.b) : 1.0;
      x = d.a + d.b * boost::math::quantile(unit, std::clamp(lo + u * (hi - lo), 1e-15, 1.0 - 1e-15));
      break;
    }
    case DistKind::uniform:
      x = d.a + (d.b - d.a) * u;
      break;
  }
  if (!std::isfinite(x))
    throw InputError("a correlated draw of " + std::string(info.key) + " from its " +
                     std::string(dist_name(d.kind)) +
                     " distribution is not a finite number; narrow the distribution");
  return std::clamp(x, info.min, info.max);
}

std::vector<double> cholesky(const std::vector<double>& c, std::size_t n) {
  std::vector<double> l(n * n, 0.0);
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j <= i; ++j) {
      double sum = c[i * n + j];
      for (std::size_t k = 0; k < j; ++k) sum -= l[i * n + k] * l[j * n + k];
      if (i == j) {
        // A margin above zero: a nearly singular matrix would make some draws hang on rounding.
        if (sum <= 1e-9) return {};
        l[i * n + i] = std::sqrt(sum);
      } else {
        l[i * n + j] = sum / l[j * n + j];
      }
    }
  return l;
}

}  // namespace attune::sim
