// Sweep designs (sim/design.hpp): the `sweep:` section read into points, the unit-cube generators
// (Latin hypercube, Sobol, Saltelli, Morris), CSV designs and their errors, and run seeds.
#include "sim/design.hpp"

#include <Random123/philox.h>
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "sim/errors.hpp"
#include "support/paths.hpp"

namespace attune::sim {
namespace {

using Rows = std::vector<std::vector<std::string>>;

Design read(const std::string& yaml, std::uint64_t seed = 1, const std::string& base_dir = "") {
  const YAML::Node root = YAML::Load(yaml);
  const Reader rd("test.yaml", {});
  return read_design(rd, root["sweep"], base_dir, seed);
}

// The message of the ScenarioError that reading `yaml` throws ("" if none).
std::string error_of(const std::string& yaml, const std::string& base_dir = "") {
  try {
    read(yaml, 1, base_dir);
  } catch (const ScenarioError& e) {
    return e.what();
  }
  return "";
}

std::string designs_dir() { return (test::data_dir() / "designs").string(); }
std::string csv_error(const std::string& file) {
  return error_of("sweep: {design: csv, file: " + file + "}", designs_dir());
}

// ---------------------------------------------------------------------------------------------
// Factorial

TEST(DesignFactorial, FirstFactorVariesSlowestLikeNestedLoops) {
  const Design d = read(R"(
sweep:
  design: factorial
  replicates: 3
  factors:
    caregiver.attunement: [0.3, 0.5]
    caregiver.repair_rate: [1, 2, 3]
)");
  EXPECT_EQ(d.kind, DesignKind::factorial);
  EXPECT_EQ(d.factors, (std::vector<std::string>{"caregiver.attunement", "caregiver.repair_rate"}));
  EXPECT_EQ(d.values,
            (Rows{{"0.3", "1"}, {"0.3", "2"}, {"0.3", "3"}, {"0.5", "1"}, {"0.5", "2"}, {"0.5", "3"}}));
  EXPECT_EQ(d.points(), 6u);
  EXPECT_EQ(d.replicates, 3);
  EXPECT_EQ(d.runs(), 18u);
  EXPECT_EQ(d.point_ids, (std::vector<std::int64_t>{0, 1, 2, 3, 4, 5}));
  EXPECT_TRUE(d.roles.empty());
  EXPECT_TRUE(d.trajectory.empty());
}

TEST(DesignFactorial, DesignDefaultsToFactorialAndReplicatesToOne) {
  const Design d = read("sweep: {factors: {caregiver.attunement: [0.3]}}");
  EXPECT_EQ(d.kind, DesignKind::factorial);
  EXPECT_EQ(d.replicates, 1);
  EXPECT_EQ(d.values, (Rows{{"0.3"}}));
}

TEST(DesignFactorial, PointCountIsTheProductOfLevels) {
  const Design d = read(R"(
sweep:
  factors:
    a.x: [1, 2]
    b.y: {from: 0, to: 1, count: 5}
    c.z: [p, q, r]
)");
  EXPECT_EQ(d.points(), 2u * 5u * 3u);
  EXPECT_EQ(d.values.back(), (std::vector<std::string>{"2", "1", "r"}));
}

std::vector<std::string> levels(const std::string& range) {
  const Design d = read("sweep: {factors: {a.x: " + range + "}}");
  std::vector<std::string> out;
  for (const auto& row : d.values) out.push_back(row[0]);
  return out;
}

TEST(DesignFactorial, LinearStepIncludesToWhenItLandsOnAStep) {
  EXPECT_EQ(levels("{from: 0.5, to: 4.0, step: 0.5}"),
            (std::vector<std::string>{"0.5", "1", "1.5", "2", "2.5", "3", "3.5", "4"}));
  // 0.1 + 2·0.1 is 0.30000000000000004 in binary; the levels are the numbers a user typed.
  EXPECT_EQ(levels("{from: 0.1, to: 0.5, step: 0.1}"),
            (std::vector<std::string>{"0.1", "0.2", "0.3", "0.4", "0.5"}));
  EXPECT_EQ(levels("{from: 0, to: 1, step: 0.3}"), (std::vector<std::string>{"0", "0.3", "0.6", "0.9"}));
  EXPECT_EQ(levels("{from: 1, to: 0, step: -0.25}"),
            (std::vector<std::string>{"1", "0.75", "0.5", "0.25", "0"}));
  EXPECT_EQ(levels("{from: 2, to: 2, step: 1}"), (std::vector<std::string>{"2"}));
}

TEST(DesignFactorial, LinearCountIncludesBothEnds) {
  EXPECT_EQ(levels("{from: 0.1, to: 10, count: 5}"),
            (std::vector<std::string>{"0.1", "2.575", "5.05", "7.525", "10"}));
  EXPECT_EQ(levels("{from: 0.1, to: 10, count: 1}"), (std::vector<std::string>{"0.1"}));
  EXPECT_EQ(levels("{from: 0, to: 1, count: 2}"), (std::vector<std::string>{"0", "1"}));
}

TEST(DesignFactorial, LogCountIsGeometric) {
  const std::vector<std::string> v = levels("{from: 0.1, to: 10, count: 5, scale: log}");
  ASSERT_EQ(v.size(), 5u);
  EXPECT_EQ(v[0], "0.1");
  EXPECT_EQ(v[2], "1");
  EXPECT_EQ(v[4], "10");
  for (std::size_t k = 0; k < v.size(); ++k)
    EXPECT_NEAR(std::stod(v[k]), std::pow(10.0, -1.0 + 0.5 * static_cast<double>(k)), 1e-13) << k;
}

TEST(DesignFactorial, ListValuesReadBackAsWritten) {
  const Design d = read(R"(sweep: {factors: {a.x: [0.30, 1e3, secure, "0.5", true]}})");
  std::vector<std::string> v;
  for (const auto& row : d.values) v.push_back(row[0]);
  // Numbers shortest round-trip; plain words as written; a quoted scalar stays a string.
  EXPECT_EQ(v, (std::vector<std::string>{"0.3", "1000", "secure", "\"0.5\"", "true"}));
}

TEST(DesignFactorial, SourcesNameTheYamlLocationOfEachLevel) {
  const Design d = read(R"(sweep:
  factors:
    caregiver.attunement: [0.3, 0.5]
    caregiver.repair_rate: {from: 1, to: 2, step: 1}
)");
  ASSERT_EQ(d.sources.size(), 4u);
  EXPECT_EQ(d.sources[0][0].where, "test.yaml:3:28");
  EXPECT_EQ(d.sources[2][0].where, "test.yaml:3:33");
  EXPECT_EQ(d.sources[0][1].where, "test.yaml:4:28");
  EXPECT_EQ(d.sources[3][1].where, "test.yaml:4:28");
}

// ---------------------------------------------------------------------------------------------
// Explicit points

TEST(DesignPoints, FlatAndNestedKeysFlattenToTheUnionInOrderOfFirstAppearance) {
  const Design d = read(R"(sweep:
  design: points
  replicates: 2
  points:
    - {caregiver.attunement: 0.3, caregiver.repair_rate: 2}
    - caregiver: {repair_rate: 4, rupture_rate: 0.5}
    - caregiver.attunement: {dist: beta, mean: 0.5, concentration: 5}
      time.days: 30
)");
  EXPECT_EQ(d.kind, DesignKind::points);
  EXPECT_EQ(d.factors, (std::vector<std::string>{"caregiver.attunement", "caregiver.repair_rate",
                                                 "caregiver.rupture_rate", "caregiver.attunement.dist",
                                                 "caregiver.attunement.mean",
                                                 "caregiver.attunement.concentration", "time.days"}));
  EXPECT_EQ(d.values, (Rows{{"0.3", "2", "", "", "", "", ""},
                            {"", "4", "0.5", "", "", "", ""},
                            {"", "", "", "beta", "0.5", "5", "30"}}));
  EXPECT_EQ(d.runs(), 6u);
  ASSERT_EQ(d.sources.size(), 3u);
  EXPECT_EQ(d.sources[1][2].where, "test.yaml:6:49");
  EXPECT_EQ(d.sources[2][6].where, "test.yaml:8:18");
  EXPECT_EQ(d.sources[0][2].where, "");
}

TEST(DesignPoints, AKeySetTwiceInOnePointIsAnError) {
  const std::string e = error_of(R"(sweep:
  design: points
  points:
    - {caregiver.attunement: 0.3, caregiver: {attunement: 0.4}}
)");
  EXPECT_NE(e.find("test.yaml:4:59: sweep.points.0.caregiver.attunement: set twice"), std::string::npos) << e;
}

// ---------------------------------------------------------------------------------------------
// Latin hypercube

TEST(DesignLatinHypercube, EveryStratumIsHitExactlyOncePerFactor) {
  for (std::size_t n : {1u, 2u, 7u, 100u, 1000u}) {
    const auto x = latin_hypercube(n, 4, 42);
    ASSERT_EQ(x.size(), n);
    for (std::size_t j = 0; j < 4; ++j) {
      std::vector<int> hits(n, 0);
      for (const auto& row : x) {
        ASSERT_EQ(row.size(), 4u);
        ASSERT_GE(row[j], 0.0);
        ASSERT_LT(row[j], 1.0);
        ++hits[static_cast<std::size_t>(std::floor(row[j] * static_cast<double>(n)))];
      }
      for (std::size_t s = 0; s < n; ++s)
        EXPECT_EQ(hits[s], 1) << "n " << n << " factor " << j << " stratum " << s;
    }
  }
}

TEST(DesignLatinHypercube, FactorsArePermutedIndependently) {
  const auto x = latin_hypercube(50, 2, 7);
  int same = 0;
  for (const auto& row : x) same += std::floor(row[0] * 50) == std::floor(row[1] * 50);
  EXPECT_LT(same, 10) << "the two columns share their stratum order";
}

TEST(DesignLatinHypercube, SameSeedSameDesignOtherSeedOtherDesign) {
  EXPECT_EQ(latin_hypercube(20, 3, 5), latin_hypercube(20, 3, 5));
  EXPECT_NE(latin_hypercube(20, 3, 5), latin_hypercube(20, 3, 6));
  const std::string yaml = R"(sweep:
  design: latin_hypercube
  samples: 10
  factors:
    caregiver.attunement: {min: 0.2, max: 0.8}
)";
  EXPECT_EQ(read(yaml, 9).values, read(yaml, 9).values);
  EXPECT_NE(read(yaml, 9).values, read(yaml, 10).values);
}

TEST(DesignLatinHypercube, ValuesFillTheBoundsStratumByStratum) {
  const Design d = read(R"(sweep:
  design: latin_hypercube
  samples: 8
  factors:
    caregiver.attunement: {min: 0.2, max: 0.6}
    caregiver.repair_rate: {min: 0.01, max: 100, scale: log}
)");
  EXPECT_EQ(d.kind, DesignKind::latin_hypercube);
  EXPECT_EQ(d.points(), 8u);
  EXPECT_EQ(d.samples, 8);
  EXPECT_EQ(d.lower, (std::vector<double>{0.2, 0.01}));
  EXPECT_EQ(d.upper, (std::vector<double>{0.6, 100}));
  EXPECT_EQ(d.log_scale, (std::vector<bool>{false, true}));
  std::set<int> linear, log;
  for (const auto& row : d.values) {
    const double a = std::stod(row[0]);
    const double r = std::stod(row[1]);
    ASSERT_GE(a, 0.2);
    ASSERT_LT(a, 0.6);
    ASSERT_GE(r, 0.01);
    ASSERT_LT(r, 100);
    linear.insert(static_cast<int>(std::floor((a - 0.2) / 0.4 * 8)));
    log.insert(static_cast<int>(std::floor((std::log10(r) + 2) / 4 * 8)));  // strata equal in log
  }
  EXPECT_EQ(linear.size(), 8u);
  EXPECT_EQ(log.size(), 8u);
  EXPECT_EQ(d.sources[3][1].where, "test.yaml:6:28");
}

// ---------------------------------------------------------------------------------------------
// Sobol

// Boost skips the all-zeros point, so these are points 1..7 of the Joe–Kuo sequence (Bratley and
// Fox's in the first two dimensions), as scipy.stats.qmc.Sobol(scramble=False) prints them.
TEST(DesignSobol, FirstPointsArePublishedValues) {
  const std::vector<std::vector<double>> published = {
      {0.5, 0.5, 0.5},       {0.75, 0.25, 0.25},    {0.25, 0.75, 0.75},    {0.375, 0.375, 0.625},
      {0.875, 0.875, 0.125}, {0.625, 0.125, 0.875}, {0.125, 0.625, 0.375},
  };
  EXPECT_EQ(sobol_points(7, 3), published);
}

// Joe and Kuo's construction (new-joe-kuo-6.21201: d, s, a, m_1..m_s) written out independently
// of Boost, 32 bits, Gray-code order; point 0 (all zeros) is left out as in Boost.
std::vector<std::vector<double>> joe_kuo(std::size_t n, std::size_t dims) {
  struct Row {
    unsigned s, a;
    std::vector<std::uint32_t> m;
  };
  const std::vector<Row> table = {
      {1, 0, {1}},          {2, 1, {1, 3}},        {3, 1, {1, 3, 1}},        {3, 2, {1, 1, 1}},
      {4, 1, {1, 1, 3, 3}}, {4, 4, {1, 3, 5, 13}}, {5, 2, {1, 1, 5, 5, 17}}, {5, 4, {1, 1, 5, 5, 5}}};
  std::vector<std::vector<std::uint32_t>> v(dims, std::vector<std::uint32_t>(33));
  for (unsigned i = 1; i <= 32; ++i) v[0][i] = 1u << (32 - i);
  for (std::size_t d = 1; d < dims; ++d) {
    const Row& r = table.at(d - 1);
    for (unsigned i = 1; i <= r.s; ++i) v[d][i] = r.m[i - 1] << (32 - i);
    for (unsigned i = r.s + 1; i <= 32; ++i) {
      v[d][i] = v[d][i - r.s] ^ (v[d][i - r.s] >> r.s);
      for (unsigned k = 1; k < r.s; ++k) v[d][i] ^= ((r.a >> (r.s - 1 - k)) & 1u) * v[d][i - k];
    }
  }
  std::vector<std::uint32_t> x(dims, 0);
  std::vector<std::vector<double>> out;
  for (std::size_t i = 1; i <= n; ++i) {
    unsigned c = 1;  // the rightmost zero bit of i-1
    for (std::size_t value = i - 1; value & 1; value >>= 1) ++c;
    std::vector<double> row(dims);
    for (std::size_t d = 0; d < dims; ++d) {
      x[d] ^= v[d][c];
      row[d] = std::ldexp(static_cast<double>(x[d]), -32);
    }
    out.push_back(row);
  }
  return out;
}

TEST(DesignSobol, MatchesAnIndependentJoeKuoConstruction) {
  const auto boost = sobol_points(4096, 9);
  const auto reference = joe_kuo(4096, 9);
  ASSERT_EQ(boost.size(), reference.size());
  for (std::size_t i = 0; i < boost.size(); ++i) ASSERT_EQ(boost[i], reference[i]) << "point " << i + 1;
}

TEST(DesignSobol, DesignMapsThePointsOntoTheBounds) {
  const Design d = read(R"(sweep:
  design: sobol
  samples: 3
  factors:
    caregiver.attunement: {min: 0.2, max: 0.6}
    caregiver.repair_rate: {min: 0.1, max: 10, scale: log}
)");
  EXPECT_EQ(d.kind, DesignKind::sobol);
  ASSERT_EQ(d.points(), 3u);
  const auto u = sobol_points(3, 2);
  for (std::size_t i = 0; i < 3; ++i) {
    // Written shortest, so that the text reads back to exactly the computed value.
    EXPECT_EQ(std::stod(d.values[i][0]), 0.2 + u[i][0] * (0.6 - 0.2)) << d.values[i][0];
    EXPECT_EQ(std::stod(d.values[i][1]), std::exp(std::log(0.1) + u[i][1] * (std::log(10.0) - std::log(0.1))))
        << d.values[i][1];
    EXPECT_EQ(d.values[i][0], fmt::format("{}", std::stod(d.values[i][0])));
  }
  EXPECT_EQ(d.values[0][0], "0.4");  // the first point is the centre
}

// ---------------------------------------------------------------------------------------------
// Saltelli

TEST(DesignSaltelli, RowsAreAThenEachABThenB) {
  constexpr std::size_t n = 16, dims = 3;
  std::vector<std::string> roles;
  const auto x = saltelli(n, dims, &roles);
  ASSERT_EQ(x.size(), n * (dims + 2));
  ASSERT_EQ(roles.size(), x.size());
  const auto base = sobol_points(n, 2 * dims);
  std::size_t differing = 0;
  for (std::size_t j = 0; j < n; ++j) {
    const std::size_t r = j * (dims + 2);
    const std::vector<double> a(base[j].begin(), base[j].begin() + dims);
    const std::vector<double> b(base[j].begin() + dims, base[j].end());
    EXPECT_EQ(roles[r], "A");
    EXPECT_EQ(x[r], a);
    for (std::size_t i = 0; i < dims; ++i) {
      EXPECT_EQ(roles[r + 1 + i], "AB" + std::to_string(i + 1));
      for (std::size_t c = 0; c < dims; ++c)
        EXPECT_EQ(x[r + 1 + i][c], c == i ? b[c] : a[c])
            << "sample " << j << " AB" << i + 1 << " column " << c;
      differing += x[r + 1 + i] != a;
    }
    EXPECT_EQ(roles[r + dims + 1], "B");
    EXPECT_EQ(x[r + dims + 1], b);
  }
  EXPECT_GT(differing, n) << "A and B should differ in most columns";
}

TEST(DesignSaltelli, DesignHasNTimesDPlusTwoRowsAndRoles) {
  const Design d = read(R"(sweep:
  design: saltelli
  samples: 4
  factors:
    caregiver.attunement: {min: 0, max: 1}
    caregiver.repair_rate: {min: 0.5, max: 4}
)");
  EXPECT_EQ(d.points(), 4u * (2 + 2));
  EXPECT_EQ(d.samples, 4);
  EXPECT_EQ(d.roles, (std::vector<std::string>{"A", "AB1", "AB2", "B", "A", "AB1", "AB2", "B", "A", "AB1",
                                               "AB2", "B", "A", "AB1", "AB2", "B"}));
  EXPECT_EQ(d.point_ids.back(), 15);
}

// ---------------------------------------------------------------------------------------------
// Morris

void expect_trajectories(const std::vector<std::vector<double>>& x, const std::vector<std::int64_t>& traj,
                         std::size_t n, std::size_t dims, int levels) {
  ASSERT_EQ(x.size(), n * (dims + 1));
  ASSERT_EQ(traj.size(), x.size());
  const double delta = levels / (2.0 * (levels - 1));
  for (std::size_t t = 0; t < n; ++t) {
    std::vector<int> moved(dims, 0);
    for (std::size_t k = 0; k <= dims; ++k) {
      const auto& row = x[t * (dims + 1) + k];
      EXPECT_EQ(traj[t * (dims + 1) + k], static_cast<std::int64_t>(t));
      for (double u : row) {
        EXPECT_GE(u, 0.0);
        EXPECT_LE(u, 1.0);
        const double level = u * (levels - 1);
        EXPECT_NEAR(level, std::round(level), 1e-9) << u << " is off the grid";
      }
      if (k == 0) continue;
      const auto& prev = x[t * (dims + 1) + k - 1];
      int changed = 0;
      for (std::size_t j = 0; j < dims; ++j) {
        if (row[j] == prev[j]) continue;
        ++changed;
        ++moved[j];
        EXPECT_NEAR(std::abs(row[j] - prev[j]), delta, 1e-12);
      }
      EXPECT_EQ(changed, 1) << "trajectory " << t << " step " << k;
    }
    for (std::size_t j = 0; j < dims; ++j) EXPECT_EQ(moved[j], 1) << "trajectory " << t << " factor " << j;
  }
}

TEST(DesignMorris, EachStepMovesOneFactorByDeltaOnTheGrid) {
  for (int levels : {2, 4, 6, 10}) {
    SCOPED_TRACE(levels);
    std::vector<std::int64_t> traj;
    const auto x = morris(30, 5, levels, 3, &traj);
    expect_trajectories(x, traj, 30, 5, levels);
  }
}

TEST(DesignMorris, SignsOrdersAndStartsVary) {
  std::vector<std::int64_t> traj;
  const auto x = morris(40, 3, 4, 11, &traj);
  std::set<std::vector<double>> starts;
  int up = 0, down = 0;
  std::set<std::size_t> first_moved;
  for (std::size_t t = 0; t < 40; ++t) {
    starts.insert(x[t * 4]);
    for (std::size_t j = 0; j < 3; ++j) {
      if (x[t * 4 + 1][j] > x[t * 4][j]) ++up, first_moved.insert(j);
      if (x[t * 4 + 1][j] < x[t * 4][j]) ++down, first_moved.insert(j);
    }
  }
  EXPECT_GT(starts.size(), 10u);
  EXPECT_GT(up, 5);
  EXPECT_GT(down, 5);
  EXPECT_EQ(first_moved.size(), 3u);
  EXPECT_EQ(x, morris(40, 3, 4, 11, nullptr));
  EXPECT_NE(x, morris(40, 3, 4, 12, nullptr));
}

TEST(DesignMorris, DesignMapsTheGridOntoTheBounds) {
  const Design d = read(R"(sweep:
  design: morris
  samples: 6
  levels: 4
  factors:
    caregiver.attunement: {min: 0.1, max: 0.7}
    caregiver.repair_rate: {min: 0.5, max: 4}
)");
  EXPECT_EQ(d.kind, DesignKind::morris);
  EXPECT_EQ(d.points(), 6u * 3u);
  EXPECT_EQ(d.morris_levels, 4);
  EXPECT_EQ(d.samples, 6);
  EXPECT_EQ(d.trajectory, (std::vector<std::int64_t>{0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4, 5, 5, 5}));
  std::set<std::string> grid, grid2;  // the four levels of each factor, as written
  for (int k = 0; k < 4; ++k) {
    grid.insert(fmt::format("{}", k == 3 ? 0.7 : 0.1 + (k / 3.0) * (0.7 - 0.1)));
    grid2.insert(fmt::format("{}", k == 3 ? 4.0 : 0.5 + (k / 3.0) * (4.0 - 0.5)));
  }
  std::set<std::string> seen;
  for (const auto& row : d.values) {
    EXPECT_TRUE(grid.count(row[0])) << row[0];
    EXPECT_TRUE(grid2.count(row[1])) << row[1];
    seen.insert(row[0]);
  }
  EXPECT_TRUE(seen.count("0.1") || seen.count("0.7")) << "the grid's ends are min and max exactly";
  EXPECT_EQ(read("sweep: {design: morris, samples: 2, factors: {a.x: {min: 0, max: 1}}}").morris_levels, 4);
}

// ---------------------------------------------------------------------------------------------
// CSV designs

TEST(DesignCsv, ReadsFactorsPointIdsAndSources) {
  const Design d = read("sweep: {design: csv, replicates: 2, file: valid.csv}", 1, designs_dir());
  EXPECT_EQ(d.kind, DesignKind::csv);
  EXPECT_EQ(d.factors, (std::vector<std::string>{"caregiver.attunement", "caregiver.repair_rate"}));
  EXPECT_EQ(d.values, (Rows{{"0.3", "1"}, {"0.5", "2.5"}, {"0.7", "4"}}));
  EXPECT_EQ(d.point_ids, (std::vector<std::int64_t>{10, 11, 12}));
  EXPECT_EQ(d.runs(), 6u);
  EXPECT_EQ(d.sources[1][1].where, designs_dir() + "/valid.csv:3:3");
}

TEST(DesignCsv, WithoutPointIdPointsAreNumberedAndBlankLinesSkipped) {
  const Design d = read("sweep: {design: csv, file: no_point_id.csv}", 1, designs_dir());
  EXPECT_EQ(d.values, (Rows{{"0.3", "1"}, {"0.5", "2"}}));
  EXPECT_EQ(d.point_ids, (std::vector<std::int64_t>{0, 1}));
  EXPECT_EQ(d.sources[1][0].where, designs_dir() + "/no_point_id.csv:4:1");
}

TEST(DesignCsv, FileIsFoundFromTheScenarioFolderAndNamedPlainly) {
  const test::TempDir dir;
  test::write_text(dir / "design.csv", "caregiver.attunement\n0.5\n1.4\n");
  struct InFolder {  // the sweep command passes "." when the scenario is in the working folder
    std::filesystem::path old = std::filesystem::current_path();
    explicit InFolder(const std::filesystem::path& p) { std::filesystem::current_path(p); }
    ~InFolder() { std::filesystem::current_path(old); }
  } in_folder(dir.path());
  const Design d = read("sweep: {design: csv, file: design.csv}", 1, ".");
  EXPECT_EQ(d.sources[1][0].where, "design.csv:3:1");
}

TEST(DesignCsv, QuotesCrlfAndAByteOrderMarkAreAccepted) {
  const Design d = read("sweep: {design: csv, file: quoted_crlf.csv}", 1, designs_dir());
  EXPECT_EQ(d.factors, (std::vector<std::string>{"caregiver.attunement", "caregiver.repair_rate"}));
  EXPECT_EQ(d.values, (Rows{{"0.25", "1"}, {"0.5", "2"}}));
}

TEST(DesignCsv, SourcesLocateAValueTheScenarioWillReject) {
  const Design d = read("sweep: {design: csv, file: attunement_out_of_range.csv}", 1, designs_dir());
  ASSERT_EQ(d.points(), 7u);
  EXPECT_EQ(d.values[6][1], "1.4");
  EXPECT_EQ(d.sources[6][1].where, designs_dir() + "/attunement_out_of_range.csv:8:2");
}

void expect_error(const std::string& message, const std::string& expected) {
  EXPECT_NE(message.find(expected), std::string::npos)
      << "message: " << message << "\nexpected: " << expected;
}

TEST(DesignCsv, ErrorsNameTheLineAndColumn) {
  expect_error(csv_error("bad_header_empty.csv"),
               "bad_header_empty.csv:1:2: bad header: column 2 has no name");
  expect_error(csv_error("pandas_index.csv"), "pandas_index.csv:1:1: bad header: column 1 has no name");
  expect_error(
      csv_error("bad_header_name.csv"),
      "bad_header_name.csv:1:2: bad header: column 2 ('caregiver repair rate') is not a scenario key");
  expect_error(csv_error("duplicate_column.csv"),
               "duplicate_column.csv:1:4: bad header: column 4 (caregiver.attunement) repeats column 2");
  expect_error(csv_error("wrong_cell_count.csv"),
               "wrong_cell_count.csv:4:3: line 4 has 2 cells; the header (line 1) has 3 columns");
  expect_error(csv_error("bad_point_id.csv"),
               "bad_point_id.csv:4:1: point_id: 'first' in column 1 is not a whole number");
  expect_error(csv_error("duplicate_point_id.csv"),
               "duplicate_point_id.csv:5:1: point_id: 1 in column 1 repeats line 3");
  expect_error(csv_error("empty_cell.csv"),
               "empty_cell.csv:3:2: caregiver.repair_rate: empty cell in column 2 (caregiver.repair_rate)");
  expect_error(csv_error("empty.csv"), "empty.csv:1:1: empty file");
  expect_error(csv_error("header_only.csv"), "header_only.csv:1:1: no design points");
  expect_error(csv_error("no_such_file.csv"), "test.yaml:1:28: sweep.file: cannot read '");
}

// ---------------------------------------------------------------------------------------------
// Errors in the sweep section

TEST(DesignErrors, NameFileLineColumnAndKeyPath) {
  struct Case {
    const char* yaml;
    const char* expected;
  };
  const Case cases[] = {
      {"sweep: {replicate: 2, factors: {a.x: [1]}}",
       "test.yaml:1:9: sweep.replicate: unknown key; did you mean 'replicates'?"},
      {"sweep: {samples: 2, factors: {a.x: [1]}}",
       "sweep.samples: unknown key; 'samples' is for design: latin_hypercube, sobol, saltelli, morris (this "
       "design is factorial)"},
      {"sweep: {design: random, factors: {a.x: [1]}}",
       "test.yaml:1:17: sweep.design: unknown design 'random'"},
      {"sweep: {design: factorial}", "test.yaml:1:8: sweep.factors: missing"},
      {"sweep: {factors: {}}", "test.yaml:1:18: sweep.factors: expected a non-empty mapping"},
      {"sweep: {factors: {a.x: []}}", "test.yaml:1:24: sweep.factors.a.x: empty list"},
      {"sweep: {factors: {a x: [1]}}", "test.yaml:1:19: sweep.factors.a x: not a scenario key"},
      {"sweep: {factors: {a.x: {from: 0, to: 1, step: 0}}}",
       "test.yaml:1:47: sweep.factors.a.x.step: 0 does not lead"},
      {"sweep: {factors: {a.x: {from: 0, to: 1, step: -0.5}}}",
       "sweep.factors.a.x.step: -0.5 does not lead from 0 to 1"},
      {"sweep: {factors: {a.x: {from: 1, to: 0, step: 0.5}}}",
       "sweep.factors.a.x.step: 0.5 does not lead from 1 to 0"},
      {"sweep: {factors: {a.x: {from: 0, to: 1, count: 0}}}",
       "test.yaml:1:48: sweep.factors.a.x.count: 0 is out of range"},
      {"sweep: {factors: {a.x: {from: 0, to: 1}}}", "sweep.factors.a.x: missing step or count"},
      {"sweep: {factors: {a.x: {from: 0, to: 1, step: 1, count: 2}}}",
       "sweep.factors.a.x.count: give step or count"},
      {"sweep: {factors: {a.x: {from: 0, to: 1, count: 3, scale: log}}}",
       "sweep.factors.a.x.from: 0 must be > 0 on a log"},
      {"sweep: {factors: {a.x: {from: 1, to: 2, step: 1, scale: log}}}",
       "sweep.factors.a.x.step: a log-scale range needs count"},
      {"sweep: {factors: {a.x: {from: 0, to: 1, cout: 3}}}",
       "sweep.factors.a.x.cout: unknown key; did you mean 'count'?"},
      {"sweep: {factors: {a.x: {to: 1, count: 3}}}", "sweep.factors.a.x.from: missing 'from'"},
      {"sweep: {factors: {a.x: 0.5}}", "test.yaml:1:24: sweep.factors.a.x: expected a list of values"},
      {"sweep: {replicates: 0, factors: {a.x: [1]}}", "test.yaml:1:21: sweep.replicates: 0 is out of range"},
      {"sweep: {design: sobol, samples: 4, factors: {a.x: {min: 1, max: 1}}}",
       "test.yaml:1:65: sweep.factors.a.x.max: max 1 must be greater than min 1"},
      {"sweep: {design: sobol, samples: 4, factors: {a.x: {min: 0, max: 1, scale: log}}}",
       "sweep.factors.a.x.min: 0 must be > 0 on a log scale"},
      {"sweep: {design: latin_hypercube, samples: 0, factors: {a.x: {min: 0, max: 1}}}",
       "test.yaml:1:43: sweep.samples: 0 is out of range"},
      {"sweep: {design: saltelli, factors: {a.x: {min: 0, max: 1}}}", "sweep.samples: missing"},
      {"sweep: {design: morris, samples: 4, levels: 1, factors: {a.x: {min: 0, max: 1}}}",
       "test.yaml:1:45: sweep.levels: 1 is out of range"},
      {"sweep: {design: morris, samples: 4, levels: 5, factors: {a.x: {min: 0, max: 1}}}",
       "sweep.levels: 5 levels: Morris needs an even number"},
      {"sweep: {design: sobol, samples: 4, factors: {a.x: [0, 1]}}",
       "sweep.factors.a.x: expected bounds {min: a, max: b}"},
      {"sweep: {design: sobol, samples: 4, factors: {a.x: {min: 0, max: 1, scale: ln}}}",
       "sweep.factors.a.x.scale: unknown scale 'ln'"},
      {"sweep: {design: points}", "sweep.points: missing"},
      {"sweep: {design: points, points: []}", "sweep.points: expected a non-empty list"},
      {"sweep: {design: points, points: [{a.x: 1}], factors: {a.x: [1]}}",
       "sweep.factors: unknown key; 'factors' is for design: factorial"},
      {"sweep: {design: points, points: [{a: {x: }}]}", "sweep.points.0.a.x: expected a value"},
      {"sweep: {design: csv}", "sweep.file: missing"},
      {"sweep: [1, 2]", "test.yaml:1:8: sweep: expected a mapping"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.yaml);
    expect_error(error_of(c.yaml), c.expected);
  }
}

// ---------------------------------------------------------------------------------------------
// Run seeds

TEST(DesignRunSeed, IsTheFirstWordOfOnePhiloxBlock) {
  r123::Philox4x64 philox;
  const auto r = philox(r123::Philox4x64::ctr_type{{7, 3, static_cast<std::uint64_t>(Purpose::run_seed), 0}},
                        r123::Philox4x64::key_type{{99, 0}});
  EXPECT_EQ(run_seed(99, 7, 3), r.v[0]);
  EXPECT_EQ(run_seed(99, 7, 3), run_seed(99, 7, 3));
  EXPECT_NE(run_seed(99, 7, 3), run_seed(100, 7, 3));
  EXPECT_NE(run_seed(99, 7, 3), run_seed(99, 3, 7));
}

TEST(DesignRunSeed, DistinctOverManyPointsAndReplicates) {
  std::set<std::uint64_t> seen;
  for (std::uint64_t p = 0; p < 2000; ++p)
    for (std::uint64_t r = 0; r < 50; ++r) seen.insert(run_seed(1, p, r));
  EXPECT_EQ(seen.size(), 2000u * 50u);
}

TEST(DesignName, NamesEveryKind) {
  EXPECT_EQ(design_name(DesignKind::latin_hypercube), "latin_hypercube");
  EXPECT_EQ(design_name(DesignKind::saltelli), "saltelli");
  EXPECT_EQ(design_name(DesignKind::csv), "csv");
}

}  // namespace
}  // namespace attune::sim
