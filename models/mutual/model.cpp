#include "models/mutual/model.hpp"

#include <array>
#include <vector>

#include "models/dyad_adapter.hpp"
#include "models/mutual/dyad.hpp"
#include "models/mutual/outcomes.hpp"

namespace attune::mutual {
namespace {

using K = sim::FieldInfo;

// clang-format off
const std::array<sim::FieldInfo, 22> kTrace{{
  {"day", "simulated day (0-based)", K::count},
  {"session", "session within the day (a protocol: the session it replaces)", K::count},
  {"phase", "protocol phase (−1 in ordinary sessions)", K::count},
  {"step", "step within the session or protocol", K::count},
  {"t", "seconds since the session's start", K::real},
  {"x", "infant arousal, [0,1]", K::real},
  {"y", "partner arousal (dysregulation), [0,1]", K::real},
  {"z1", "HPA release stage", K::real},
  {"z", "cortisol", K::real},
  {"infant_state", "0 avert, 1 attend, 2 positive, 3 protest", K::count},
  {"partner_state", "0 away, 1 attend, 2 play, 3 soothe, 4 still face", K::count},
  {"stressor", "an everyday stressor hit", K::count},
  {"frightening", "frightened/frightening behaviour this second", K::count},
  {"fear_display", "the infant showed fear of the caregiver", K::count},
  {"dissociated", "dissociated this step", K::count},
  {"coordinated", "matched this step", K::count},
  {"repair", "mismatch → match", K::count},
  {"rupture", "match → mismatch", K::count},
  {"episode_start", "a distress episode started", K::count},
  {"episode_end", "a distress episode ended", K::count},
  {"shock", "the episode ended in dissociation", K::count},
  {"responded", "the episode that ended was soothed within W", K::count},
}};
// clang-format on

// Every caregiver parameter drawn per caregiver in the default population, so that an analysis
// (or the docking, analysis/docking/compare_mutual.py) can pair infants with what their caregiver
// was drawn to be.
constexpr std::string_view kRecorded[] = {"sensitivity",     "dismissing", "preoccupied",     "unresolved",
                                          "baseline_stress", "anomalous",  "own_agenda_rate", "return_rate"};

// What models::DyadState needs to know of the mutual model.
struct Traits {
  static constexpr std::string_view kName = "mutual";
  using Dyad = DyadModel;
  using Infant = mutual::Infant;
  using Relationship = mutual::Relationship;
  using Interaction = mutual::Interaction;
  using Caregiver = CaregiverParams;
  using Tie = mutual::Tie;
  using Phase = PhaseMeasures;
  using StepRecord = mutual::StepRecord;
  using LabVisit = mutual::LabVisit;
  using Sample = mutual::Sample;
  using Outcome = mutual::Outcome;
  static constexpr std::size_t kTraceWidth = kTrace.size();
  static constexpr std::size_t kInfantState = mutual::kInfantState;
  static constexpr std::size_t kRelationshipState = mutual::kRelationshipState;

  static sim::ParamTables params() { return param_tables(); }
  static InfantParams infant_from(std::span<const double> v) { return mutual::infant_from(v); }
  static CaregiverParams caregiver_from(std::span<const double> v) { return mutual::caregiver_from(v); }
  static const char* infant_error(const InfantParams& p) { return infant_consistency_error(p); }
  static auto outcome_fields() { return mutual::outcome_fields(); }
  static auto classes() { return mutual::classes(); }
  static auto phase_fields() { return mutual::phase_fields(); }
  static std::span<const sim::FieldInfo> trace_fields() { return kTrace; }
  static std::span<const std::string_view> recorded() { return kRecorded; }

  // A newborn's own regulatory capacity comes from its stream (temperament).
  static Infant newborn(const Dyad& d, std::uint64_t key) { return d.new_infant(key); }
  static Outcome outcome(const InfantParams& p, const Caregiver& cg, const Relationship& rel,
                         const Interaction& period, const Infant& inf, double cortisol) {
    return mutual::outcome(p, cg, rel.wm, period, inf, cortisol);
  }
  static char classification(const InfantParams& p, const Infant&, const Relationship& rel) {
    return classify(p, scales(p, rel.wm)).primary;
  }
  static char observed(const InfantParams&, std::span<const Phase> reunions) {
    return observed_class(reunions).primary;
  }
  static void trace_row(const StepRecord& r, double dt, std::array<double, kTraceWidth>& row) {
    row = {static_cast<double>(r.day),
           static_cast<double>(r.session),
           static_cast<double>(r.phase),
           static_cast<double>(r.step),
           static_cast<double>(r.step) * dt,
           r.x,
           r.y,
           r.z1,
           r.z,
           static_cast<double>(r.infant),
           static_cast<double>(r.partner),
           static_cast<double>(r.stressor),
           static_cast<double>(r.fr),
           static_cast<double>(r.fear_display),
           static_cast<double>(r.dissociated),
           static_cast<double>(r.coordinated),
           static_cast<double>(r.repair),
           static_cast<double>(r.rupture),
           static_cast<double>(r.episode_started),
           static_cast<double>(r.episode_ended),
           static_cast<double>(r.shock),
           static_cast<double>(r.responded)};
  }
  static LabVisit visit(const sim::LabRequest& lab, const Caregiver& stranger, Phase* phases,
                        std::vector<Sample>* samples) {
    return {lab.protocol, &stranger, lab.tie, phases, samples};
  }
  static sim::ProtocolSample sample(const Sample& s) { return {s.phase, s.t, s.x, s.y, s.z}; }
  static void save(const Infant& in, double* out) { save_state(in, out); }
  static void load(const double* in, Infant& out) { load_state(in, out); }
  static void save(const Relationship& in, double* out) { save_state(in, out); }
  static void load(const double* in, Relationship& out) { load_state(in, out); }
};

}  // namespace

const sim::Model& model() {
  static const models::DyadModelInfo<Traits> instance;
  return instance;
}

}  // namespace attune::mutual
