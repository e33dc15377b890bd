// The `mutual` model behind the engine's contract (sim/model.hpp): the adapter gives the same
// results as the model's own calls, writes protocol measures and keeps checkpoints exact.
#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include "models/mutual/dyad.hpp"
#include "models/mutual/model.hpp"
#include "models/mutual/outcomes.hpp"

namespace attune::mutual {
namespace {

std::vector<double> defaults(std::span<const sim::ParamInfo> table) {
  std::vector<double> v;
  for (const auto& info : table) v.push_back(info.value);
  return v;
}

TEST(MutualModel, AdapterMatchesTheModelAndWritesProtocolMeasures) {
  const sim::Model& m = model();
  EXPECT_EQ(m.name(), "mutual");
  const auto tables = m.params();
  sim::Schedule schedule;
  schedule.days = 3;
  std::vector<double> cg = defaults(tables.caregiver);
  cg[3] = 0.6;  // unresolved
  const auto state = m.start(schedule, 9, 0, 2, 2, 2, defaults(tables.infant));
  for (std::size_t c = 0; c < 2; ++c) state->set_caregiver(c, cg);
  for (std::size_t u = 0; u < 2; ++u) state->begin_infant(u, u);

  sim::Protocol pr;
  pr.day = 2;
  pr.session = 1;
  pr.phases.resize(2);
  pr.phases[1].reunion = true;
  std::vector<double> measures(2 * m.phase_fields().size());
  std::vector<sim::ProtocolSample> samples;
  const sim::LabRequest lab{&pr, 0, 1, measures.data(), &samples};
  for (int day = 0; day < 3; ++day)
    for (std::size_t u = 0; u < 2; ++u) {
      const sim::TieRef tie{u, u};
      state->simulate_day(u, u, day, {&tie, 1}, day == 2 && u == 0 ? &lab : nullptr, nullptr);
    }
  std::vector<double> out(m.outcome_fields().size());
  state->outcomes(1, sim::TieRef{1, 1}, false, out);

  // The same infant through the model's own calls.
  const InfantParams p;
  const CaregiverParams c = caregiver_from(cg);
  const DyadModel dyad(p, schedule, 9);
  Infant infant = dyad.new_infant(1);
  Relationship rel;
  const Tie tie{&c, &rel};
  for (int day = 0; day < 3; ++day) dyad.simulate_day(1, day, infant, {&tie, 1});
  const Outcome o =
      outcome(p, c, rel.wm, rel.total, infant, infant.cortisol_sum / static_cast<double>(infant.cortisol_n));
  const auto fields = outcome_fields();
  for (std::size_t f = 0; f < fields.size(); ++f) EXPECT_EQ(out[f], fields[f].get(o)) << fields[f].name;
  EXPECT_EQ(state->classification(1, 1), o.classification);

  EXPECT_EQ(measures[0], 120.0) << "duration_s of the first phase";
  const char observed =
      state->observed_classification(0, {measures.data() + m.phase_fields().size(), m.phase_fields().size()});
  EXPECT_NE(std::string("ABCD").find(observed), std::string::npos);

  // Checkpoints through the adapter.
  std::vector<double> a(state->infant_state_size()), b(state->infant_state_size());
  state->save_infant(0, a.data());
  state->load_infant(1, a.data());
  state->save_infant(1, b.data());
  EXPECT_EQ(std::memcmp(a.data(), b.data(), a.size() * sizeof(double)), 0);
}

}  // namespace
}  // namespace attune::mutual
