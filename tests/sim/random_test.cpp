// Counter-based random streams and the conversions the project controls (sim/random.hpp).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>

#include "sim/random.hpp"
#include "support/stats.hpp"

namespace attune::sim {
namespace {

using test::Correlation;
using test::Moments;

constexpr double kSigmas = 5.0;
constexpr std::uint64_t kDraws = 1'000'000;

bool equal(const Block& a, const Block& b) {
  for (int i = 0; i < 4; ++i)
    if (a.w[i] != b.w[i]) return false;
  return true;
}

bool all_words_differ(const Block& a, const Block& b) {
  for (int i = 0; i < 4; ++i)
    if (a.w[i] == b.w[i]) return false;
  return true;
}

TEST(Stream, SameKeyAndCounterGiveTheSameBits) {
  const Stream a(42, 7, Purpose::dynamics, 3);
  const Stream b(42, 7, Purpose::dynamics, 3);
  EXPECT_TRUE(equal(a.at(1000), b.at(1000)));
  EXPECT_TRUE(equal(a.at(1000), a.at(1000))) << "reading a position does not advance anything";
  EXPECT_TRUE(equal(a.at(5), b.at(5)));
}

TEST(Stream, EveryPartOfTheKeyAndCounterMatters) {
  const Block base = Stream(42, 7, Purpose::dynamics, 3).at(1000);
  EXPECT_TRUE(all_words_differ(base, Stream(43, 7, Purpose::dynamics, 3).at(1000))) << "seed";
  EXPECT_TRUE(all_words_differ(base, Stream(42, 8, Purpose::dynamics, 3).at(1000))) << "id";
  EXPECT_TRUE(all_words_differ(base, Stream(42, 7, Purpose::caregiver_draw, 3).at(1000))) << "purpose";
  EXPECT_TRUE(all_words_differ(base, Stream(42, 7, Purpose::dynamics, 4).at(1000))) << "sub-stream";
  EXPECT_TRUE(all_words_differ(base, Stream(42, 7, Purpose::dynamics, 3).at(1001))) << "counter";
  // Fields are not interchangeable: swapping seed and id, or counter and sub, is another stream.
  EXPECT_TRUE(all_words_differ(base, Stream(7, 42, Purpose::dynamics, 3).at(1000)));
  EXPECT_TRUE(all_words_differ(base, Stream(42, 7, Purpose::dynamics, 1000).at(3)));
}

// The scheme: Philox4x64-10 with key (seed, id) and counter (position, purpose, sub, 0).
TEST(Stream, IsPhilox4x64KeyedBySeedAndIdCountedByPositionPurposeSub) {
  r123::Philox4x64 philox;
  const auto zero = philox(r123::Philox4x64::ctr_type{{0, 0, 0, 0}}, r123::Philox4x64::key_type{{0, 0}});
  // Random123's known-answer vector for philox4x64-10 at zero counter and key.
  EXPECT_EQ(zero.v[0], 0x16554d9eca36314cULL);
  EXPECT_EQ(zero.v[1], 0xdb20fe9d672d0fdcULL);
  EXPECT_EQ(zero.v[2], 0xd7e772cee186176bULL);
  EXPECT_EQ(zero.v[3], 0x7e68b68aec7ba23bULL);

  const auto direct = philox(r123::Philox4x64::ctr_type{{123, 2, 9, 0}}, r123::Philox4x64::key_type{{5, 6}});
  const Block b = Stream(5, 6, Purpose::caregiver_draw, 9).at(123);
  for (int i = 0; i < 4; ++i) EXPECT_EQ(b.w[i], direct.v[i]);
}

// Pinned once: if this changes, every stored result changes with it. Update it only on purpose,
// with a note in the changelog and a new schema or version.
TEST(Stream, PinnedValue) {
  const Block b = Stream(42, 7, Purpose::dynamics, 0).at(123);
  EXPECT_EQ(b.w[0], 0x6d46c3a347a0e955ULL);
  EXPECT_EQ(b.w[1], 0xb8c266f8934a6f99ULL);
  EXPECT_EQ(b.w[2], 0xcf82f1866764e462ULL);
  EXPECT_EQ(b.w[3], 0x5bb4ffdb67c84e7aULL);
}

TEST(Uniform, ClosedOpenCoversZeroButNotOne) {
  EXPECT_EQ(uniform_co(0), 0.0);
  EXPECT_EQ(uniform_co(0xffffffffu), 1.0 - std::ldexp(1.0, -32));
  EXPECT_LT(uniform_co(0xffffffffu), 1.0);
  EXPECT_EQ(uniform_co(0x80000000u), 0.5);
}

TEST(Uniform, OpenClosedCoversOneButNotZero) {
  EXPECT_EQ(uniform_oc(0), std::ldexp(1.0, -32));
  EXPECT_GT(uniform_oc(0), 0.0);
  EXPECT_EQ(uniform_oc(0xffffffffu), 1.0);
}

TEST(Halves, LowAndHighSplitAWord) {
  EXPECT_EQ(low32(0x0123456789abcdefULL), 0x89abcdefu);
  EXPECT_EQ(high32(0x0123456789abcdefULL), 0x01234567u);
}

TEST(Exponential, IsFiniteAtBothEnds) {
  EXPECT_EQ(exponential(0xffffffffu), 0.0);
  EXPECT_NEAR(exponential(0), 32 * std::log(2.0), 1e-12);
}

TEST(NormalPair, IsBoundedByTheLargestRadius) {
  double n1 = 0, n2 = 0;
  normal_pair(0, 0, n1, n2);  // the smallest uniform: the largest radius, angle 0
  EXPECT_NEAR(n1, std::sqrt(64 * std::log(2.0)), 1e-12);
  EXPECT_EQ(n2, 0.0);
  normal_pair(0xffffffffu, 0x40000000u, n1, n2);  // radius 0
  EXPECT_EQ(n1, 0.0);
  EXPECT_EQ(n2, 0.0);
}

TEST(Uniform, MomentsOverAMillionDraws) {
  const Stream s(1, 2, Purpose::dynamics);
  Moments co, oc;
  double lo = 1, hi = 0;
  for (std::uint64_t i = 0; i < kDraws; ++i) {
    const Block b = s.at(i);
    const double u = uniform_co(low32(b.w[0]));
    co.add(u);
    oc.add(uniform_oc(high32(b.w[0])));
    lo = std::min(lo, u);
    hi = std::max(hi, u);
  }
  for (const Moments* m : {&co, &oc}) {
    EXPECT_NEAR(m->mean(), 0.5, kSigmas * m->mean_se());
    EXPECT_NEAR(m->variance(), 1.0 / 12.0, kSigmas * m->variance_se());
  }
  EXPECT_GE(lo, 0.0);
  EXPECT_LT(lo, 1e-5);
  EXPECT_LT(hi, 1.0);
  EXPECT_GT(hi, 1 - 1e-5);
}

TEST(NormalPair, MomentsAndIndependenceOverAMillionPairs) {
  const Stream s(3, 4, Purpose::dynamics);
  Moments n1s, n2s;
  Correlation pair;
  for (std::uint64_t i = 0; i < kDraws; ++i) {
    const Block b = s.at(i);
    double n1 = 0, n2 = 0;
    normal_pair(low32(b.w[1]), high32(b.w[1]), n1, n2);
    n1s.add(n1);
    n2s.add(n2);
    pair.add(n1, n2);
  }
  const double n = static_cast<double>(kDraws);
  for (const Moments* m : {&n1s, &n2s}) {
    EXPECT_NEAR(m->mean(), 0.0, kSigmas / std::sqrt(n));
    EXPECT_NEAR(m->variance(), 1.0, kSigmas * std::sqrt(2.0 / n));
  }
  EXPECT_NEAR(pair.value(), 0.0, kSigmas / std::sqrt(n));
}

TEST(NormalPair, TailProbabilitiesMatchTheGaussian) {
  const Stream s(5, 6, Purpose::dynamics);
  std::uint64_t beyond2 = 0;
  for (std::uint64_t i = 0; i < kDraws; ++i) {
    const Block b = s.at(i);
    double n1 = 0, n2 = 0;
    normal_pair(low32(b.w[2]), high32(b.w[2]), n1, n2);
    beyond2 += (std::fabs(n1) > 2.0) + (std::fabs(n2) > 2.0);
  }
  const double n = 2.0 * static_cast<double>(kDraws), p = std::erfc(2.0 / std::sqrt(2.0));  // 0.0455
  EXPECT_NEAR(static_cast<double>(beyond2), n * p, kSigmas * std::sqrt(n * p * (1 - p)));
}

TEST(Exponential, MomentsOverAMillionDraws) {
  const Stream s(7, 8, Purpose::dynamics);
  Moments m;
  for (std::uint64_t i = 0; i < kDraws; ++i) m.add(exponential(low32(s.at(i).w[3])));
  EXPECT_NEAR(m.mean(), 1.0, kSigmas * m.mean_se());
  EXPECT_NEAR(m.variance(), 1.0, kSigmas * m.variance_se());
}

}  // namespace
}  // namespace attune::sim
