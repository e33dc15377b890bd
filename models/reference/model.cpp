#include "models/reference/model.hpp"

#include <array>
#include <limits>

#include "models/dyad_adapter.hpp"
#include "models/reference/dyad.hpp"
#include "models/reference/outcomes.hpp"

namespace attune::reference {
namespace {

// The trace columns after infant_id and caregiver_id, as written since schema version 1.
using K = sim::FieldInfo;
const std::array<sim::FieldInfo, 22> kTrace{{
    {"day", "simulated day (0-based)", K::count},
    {"session", "session within the day", K::count},
    {"step", "step within the session", K::count},
    {"t", "seconds since the session's start", K::real},
    {"x", "infant arousal", K::real},
    {"xc", "caregiver arousal", K::real},
    {"signal", "distress signal sent", K::real},
    {"u", "soothing received", K::real},
    {"v", "intrusion received", K::real},
    {"z1", "first cortisol stage", K::real},
    {"z", "cortisol", K::real},
    {"engaged", "E after the step", K::count},
    {"coordinated", "coordinated this step", K::count},
    {"frightening", "frightening caregiver behaviour", K::count},
    {"dissociated", "dissociated this step", K::count},
    {"stressor", "a stressor hit", K::count},
    {"rupture", "engaged → disengaged", K::count},
    {"repair", "disengaged → engaged", K::count},
    {"episode_start", "a distress episode started", K::count},
    {"episode_end", "a distress episode ended", K::count},
    {"shock", "a developmental shock", K::count},
    {"latency", "response latency of the episode that ended (NaN otherwise)", K::real},
}};

constexpr std::string_view kRecorded[] = {"attunement", "rupture_rate", "repair_rate", "rejection",
                                          "baseline_stress"};

// What models::DyadState needs to know of the reference model.
struct Traits {
  static constexpr std::string_view kName = "reference";
  using Dyad = DyadModel;
  using Infant = reference::Infant;
  using Relationship = reference::Relationship;
  using Interaction = reference::Interaction;
  using Caregiver = CaregiverParams;
  using Tie = reference::Tie;
  using Phase = PhaseMeasures;
  using StepRecord = reference::StepRecord;
  using LabVisit = reference::LabVisit;
  using Sample = sim::ProtocolSample;
  using Outcome = reference::Outcome;
  static constexpr std::size_t kTraceWidth = kTrace.size();
  static constexpr std::size_t kInfantState = reference::kInfantState;
  static constexpr std::size_t kRelationshipState = reference::kRelationshipState;

  static sim::ParamTables params() { return param_tables(); }
  static InfantParams infant_from(std::span<const double> v) { return reference::infant_from(v); }
  static CaregiverParams caregiver_from(std::span<const double> v) { return reference::caregiver_from(v); }
  static const char* infant_error(const InfantParams& p) { return infant_consistency_error(p); }
  static auto outcome_fields() { return reference::outcome_fields(); }
  static auto classes() { return reference::classes(); }
  static auto phase_fields() { return reference::phase_fields(); }
  static std::span<const sim::FieldInfo> trace_fields() { return kTrace; }
  static std::span<const std::string_view> recorded() { return kRecorded; }

  static Infant newborn(const Dyad& d, std::uint64_t) { return d.new_infant(); }  // every newborn alike
  static Outcome outcome(const InfantParams& p, const Caregiver&, const Relationship& rel,
                         const Interaction& period, const Infant& inf, double cortisol) {
    return reference::outcome(p, rel.iwm, period, inf.regulation, cortisol);
  }
  static char classification(const InfantParams& p, const Infant& inf, const Relationship& rel) {
    return reference::outcome(p, rel.iwm, {}, inf.regulation, 0).classification;
  }
  static char observed(const InfantParams& p, std::span<const Phase> reunions) {
    return observed_classification(p, reunions);
  }
  static void trace_row(const StepRecord& r, double dt, std::array<double, kTraceWidth>& row) {
    row = {static_cast<double>(r.day),
           static_cast<double>(r.session),
           static_cast<double>(r.step),
           static_cast<double>(r.step) * dt,
           r.x,
           r.xc,
           r.signal,
           r.u,
           r.v,
           r.z1,
           r.z,
           static_cast<double>(r.engaged),
           static_cast<double>(r.coordinated),
           static_cast<double>(r.fear),
           static_cast<double>(r.dissociated),
           static_cast<double>(r.stressor),
           static_cast<double>(r.rupture),
           static_cast<double>(r.repair),
           static_cast<double>(r.episode_started),
           static_cast<double>(r.episode_ended),
           static_cast<double>(r.shock),
           r.episode_ended ? r.latency : std::numeric_limits<double>::quiet_NaN()};
  }
  static LabVisit visit(const sim::LabRequest& lab, const Caregiver& stranger, Phase* phases,
                        std::vector<Sample>* samples) {
    return {lab.protocol, &stranger, lab.tie, phases, samples};
  }
  static sim::ProtocolSample sample(const Sample& s) { return s; }
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

}  // namespace attune::reference
