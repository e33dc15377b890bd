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
  const Outcome o = outcome(InfantParams{}, CaregiverParams{}, WorkingModel{0.5, 0.0, 0.0, 0.5, 0.6},
                            Interaction{}, Infant{}, 0.0);
  EXPECT_EQ(o.classification, 'D');
  EXPECT_EQ(o.secondary, 'A');
  EXPECT_EQ(o.state_of_mind, 'F');  // the default caregiver is below every threshold
}

// The AAI coder's rule (MODEL2.md §5.4): unresolved first, at its threshold and above; then
// autonomous below both organized thresholds; else the dimension with the larger ratio to its
// threshold, dismissing on a tie.
TEST(MutualOutcomes, StateOfMindFollowsTheCodersThresholds) {
  InfantParams p;  // set here, so the rule is tested whatever the population's thresholds are
  p.aai_unresolved_threshold = 0.32;
  p.aai_dismissing_threshold = 0.21;
  p.aai_preoccupied_threshold = 0.10;
  auto code = [&](double d, double pre, double u) {
    CaregiverParams c;
    c.dismissing = d, c.preoccupied = pre, c.unresolved = u;
    return state_of_mind(p, c);
  };
  EXPECT_EQ(code(0.0, 0.0, 0.0), 'F');
  EXPECT_EQ(code(0.209, 0.099, 0.319), 'F');
  EXPECT_EQ(code(0.0, 0.0, 0.32), 'U');  // at the threshold
  EXPECT_EQ(code(0.9, 0.9, 0.5), 'U');   // unresolved takes precedence
  EXPECT_EQ(code(0.21, 0.0, 0.0), 'S');  // at the threshold
  EXPECT_EQ(code(0.0, 0.10, 0.0), 'E');
  EXPECT_EQ(code(0.42, 0.20, 0.0), 'S');  // both twice their thresholds: a tie goes to Ds
  EXPECT_EQ(code(0.42, 0.21, 0.0), 'E');  // p/θ_Ep 2.1 > d/θ_Ds 2
  EXPECT_EQ(code(0.3, 0.12, 0.0), 'S');   // 1.43 against 1.2
  const auto fields = outcome_fields();
  CaregiverParams c;
  c.preoccupied = 0.5;
  const Outcome o = outcome(p, c, WorkingModel{}, Interaction{}, Infant{}, 0.0);
  int seen = 0;
  for (const auto& f : fields) {
    if (f.name == "state_of_mind") {
      EXPECT_EQ(f.get(o), static_cast<double>('E'));
      ++seen;
    } else if (f.name == "autonomous" || f.name == "unresolved_aai") {
      EXPECT_EQ(f.get(o), 0.0) << f.name;
      ++seen;
    }
  }
  EXPECT_EQ(seen, 3);
  c.unresolved = 0.9;  // unresolved takes precedence over the preoccupied class
  const Outcome u = outcome(p, c, WorkingModel{}, Interaction{}, Infant{}, 0.0);
  for (const auto& f : fields) {
    if (f.name == "unresolved_aai") {
      EXPECT_EQ(f.get(u), 1.0);
    } else if (f.name == "autonomous") {
      EXPECT_EQ(f.get(u), 0.0);
    }
  }
}

}  // namespace
}  // namespace attune::mutual
