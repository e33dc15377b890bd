// Laboratory protocols under the `mutual` model (MODEL2.md §7.8): the still face (present, no
// soothing, no engagement changes, no resonance) lowers positive affect, signalling and
// coordination and raises negative affect, and the reunion recovers only partly (Mesman et al.
// 2009); separations, a stranger and the observed (coder's) classification from reunions.
#include <gtest/gtest.h>

#include <vector>

#include "models/mutual/dyad.hpp"
#include "models/mutual/outcomes.hpp"
#include "support/mutual_harness.hpp"

namespace attune::mutual {
namespace {

sim::Phase phase(const char* name, double s) {
  sim::Phase p;
  p.name = name;
  p.duration_s = s;
  return p;
}

sim::Protocol still_face() {
  sim::Protocol pr;
  pr.name = "still_face";
  sim::Phase still = phase("still", 120);
  still.soothing = still.engagement_changes = still.resonance = false;
  pr.phases = {phase("play", 120), still, phase("reunion", 120)};
  return pr;
}

// Ainsworth's Strange Situation, shortened to its separations and reunions.
sim::Protocol strange_situation() {
  sim::Protocol pr;
  pr.name = "strange_situation";
  sim::Phase stranger = phase("stranger", 180);
  stranger.stranger_present = true;
  sim::Phase sep1 = phase("separation1", 180);
  sep1.caregiver_present = false;
  sep1.stranger_present = true;
  sim::Phase reunion1 = phase("reunion1", 180);
  reunion1.reunion = true;
  sim::Phase alone = phase("alone", 180);
  alone.caregiver_present = false;
  sim::Phase sep2 = phase("separation2", 180);
  sep2.caregiver_present = false;
  sep2.stranger_present = true;
  sim::Phase reunion2 = phase("reunion2", 180);
  reunion2.reunion = true;
  pr.phases = {phase("together", 180), stranger, sep1, reunion1, alone, sep2, reunion2};
  return pr;
}

struct Means {
  std::vector<PhaseMeasures> m;
};

Means still_face_means(int infants) {
  const InfantParams p;
  const auto caregivers = test::draw_mutual_caregivers(static_cast<std::size_t>(infants), 3);
  sim::Schedule schedule;
  schedule.days = 30;
  const DyadModel model(p, schedule, 9);
  const sim::Protocol pr = still_face();
  Means out;
  out.m.resize(pr.phases.size());
  for (int i = 0; i < infants; ++i) {
    const auto id = static_cast<std::uint64_t>(i);
    Infant infant = model.new_infant(id);
    Relationship rel;
    const Tie tie{&caregivers[static_cast<std::size_t>(i)], &rel};
    for (int d = 0; d < 30; ++d) model.simulate_day(id, d, infant, {&tie, 1});
    const auto m = model.run_protocol(id, pr, infant, tie);
    for (std::size_t k = 0; k < m.size(); ++k) {
      out.m[k].positive_share += m[k].positive_share / infants;
      out.m[k].negative_share += m[k].negative_share / infants;
      out.m[k].signalling_share += m[k].signalling_share / infants;
      out.m[k].coordinated_share += m[k].coordinated_share / infants;
      out.m[k].arousal_mean += m[k].arousal_mean / infants;
    }
  }
  return out;
}

TEST(MutualStillFace, LowersPositiveAffectSignallingAndCoordinationAndReunionRecoversPartly) {
  const Means r = still_face_means(80);
  const PhaseMeasures &play = r.m[0], &still = r.m[1], &reunion = r.m[2];
  EXPECT_LT(still.positive_share, play.positive_share);
  EXPECT_GT(still.negative_share, play.negative_share);
  EXPECT_LT(still.signalling_share, play.signalling_share);
  EXPECT_LT(still.coordinated_share, 0.5 * play.coordinated_share);
  EXPECT_GT(still.arousal_mean, play.arousal_mean);
  // Partial recovery: better than the still face, not back to play.
  EXPECT_GT(reunion.positive_share, still.positive_share);
  EXPECT_LT(reunion.positive_share, play.positive_share);
  EXPECT_GT(reunion.negative_share, play.negative_share);
  EXPECT_GT(reunion.coordinated_share, still.coordinated_share);
}

TEST(MutualStillFace, ThePartnerHoldsAStillFaceAndNeverMatches) {
  const InfantParams p;
  const CaregiverParams cg;
  const DyadModel model(p, sim::Schedule{}, 1);
  Infant infant = model.new_infant(0);
  Relationship rel;
  int still_steps = 0;
  const StepSink sink = [&](const StepRecord& r) {
    if (r.phase != 1) return;
    ++still_steps;
    EXPECT_EQ(r.partner, CareState::still);
    EXPECT_FALSE(r.coordinated);
  };
  model.run_protocol(0, still_face(), infant, Tie{&cg, &rel}, {}, &sink);
  EXPECT_EQ(still_steps, 120);
}

TEST(MutualStrangeSituation, SeparationsRaiseArousalAndReunionsAreCoded) {
  const InfantParams p;
  const auto caregivers = test::draw_mutual_caregivers(40, 5);
  const DyadModel model(p, sim::Schedule{}, 13);
  const sim::Protocol pr = strange_situation();
  double together = 0, alone = 0;
  int coded = 0;
  for (std::size_t i = 0; i < caregivers.size(); ++i) {
    Infant infant = model.new_infant(i);
    Relationship rel;
    const Tie tie{&caregivers[i], &rel};
    for (int d = 0; d < 20; ++d) model.simulate_day(i, d, infant, {&tie, 1});
    const auto m = model.run_protocol(i, pr, infant, tie);
    ASSERT_EQ(m.size(), pr.phases.size());
    together += m[0].arousal_mean;
    alone += m[4].arousal_mean;
    EXPECT_EQ(m[4].coordinated_share, 0.0) << "nobody to coordinate with";
    const Classification c = observed_class(pr.phases, m);
    EXPECT_NE(std::string("ABCD").find(c.primary), std::string::npos);
    EXPECT_EQ(c.primary == 'D', c.secondary != '-');
    ++coded;
  }
  EXPECT_GT(alone, together);
  EXPECT_EQ(coded, 40);
}

// The coder's rule on hand-made reunion measures.
TEST(MutualObservedClass, ReadsReunionBehaviour) {
  std::vector<sim::Phase> phases(2);
  phases[1].reunion = true;
  std::vector<PhaseMeasures> m(2);
  m[1].duration_s = 180;
  EXPECT_EQ(observed_class(phases, m).primary, 'B');
  m[1].avert_share = 0.6;
  m[1].negative_share = 0.01;
  EXPECT_EQ(observed_class(phases, m).primary, 'A');
  m[1].avert_share = 0.2;
  m[1].negative_share = 0.5;
  m[1].latency_to_calm_s = 10;
  EXPECT_EQ(observed_class(phases, m).primary, 'B') << "distress that comfort ends is not resistance";
  m[1].resist_share = 0.065;
  EXPECT_EQ(observed_class(phases, m).primary, 'C') << "protest while being soothed";
  m[1].resist_share = 0.055;
  EXPECT_EQ(observed_class(phases, m).primary, 'B');
  m[1].latency_to_calm_s = 45;  // a quarter of the reunion's 180 s
  EXPECT_EQ(observed_class(phases, m).primary, 'C') << "not calmed";
  m[1].fear_share = 0.05;
  const Classification d = observed_class(phases, m);
  EXPECT_EQ(d.primary, 'D');
  EXPECT_EQ(d.secondary, 'C');
  phases[1].reunion = false;
  EXPECT_EQ(observed_class(phases, m).primary, '?');
}

}  // namespace
}  // namespace attune::mutual
