// The time structure (sim/schedule.hpp) and the plain-text summary (sim/summary.hpp).
#include <gtest/gtest.h>

#include "sim/schedule.hpp"
#include "sim/summary.hpp"

namespace attune::sim {
namespace {

TEST(Schedule, DefaultsAreFourFiveMinuteSessionsADayForAYear) {
  const Schedule s;
  EXPECT_EQ(s.steps_per_session(), 300);
  EXPECT_EQ(s.steps_per_day(), 1200);
  EXPECT_EQ(s.steps_per_run(), 365 * 1200);
  EXPECT_EQ(s.gap_s(), 21600.0 - 300.0);  // MODEL.md: G = 86400/sessions_per_day − session_s
}

TEST(Schedule, StepsRoundToTheNearestWholeStep) {
  Schedule s;
  s.session_s = 0.3 * 3;  // 0.8999999999999999
  s.dt = 0.3;
  EXPECT_EQ(s.steps_per_session(), 3);
  s.session_s = 120;
  s.dt = 0.25;
  s.sessions_per_day = 80;
  EXPECT_EQ(s.steps_per_session(), 480);
  EXPECT_EQ(s.gap_s(), 1080.0 - 120.0);
}

Table classified(std::initializer_list<const char*> letters) {
  Table t;
  auto& c = t.add("classification", Column::text, 1);
  auto& g = t.add("gain", Column::float64);
  auto& n = t.add("shocks", Column::int64);
  double v = 0;
  for (const char* l : letters) {
    c.texts.emplace_back(l);
    g.reals.push_back(v += 1);
    n.ints.push_back(2);
  }
  return t;
}

const SummarySpec kSpec{
    "classification", {{'B', "secure"}, {'A', "avoidant"}, {'C', "resistant"}}, {"gain", "shocks"}};

TEST(ClassDistribution, CountsEachLetterInReportingOrder) {
  const auto d = class_distribution(classified({"A", "B", "B", "B", "D"}), kSpec);
  ASSERT_EQ(d.size(), 3u);
  EXPECT_EQ(d[0].letter, 'B');
  EXPECT_EQ(d[0].count, 3u);
  EXPECT_DOUBLE_EQ(d[0].fraction, 0.6);
  EXPECT_EQ(d[1].count, 1u);
  EXPECT_EQ(d[2].count, 0u);
  EXPECT_EQ(d[2].fraction, 0.0);
}

TEST(ClassDistribution, AnEmptyTableHasZeroFractions) {
  const auto d = class_distribution(Table{}, kSpec);
  for (const auto& c : d) EXPECT_EQ(c.fraction, 0.0);
}

TEST(Summarize, ReportsRowsClassesAndMeans) {
  const std::string s = summarize(classified({"B", "B", "A", "C"}), kSpec);
  EXPECT_NE(s.find("rows: 4\n"), std::string::npos) << s;
  EXPECT_NE(s.find("B secure"), std::string::npos) << s;
  EXPECT_NE(s.find("50.0%"), std::string::npos) << s;
  EXPECT_NE(s.find("2.5"), std::string::npos) << "mean gain of 1..4: " << s;
  EXPECT_NE(s.find("1.12"), std::string::npos) << "population sd of 1..4 = 1.118: " << s;
}

}  // namespace
}  // namespace attune::sim
