// The composition root: binds the reference model to the engine (population, runner, output).
#pragma once

#include <atomic>
#include <cstdint>
#include <string>

#include "sim/hdf5_file.hpp"
#include "sim/scenario.hpp"
#include "sim/summary.hpp"
#include "sim/table.hpp"

namespace attune::app {

sim::ModelSpec model_spec();
sim::SummarySpec summary_spec();

struct RunSettings {
  int threads = 0;  // 0: all cores, N > 0, or sim::kCallerArena / sim::kSerial (see sim/runner.hpp)
  bool progress = false;
  const std::atomic<bool>* stop = nullptr;
  sim::OutputFile* output = nullptr;  // daily series are streamed here when given
};

struct RunResult {
  sim::Table infants;  // one row per relationship (= per infant with one caregiver)
  sim::Table trace;    // every recorded step (scenario `trace:`), empty when none
  double elapsed_s = 0;
  std::uint64_t dyad_steps = 0;
};

RunResult simulate(const sim::Scenario& s, const RunSettings& settings);

// The columns of RunResult::trace, with no rows.
sim::Table trace_table_layout();

// The columns of RunResult::infants, with no rows.
sim::Table infants_table_layout();

// Writes the provenance attributes and the /infants table.
void write_results(sim::OutputFile& out, const sim::Scenario& s, const RunResult& r);

}  // namespace attune::app
