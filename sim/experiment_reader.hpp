// Reading the experimental sections of a scenario (arms, interventions, protocols, initial_state);
// used by the scenario loader only.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "sim/scenario.hpp"
#include "sim/yaml_reader.hpp"

namespace attune::sim {

// Parses a copy of the scenario with extra overrides (a `set:` block) and returns it.
using VariantParser = std::function<Scenario(const std::vector<Override>&)>;

void read_experiment(const Reader& rd, const YAML::Node& root, Scenario& s, const ModelSpec& spec,
                     const VariantParser& variant);

// A caregiver map (`caregiver:`, a profile's, a newcomer's, a stranger's) into distributions.
void read_caregiver(const Reader& rd, const YAML::Node& node, const std::string& path, const ModelSpec& spec,
                    std::vector<Distribution>& out);

}  // namespace attune::sim
