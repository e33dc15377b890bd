// The composition root: binds the reference model to the engine (population, arms, interventions,
// protocols, runner, checkpoints, output).
#pragma once

#include <array>
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
  // Checkpoints: the run's full state is written to `checkpoint` (atomically) every
  // `checkpoint_every` days and when stopped; `resume` continues from such a file.
  int checkpoint_every = 0;
  std::string checkpoint;
  std::string resume;
  std::string save_state;  // the state at the end, for a later scenario's initial_state
};

// Agreement of the observed (reunion) and working-model classifications, over every infant that
// went through a protocol with reunion phases. counts[observed][iwm] in the order B, A, C, D.
struct Agreement {
  std::array<std::array<std::int64_t, 4>, 4> counts{};
  std::int64_t n() const;
  double kappa() const;  // Cohen's kappa (NaN when undefined)
};

struct RunResult {
  sim::Table infants;   // one row per relationship (per infant and arm, with one caregiver)
  sim::Table trace;     // every recorded step (scenario `trace:`), empty when none
  sim::Table phases;    // /protocol/phases, empty without protocols
  sim::Table samples;   // /protocol/samples
  sim::Table observed;  // /protocol/observed
  Agreement agreement;
  double elapsed_s = 0;
  std::uint64_t dyad_steps = 0;
};

RunResult simulate(const sim::Scenario& s, const RunSettings& settings);

// The columns of RunResult::trace, with no rows.
sim::Table trace_table_layout();

// The columns of RunResult::infants, with no rows.
sim::Table infants_table_layout();

// Writes the provenance attributes, the /infants table and the protocol tables.
void write_results(sim::OutputFile& out, const sim::Scenario& s, const RunResult& r);

// The agreement table as `attune info` prints it.
std::string format_agreement(const Agreement& a);
Agreement read_agreement(const std::string& path);  // zero counts when the file has none

}  // namespace attune::app
