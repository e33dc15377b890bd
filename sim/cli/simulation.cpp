#include "sim/cli/simulation.hpp"

#include <fmt/format.h>

#include <map>

#include "models/catalog.hpp"
#include "sim/cli/version.hpp"
#include "sim/errors.hpp"

namespace attune::app {
namespace {

// Every model's loader spec, made once; each can name the others.
const std::map<std::string, sim::ModelSpec>& specs() {
  static const auto all = [] {
    std::map<std::string, sim::ModelSpec> out;
    for (const auto& name : models::model_names()) out[name] = sim::model_spec(*models::find_model(name));
    for (auto& [name, spec] : out) {
      spec.known = models::model_names();
      spec.resolve = [](std::string_view other) -> const sim::ModelSpec* {
        const auto it = specs().find(std::string(other));
        return it == specs().end() ? nullptr : &it->second;
      };
    }
    return out;
  }();
  return all;
}

}  // namespace

sim::ModelSpec model_spec() { return specs().at(std::string(models::default_model().name())); }

const sim::Model& model_named(const std::string& name) {
  const sim::Model* m = models::find_model(name);
  if (!m) throw sim::InputError(fmt::format("unknown model '{}'", name));
  return *m;
}

const sim::Model& model_of(const sim::Scenario& s) { return model_named(s.model); }

sim::SummarySpec summary_spec(const std::string& model) { return sim::summary_spec(model_named(model)); }

RunResult simulate(const sim::Scenario& s, const RunSettings& settings) {
  return sim::simulate(model_of(s), s, settings);
}

sim::Table infants_table_layout(const std::string& model) {
  return sim::infants_table_layout(model_named(model));
}
sim::Table trace_table_layout(const std::string& model) {
  return sim::trace_table_layout(model_named(model));
}

void write_results(sim::OutputFile& out, const sim::Scenario& s, const RunResult& r) {
  sim::write_results(out, model_of(s), s, r, std::string(kVersion), std::string(git_commit()));
}

std::string format_agreement(const Agreement& a, const std::string& model) {
  return sim::format_agreement(a, model_named(model));
}

Agreement read_agreement(const std::string& path, const std::string& model) {
  return sim::read_agreement(path, model_named(model));
}

}  // namespace attune::app
