// Population distributions (sim/distribution.hpp): sample moments against analytic values over
// many caregivers' streams, ranges respected, and independent sub-streams.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <numbers>

#include "sim/distribution.hpp"
#include "sim/errors.hpp"
#include "support/stats.hpp"

namespace attune::sim {
namespace {

using test::Correlation;
using test::Moments;

constexpr double kSigmas = 5.0;
constexpr std::uint64_t kCaregivers = 200'000;

const ParamInfo kUnit{"unit_param", "u", "1", "a parameter in [0, 1]", 0.5, 0.0, 1.0};
const ParamInfo kPositive{"positive_param", "p", "1", "a parameter in [0, inf)", 1.0, 0.0, kInf};

// One draw per caregiver, each from its own stream, as build_population draws them.
Moments draw(const Distribution& d, const ParamInfo& info, const std::function<void(double)>& each = {}) {
  Moments m;
  for (std::uint64_t c = 0; c < kCaregivers; ++c) {
    const double x = sample(d, info, Stream(11, c, Purpose::caregiver_draw, 0));
    m.add(x);
    if (each) each(x);
  }
  return m;
}

void expect_moments(const Moments& m, double mean, double variance) {
  EXPECT_NEAR(m.mean(), mean, kSigmas * m.mean_se());
  EXPECT_NEAR(m.variance(), variance, kSigmas * m.variance_se());
}

// Beta(a·κ, (1−a)·κ): mean a, variance a(1−a)/(κ+1).
TEST(Sample, BetaHasMeanAAndVarianceAOneMinusAOverKappaPlusOne) {
  bool inside = true;
  const Moments m =
      draw({DistKind::beta, 0.7, 10}, kUnit, [&](double x) { inside = inside && x >= 0 && x <= 1; });
  expect_moments(m, 0.7, 0.7 * 0.3 / 11);
  EXPECT_TRUE(inside);
}

TEST(Sample, BetaWithShapesBelowOne) {  // Beta(0.3, 0.7): the shape < 1 branch of the gamma sampler
  bool inside = true;
  const Moments m =
      draw({DistKind::beta, 0.3, 1.0}, kUnit, [&](double x) { inside = inside && x >= 0 && x <= 1; });
  expect_moments(m, 0.3, 0.3 * 0.7 / 2);
  EXPECT_TRUE(inside);
}

// X = m·exp(s·N − s²/2): mean m, variance m²(e^(s²) − 1), and log X ~ N(ln m − s²/2, s²).
TEST(Sample, LognormalKeepsTheMean) {
  const double mean = 2.0, s = 0.5;
  Moments logs;
  bool positive = true;
  const Moments m = draw({DistKind::lognormal, mean, s}, kPositive, [&](double x) {
    positive = positive && x > 0;
    logs.add(std::log(x));
  });
  expect_moments(m, mean, mean * mean * std::expm1(s * s));
  expect_moments(logs, std::log(mean) - s * s / 2, s * s);
  EXPECT_TRUE(positive);
}

TEST(Sample, LognormalWithZeroSpreadIsTheMean) {
  EXPECT_EQ(sample({DistKind::lognormal, 2.5, 0.0}, kPositive, Stream(1, 1, Purpose::caregiver_draw)), 2.5);
}

TEST(Sample, NormalFarFromItsBoundsIsUntruncated) {
  expect_moments(draw({DistKind::normal, 0.5, 0.08}, kUnit), 0.5, 0.0064);
}

// Truncation is by rejection, not clamping: N(0.1, 0.2²) on [0, inf) has the truncated-normal
// mean μ + σ·λ and variance σ²(1 + αλ − λ²), α = −μ/σ, λ = φ(α)/(1 − Φ(α)). A clamp would put
// 31% of the draws at exactly 0 and give a mean of 0.14 instead of 0.20.
TEST(Sample, NormalIsTruncatedToTheRangeByRejection) {
  const double mu = 0.1, sd = 0.2, alpha = -mu / sd;
  const double phi = std::exp(-alpha * alpha / 2) / std::sqrt(2 * std::numbers::pi);
  const double tail = 0.5 * std::erfc(alpha / std::sqrt(2.0));
  const double lambda = phi / tail;
  std::uint64_t at_zero = 0;
  bool inside = true;
  const Moments m = draw({DistKind::normal, mu, sd}, kPositive, [&](double x) {
    inside = inside && x >= 0;
    at_zero += x == 0.0;
  });
  expect_moments(m, mu + sd * lambda, sd * sd * (1 + alpha * lambda - lambda * lambda));
  EXPECT_TRUE(inside);
  EXPECT_EQ(at_zero, 0u);
}

TEST(Sample, NormalThatAlmostNeverFitsItsRangeIsAnInputError) {
  try {
    sample({DistKind::normal, 0.5, 1e9}, kUnit, Stream(1, 1, Purpose::caregiver_draw));
    FAIL() << "expected an InputError";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("unit_param"), std::string::npos) << e.what();
  }
}

TEST(Sample, UniformCoversItsInterval) {
  double lo = 10, hi = 0;
  const Moments m = draw({DistKind::uniform, 2.0, 5.0}, kPositive, [&](double x) {
    lo = std::min(lo, x);
    hi = std::max(hi, x);
  });
  expect_moments(m, 3.5, 9.0 / 12.0);
  EXPECT_GE(lo, 2.0);
  EXPECT_LT(lo, 2.001);
  EXPECT_LT(hi, 5.0);
  EXPECT_GT(hi, 4.999);
}

TEST(Sample, FixedIsTheValueAndDrawsNothing) {
  EXPECT_EQ(sample(Distribution::fixed(0.25), kUnit, Stream(1, 1, Purpose::caregiver_draw)), 0.25);
}

TEST(Sample, ResultsAreClampedIntoTheRange) {
  EXPECT_EQ(sample({DistKind::uniform, 2.0, 2.0}, kUnit, Stream(1, 1, Purpose::caregiver_draw)), 1.0);
  EXPECT_EQ(sample(Distribution::fixed(-3.0), kPositive, Stream(1, 1, Purpose::caregiver_draw)), 0.0);
}

TEST(Sample, IsAPureFunctionOfTheStream) {
  const Distribution d{DistKind::beta, 0.6, 4};
  const Stream s(9, 10, Purpose::caregiver_draw, 2);
  EXPECT_EQ(sample(d, kUnit, s), sample(d, kUnit, Stream(9, 10, Purpose::caregiver_draw, 2)));
  EXPECT_NE(sample(d, kUnit, s), sample(d, kUnit, Stream(9, 10, Purpose::caregiver_draw, 3)));
}

// Each parameter has its own sub-stream: draws of two parameters of the same caregiver are
// uncorrelated, even with the same distribution.
TEST(Sample, SubStreamsOfOneCaregiverAreIndependent) {
  const Distribution d{DistKind::lognormal, 1.0, 0.5};
  Correlation c;
  for (std::uint64_t id = 0; id < kCaregivers; ++id)
    c.add(sample(d, kPositive, Stream(11, id, Purpose::caregiver_draw, 0)),
          sample(d, kPositive, Stream(11, id, Purpose::caregiver_draw, 1)));
  EXPECT_NEAR(c.value(), 0.0, kSigmas / std::sqrt(static_cast<double>(kCaregivers)));
}

// Gamma(k, 1): mean k, variance k.
TEST(SampleGamma, HasMeanAndVarianceEqualToItsShape) {
  for (double shape : {0.4, 1.0, 3.7}) {
    SCOPED_TRACE(shape);
    Moments m;
    for (std::uint64_t id = 0; id < kCaregivers; ++id) {
      std::uint64_t counter = 0;
      m.add(sample_gamma(shape, Stream(12, id, Purpose::caregiver_draw), counter));
    }
    expect_moments(m, shape, shape);
  }
}

TEST(SampleNormal, IsStandardNormalAndAdvancesTheCounter) {
  const Stream s(13, 0, Purpose::caregiver_draw);
  std::uint64_t counter = 0;
  Moments m;
  for (std::uint64_t i = 0; i < kCaregivers; ++i) m.add(sample_normal(s, counter));
  EXPECT_EQ(counter, kCaregivers);
  expect_moments(m, 0.0, 1.0);
}

TEST(Distribution, MeanAndDefaults) {
  EXPECT_EQ((Distribution{DistKind::uniform, 1, 4}.mean()), 2.5);
  EXPECT_EQ((Distribution{DistKind::beta, 0.3, 8}.mean()), 0.3);
  EXPECT_EQ((Distribution{DistKind::lognormal, 2, 0.5}.mean()), 2.0);
  ParamInfo spread = kUnit;
  spread.dist = DistKind::beta;
  spread.spread = 10;
  const Distribution d = Distribution::default_for(spread);
  EXPECT_EQ(d.kind, DistKind::beta);
  EXPECT_EQ(d.a, 0.5);
  EXPECT_EQ(d.b, 10);
  spread.spread = 0;  // a declared spread of 0 is simply the value
  EXPECT_EQ(Distribution::default_for(spread).kind, DistKind::fixed);
  EXPECT_EQ(dist_name(DistKind::lognormal), "lognormal");
}

}  // namespace
}  // namespace attune::sim
