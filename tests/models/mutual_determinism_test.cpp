// Determinism of the `mutual` model: the same seed gives the same bytes; tracing changes
// nothing; a run saved to flat vectors of doubles and restored continues exactly as if it had
// never stopped; protocols are reproducible too.
#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include "models/mutual/dyad.hpp"
#include "support/mutual_harness.hpp"

namespace attune::mutual {
namespace {

std::vector<double> bytes_of(const Infant& infant, const Relationship& rel) {
  std::vector<double> v(kInfantState + kRelationshipState);
  save_state(infant, v.data());
  save_state(rel, v.data() + kInfantState);
  return v;
}

bool same_bytes(const std::vector<double>& a, const std::vector<double>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0;
}

CaregiverParams busy_caregiver() {
  CaregiverParams c;
  c.unresolved = 0.5;
  c.dismissing = 0.3;
  c.preoccupied = 0.4;
  c.baseline_stress = 0.4;
  return c;
}

TEST(MutualDeterminism, SameSeedSameBytesOtherSeedOtherBytes) {
  const InfantParams p;
  const CaregiverParams c = busy_caregiver();
  const auto a = test::run_mutual_dyad(p, c, 8, 77, 3);
  const auto b = test::run_mutual_dyad(p, c, 8, 77, 3);
  const auto other = test::run_mutual_dyad(p, c, 8, 78, 3);
  const auto other_infant = test::run_mutual_dyad(p, c, 8, 77, 4);
  EXPECT_TRUE(same_bytes(bytes_of(a.infant, a.relationship), bytes_of(b.infant, b.relationship)));
  EXPECT_FALSE(same_bytes(bytes_of(a.infant, a.relationship), bytes_of(other.infant, other.relationship)));
  EXPECT_FALSE(same_bytes(bytes_of(a.infant, a.relationship),
                          bytes_of(other_infant.infant, other_infant.relationship)));
}

TEST(MutualDeterminism, TracingChangesNothing) {
  const InfantParams p;
  const CaregiverParams c = busy_caregiver();
  std::size_t steps = 0;
  const auto traced = test::run_mutual_dyad(p, c, 5, 5, 1, [&](const StepRecord&) { ++steps; });
  const auto plain = test::run_mutual_dyad(p, c, 5, 5, 1);
  EXPECT_EQ(steps, 5u * 4u * 300u);
  EXPECT_TRUE(
      same_bytes(bytes_of(traced.infant, traced.relationship), bytes_of(plain.infant, plain.relationship)));
}

TEST(MutualDeterminism, SavedAndRestoredStateContinuesExactly) {
  const InfantParams p;
  const CaregiverParams c = busy_caregiver();
  sim::Schedule schedule;
  schedule.days = 12;
  const DyadModel model(p, schedule, 21);
  Infant straight = model.new_infant(2);
  Relationship straight_rel;
  const Tie straight_tie{&c, &straight_rel};
  for (int d = 0; d < 12; ++d) model.simulate_day(2, d, straight, {&straight_tie, 1});

  Infant first = model.new_infant(2);
  Relationship first_rel;
  const Tie first_tie{&c, &first_rel};
  for (int d = 0; d < 6; ++d) model.simulate_day(2, d, first, {&first_tie, 1});
  const std::vector<double> saved = bytes_of(first, first_rel);
  Infant resumed;
  Relationship resumed_rel;
  load_state(saved.data(), resumed);
  load_state(saved.data() + kInfantState, resumed_rel);
  EXPECT_TRUE(same_bytes(bytes_of(resumed, resumed_rel), saved));
  const Tie resumed_tie{&c, &resumed_rel};
  for (int d = 6; d < 12; ++d) model.simulate_day(2, d, resumed, {&resumed_tie, 1});
  EXPECT_TRUE(same_bytes(bytes_of(resumed, resumed_rel), bytes_of(straight, straight_rel)));
}

TEST(MutualDeterminism, ProtocolsAreReproducibleAndKeyedByDay) {
  const InfantParams p;
  const CaregiverParams c = busy_caregiver();
  const DyadModel model(p, sim::Schedule{}, 4);
  sim::Protocol pr;
  pr.phases.resize(2);
  pr.phases[1].soothing = pr.phases[1].engagement_changes = pr.phases[1].resonance = false;
  auto run = [&](int day) {
    Infant infant = model.new_infant(1);
    Relationship rel;
    pr.day = day;
    const auto m = model.run_protocol(1, pr, infant, Tie{&c, &rel});
    return std::vector<double>{m[0].arousal_mean, m[1].arousal_mean, m[1].cortisol_end, infant.z};
  };
  EXPECT_EQ(run(3), run(3));
  EXPECT_NE(run(3), run(4));
}

// A protocol given in place of a session through simulate_day(): the day's other sessions run as
// usual and the phases' measures come back.
TEST(MutualDeterminism, LabVisitTakesThePlaceOfItsSession) {
  const InfantParams p;
  const CaregiverParams c;
  const DyadModel model(p, sim::Schedule{}, 4);
  sim::Protocol pr;
  pr.day = 0;
  pr.session = 2;
  pr.phases.resize(3);
  std::vector<PhaseMeasures> phases(3);
  std::vector<Sample> samples;
  pr.phases[0].sample_every_s = 10;
  const LabVisit lab{&pr, nullptr, 0, phases.data(), &samples};
  Infant infant = model.new_infant(0);
  Relationship rel;
  const Tie tie{&c, &rel};
  std::vector<int> sessions;
  model.simulate_day(
      0, 0, infant, {&tie, 1},
      [&](const StepRecord& r) {
        if (r.step == 0) sessions.push_back(r.session);
      },
      &lab);
  EXPECT_EQ(sessions, (std::vector<int>{0, 1, 3}));
  EXPECT_EQ(rel.today.sessions, 3);
  EXPECT_EQ(samples.size(), 12u);
  for (const PhaseMeasures& m : phases) EXPECT_EQ(m.duration_s, 120.0);
}

}  // namespace
}  // namespace attune::mutual
