// The command line's view of the engine: the model catalog (models/catalog.hpp) joined to the
// library's simulation (sim/simulation.hpp). A scenario's `model:` key chooses the model.
#pragma once

#include <string>

#include "sim/simulation.hpp"

namespace attune::app {

using sim::Agreement;
using sim::RunResult;
using sim::RunSettings;

// The loader's view of the default model, able to switch to any model in the catalog.
sim::ModelSpec model_spec();
// The model a scenario (or a result file's `model` attribute) names.
const sim::Model& model_named(const std::string& name);
const sim::Model& model_of(const sim::Scenario& s);
sim::SummarySpec summary_spec(const std::string& model = "reference");

RunResult simulate(const sim::Scenario& s, const RunSettings& settings);
sim::Table infants_table_layout(const std::string& model = "reference");
sim::Table trace_table_layout(const std::string& model = "reference");
void write_results(sim::OutputFile& out, const sim::Scenario& s, const RunResult& r);
std::string format_agreement(const Agreement& a, const std::string& model);
Agreement read_agreement(const std::string& path, const std::string& model);

}  // namespace attune::app
