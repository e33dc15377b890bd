// The `mutual` model's outcomes (MODEL2.md §7.9): continuous scales over their whole range, the
// classification with the forced secondary of D, and the output dictionary.
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "models/mutual/outcomes.hpp"

namespace attune::mutual {
namespace {

TEST(MutualOutcomes, ScalesSpanTheirRange) {
  const InfantParams p;
  Scales s = scales(p, WorkingModel{1.0, 0.0, 0.0, 1.0, 0.0});
  EXPECT_EQ(s.security, 1.0);
  EXPECT_EQ(s.avoidance, 0.0);
  EXPECT_EQ(s.resistance, 0.0);
  s = scales(p, WorkingModel{0.5, 0.0, 0.0, p.gain_min, 0.0});
  EXPECT_EQ(s.avoidance, 1.0);
  EXPECT_EQ(s.security, 0.0);
  s = scales(p, WorkingModel{0.5, 0.0, 0.0, p.gain_max, 1.0});
  EXPECT_EQ(s.resistance, 1.0);
  EXPECT_EQ(s.disorganization, 1.0);
  // g = 2: halfway to g_max; E = 0.8: security 0.8·0.5.
  s = scales(p, WorkingModel{0.8, 0.0, 0.0, 2.0, 0.0});
  EXPECT_DOUBLE_EQ(s.resistance, 0.5);
  EXPECT_DOUBLE_EQ(s.security, 0.4);
}

TEST(MutualOutcomes, ClassificationWithForcedSecondary) {
  const InfantParams p;
  EXPECT_EQ(classify(p, scales(p, WorkingModel{0.9, 0, 0, 1.0, 0.1})).primary, 'B');
  EXPECT_EQ(classify(p, scales(p, WorkingModel{0.9, 0, 0, 0.5, 0.1})).primary, 'A');
  EXPECT_EQ(classify(p, scales(p, WorkingModel{0.9, 0, 0, 2.5, 0.1})).primary, 'C');
  for (const auto& [gain, secondary] : {std::pair{0.5, 'A'}, std::pair{1.0, 'B'}, std::pair{2.5, 'C'}}) {
    const Classification c = classify(p, scales(p, WorkingModel{0.5, 0, 0, gain, 0.6}));
    EXPECT_EQ(c.primary, 'D');
    EXPECT_EQ(c.secondary, secondary);
  }
  EXPECT_EQ(classify(p, scales(p, WorkingModel{0.9, 0, 0, 1.0, 0.1})).secondary, '-');
}

// A gain near 1 is security only when the infant expects comfort (E ≥ θ_E = 0.5); otherwise the
// infant leans to the side its gain is on, and a gain of exactly 1 counts as A (the tie rule).
TEST(MutualOutcomes, SecurityNeedsExpectedComfort) {
  const InfantParams p;
  EXPECT_EQ(classify(p, scales(p, WorkingModel{0.5, 0, 0, 1.0, 0})).primary, 'B') << "θ_E itself is B";
  EXPECT_EQ(classify(p, scales(p, WorkingModel{0.4999, 0, 0, 1.0, 0})).primary, 'A');
  EXPECT_EQ(classify(p, scales(p, WorkingModel{0.3, 0, 0, 0.9, 0})).primary, 'A');
  EXPECT_EQ(classify(p, scales(p, WorkingModel{0.3, 0, 0, 1.1, 0})).primary, 'C');
  // The forced secondary of a D relationship follows the same rule.
  EXPECT_EQ(classify(p, scales(p, WorkingModel{0.3, 0, 0, 1.1, 0.6})).secondary, 'C');
  InfantParams lenient;
  lenient.secure_expectation = 0.0;
  EXPECT_EQ(classify(lenient, scales(lenient, WorkingModel{0.3, 0, 0, 1.1, 0})).primary, 'B');
}

TEST(MutualOutcomes, FieldsAreNamedOnceAndDocumented) {
  std::set<std::string> names;
  for (const auto& f : outcome_fields()) {
    EXPECT_TRUE(names.insert(std::string(f.name)).second) << f.name;
    EXPECT_FALSE(f.meaning.empty()) << f.name;
  }
  names.clear();
  for (const auto& f : phase_fields()) {
    EXPECT_TRUE(names.insert(std::string(f.name)).second) << f.name;
    EXPECT_FALSE(f.meaning.empty()) << f.name;
  }
  const Outcome o =
      outcome(InfantParams{}, WorkingModel{0.5, 0.0, 0.0, 0.5, 0.6}, Interaction{}, Infant{}, 0.0);
  EXPECT_EQ(o.classification, 'D');
  EXPECT_EQ(o.secondary, 'A');
}

}  // namespace
}  // namespace attune::mutual
