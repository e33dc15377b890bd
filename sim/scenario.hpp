// Scenarios: the YAML a user writes, validated into a typed Scenario (docs/SCENARIOS.md).
#pragma once

#include <cstdint>
#include <functional>

#include <yaml-cpp/yaml.h>
#include <string>
#include <string_view>
#include <vector>

#include "sim/distribution.hpp"
#include "sim/experiment.hpp"
#include "sim/param_info.hpp"
#include "sim/schedule.hpp"

namespace attune::sim {

// A caregiver risk group: its share of the population and its parameter distributions.
struct Profile {
  std::string name;
  std::string description;
  double weight = 1.0;
  std::vector<Distribution> caregiver;  // one per caregiver parameter, in table order
};

// Which steps are recorded in full (`trace:`): the given infants, on the given days, in the
// given sessions (all sessions of those days when none are listed).
struct TraceSpec {
  std::vector<std::int64_t> infants;
  std::vector<int> days;
  std::vector<int> sessions;
  bool any() const { return !infants.empty() && !days.empty(); }
};

// Two caregiver parameters whose draws are correlated (Gaussian copula, sim/population.cpp).
struct Correlation {
  std::size_t a = 0, b = 0;  // indices into the caregiver parameter table, a < b
  double rho = 0;            // correlation of the normal scores, in (-1, 1)
};

// The caregiver parameters that appear in a list of correlations, ascending, and the lower
// Cholesky factor of their correlation matrix (row-major); `lower` is empty when the correlations
// cannot hold together (the matrix is not positive definite).
struct CorrelationFactor {
  std::vector<std::size_t> params;
  std::vector<double> lower;
};
CorrelationFactor correlation_factor(const std::vector<Correlation>& list);

struct Scenario {
  std::string source;  // the file it came from
  std::string name;
  std::string description;
  std::string model = "reference";
  std::uint64_t seed = 1;
  Schedule schedule;
  std::int64_t infants = 1000;
  std::vector<Profile> profiles;
  std::vector<Correlation> correlations;  // the model's defaults with the scenario's changes; no zeros
  std::vector<double> infant;             // one per infant parameter, in table order
  std::vector<std::string> daily;         // outcome fields recorded at each day's end
  TraceSpec trace;
  Experiment experiment;  // arms, interventions, protocols, initial state

  // Infants simulated: each infant once, or once per arm when arms are paired.
  std::int64_t dyads() const {
    return infants * static_cast<std::int64_t>(experiment.paired ? experiment.arm_count() : 1);
  }
};

// What the loader needs to know about the model, and nothing more.
struct ModelSpec {
  std::string name;  // the `model:` key's value
  ParamTables params;
  std::vector<std::string_view> daily_fields;
  // Rules across infant parameters; returns nullptr or a message.
  std::function<const char*(const std::vector<double>&)> check_infant;
  // Another model's spec by name (for a scenario's `model:` key), or nullptr; and the names known.
  std::function<const ModelSpec*(std::string_view)> resolve;
  std::vector<std::string> known;
};

// A command-line "--set a.b.c=VALUE"; VALUE is YAML (a number, a string, a {map}, a [list]).
struct Override {
  std::string path;
  std::string value;
  std::string origin = {};  // where the value came from when not the command line, e.g. "design.csv:7:2"
};
Override parse_override(const std::string& text);

// The text of a scenario file (InputError naming it when it cannot be read).
std::string read_text_file(const std::string& path);
// YAML text to a tree; malformed YAML is a ScenarioError at its line and column.
YAML::Node parse_yaml(const std::string& text, const std::string& source);

// Applies overrides to a parsed scenario tree; returns them with list items named by index (as
// the validator names keys) and `value` turned into the text messages show.
std::vector<Override> apply_overrides(YAML::Node root, const std::vector<Override>& overrides);

Scenario load_scenario(const std::string& path, const std::vector<Override>& overrides,
                       const ModelSpec& spec);
// The same from text already in memory; `source` names it in messages.
Scenario parse_scenario(const std::string& text, const std::string& source,
                        const std::vector<Override>& overrides, const ModelSpec& spec);

// The fully resolved scenario (every default filled in) as YAML that loads back to the same.
std::string to_yaml(const Scenario& s, const ModelSpec& spec);

// Edit distance, for "did you mean" suggestions.
std::size_t edit_distance(std::string_view a, std::string_view b);

}  // namespace attune::sim
