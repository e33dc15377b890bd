// The contract between the engine and a model (DESIGN.md: models behind one narrow interface).
//
// The engine owns the population's structure (units = infants in their arm copies, caregivers,
// relationships and the days they hold, protocols, outputs, threads, checkpoints) and knows no
// psychology. A model owns the state of its agents and what a day of interaction does to it,
// and knows no files, threads or YAML. The engine talks to a model through two objects:
//
// - `Model`: what the model is (its parameter tables, output fields, classes), stateless;
// - `ModelState`: one population's state under that model, indexed by the engine's ids.
//
// Calls are per infant-day, never per step: the step loop stays inside the model, free of
// virtual calls. Calls for different units may run concurrently; each touches only the state
// of its own unit (its infant and that infant's relationships) and reads caregivers.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "sim/param_info.hpp"
#include "sim/protocol.hpp"
#include "sim/schedule.hpp"

namespace attune::sim {

// One output column: outcomes (/infants, /daily), protocol phase measures, trace steps.
struct FieldInfo {
  std::string_view name;
  std::string_view meaning;
  enum Kind { real, count, letter } kind = real;
};

struct ClassInfo {
  char letter;
  std::string_view name;
};

// One of an infant's ties on a day, in engine ids.
struct TieRef {
  std::size_t caregiver;
  std::size_t relationship;
};

struct ProtocolSample {
  int phase;
  double t_s;  // since the protocol's start
  double arousal, partner_arousal, cortisol;
};

// A protocol given to a unit on a day (see sim/protocol.hpp and docs/EXPERIMENTS.md).
struct LabRequest {
  const Protocol* protocol;
  std::size_t tie;                       // index into that day's ties: the caregiver who takes part
  std::size_t stranger;                  // caregiver id of the protocol's stranger
  double* measures;                      // phases × phase_fields().size(), written by the model
  std::vector<ProtocolSample>* samples;  // appended by the model
};

// One traced step: the index of the tie in the day's ties, and one value per trace_fields().
using TraceSink = std::function<void(std::size_t tie, std::span<const double> values)>;

class ModelState {
 public:
  virtual ~ModelState() = default;

  // A newborn for a unit, before its first day; `infant_key` is the key of its random streams
  // (a model may draw the infant's own traits from it).
  virtual void begin_infant(std::size_t unit, std::uint64_t infant_key) = 0;
  // A caregiver's parameters, in the model's caregiver table order (set before the first day and
  // whenever an intervention changes them, between days).
  virtual void set_caregiver(std::size_t caregiver, std::span<const double> values) = 0;
  // A unit's infant parameters, in table order (between days).
  virtual void set_infant_params(std::size_t unit, std::span<const double> values) = 0;
  // A relationship that begins after the start: the model's rule for what the infant expects of
  // a newcomer, from the relationships it has (`known`, engine ids; empty: a newborn's prior).
  virtual void begin_relationship(std::size_t unit, std::size_t relationship,
                                  std::span<const std::size_t> known) = 0;
  // Advances a unit by one day. `infant_key` keys its random streams (units that share it share
  // their random numbers: paired arms). With `lab`, the day's protocol is given too.
  virtual void simulate_day(std::size_t unit, std::uint64_t infant_key, int day, std::span<const TieRef> ties,
                            const LabRequest* lab, const TraceSink* trace) = 0;

  // Outcomes of a tie (its relationship, and the caregiver's own make-up where an outcome
  // describes her) in outcome_fields() order (letters as their character code): over the run, or
  // (`today`) for the day just simulated, as the daily series report them.
  virtual void outcomes(std::size_t unit, TieRef tie, bool today, std::span<double> out) const = 0;
  // The class the working model of a relationship gives now.
  virtual char classification(std::size_t unit, std::size_t relationship) const = 0;
  // The class a coder would give from the measures of a protocol's reunion phases
  // (reunions × phase_fields().size()).
  virtual char observed_classification(std::size_t unit, std::span<const double> reunions) const = 0;

  // State for checkpoints and chained scenarios, as flat doubles.
  virtual std::size_t infant_state_size() const = 0;
  virtual std::size_t relationship_state_size() const = 0;
  virtual void save_infant(std::size_t unit, double* out) const = 0;
  virtual void load_infant(std::size_t unit, const double* in) = 0;
  virtual void save_relationship(std::size_t relationship, double* out) const = 0;
  virtual void load_relationship(std::size_t relationship, const double* in) = 0;
  // A chained scenario starts its run-level tallies (counts, averages) again.
  virtual void reset_tallies(std::size_t unit, std::size_t relationship) = 0;
};

class Model {
 public:
  virtual ~Model() = default;
  virtual std::string_view name() const = 0;
  virtual ParamTables params() const = 0;
  // Rules across infant parameters; nullptr when valid, else a message naming the keys.
  virtual const char* check_infant(std::span<const double> values) const = 0;
  virtual std::span<const FieldInfo> outcome_fields() const = 0;  // one letter field: the class
  virtual std::span<const ClassInfo> classes() const = 0;
  // Caregiver parameters recorded beside each relationship's outcomes in /infants.
  virtual std::span<const std::string_view> recorded_caregiver_keys() const = 0;
  virtual std::span<const FieldInfo> phase_fields() const = 0;
  virtual std::span<const FieldInfo> trace_fields() const = 0;

  // The state of a population: `units` infants, `relationships` ties, `caregivers` adults (the
  // strangers of protocols among them), every infant with the scenario's infant parameters.
  virtual std::unique_ptr<ModelState> start(const Schedule& schedule, std::uint64_t seed, std::uint64_t stage,
                                            std::size_t units, std::size_t relationships,
                                            std::size_t caregivers, std::span<const double> infant) const = 0;
};

}  // namespace attune::sim
