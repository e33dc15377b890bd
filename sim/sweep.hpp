// Sweeps as a library: every run of a designed experiment (sim/design.hpp), simulated in parallel
// and streamed into one HDF5 file (sim/sweep_file.hpp, docs/SWEEPS.md) that survives kill -9 and
// resumes. `attune sweep` is a thin layer over this (sim/cli/sweep.cpp): it parses options, prints,
// and plugs in the MPI farm; a Python binding or another driver can do the same.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "sim/design.hpp"
#include "sim/model.hpp"
#include "sim/scenario.hpp"
#include "sim/table.hpp"

namespace attune::sim {

// A deterministic slice of a sweep's runs: run r belongs to shard r mod count.
struct Shard {
  std::size_t index = 0;
  std::size_t count = 1;
  std::string text() const { return count > 1 ? std::to_string(index) + "/" + std::to_string(count) : ""; }
};
// "I/N", or "slurm" (the job array's task id and count from the environment); "" is the whole.
Shard parse_shard(const std::string& text);

// A validated sweep: the base scenario, its design and one validated scenario per point.
struct SweepPlan {
  Scenario base;
  std::string sweep_yaml;  // the sweep section as given (after overrides)
  Design design;
  std::vector<Scenario> points;

  std::uint64_t dyad_steps() const;
};

// Loads and validates everything before any run starts; InputError on any bad point, located
// where its value was given (YAML or CSV line and column).
SweepPlan plan_sweep(const std::string& path, const std::vector<Override>& overrides, const ModelSpec& spec);
bool has_sweep(const std::string& scenario_path);

// The runs of `shard` (all runs when it is the whole), in run order.
std::vector<std::size_t> shard_runs(const SweepPlan& plan, const Shard& shard);

// The scenario of one run: its point's scenario with the run's derived seed.
Scenario run_scenario(const SweepPlan& plan, std::size_t point, int replicate);

// What one run hands to the writer (across processes too: sim/cli/mpi_farm.hpp serializes it).
struct RunOutput {
  std::size_t run = 0;  // run id
  std::size_t row = 0;  // its row in this file's /runs
  bool interrupted = false;
  std::string failure;  // empty: done
  Table infants;        // with run_id first
  Table summary;
  std::uint64_t dyad_steps = 0;
};

// Simulates run `run` of the plan: `inner` is the thread setting of the run itself (kSerial when
// runs are the unit of parallelism, kCallerArena when one run's infants are). A failure (an
// exception, a non-finite outcome) is recorded in the result, not thrown.
std::shared_ptr<RunOutput> execute_run(const Model& model, const SweepPlan& plan, std::size_t run, int inner,
                                       const std::atomic<bool>& stop);

// Hands the positions in `todo` (rows of this process's /runs) to other processes and delivers
// each result as it arrives, in any order (the MPI farm), calling `idle` whenever it has nothing
// to deliver (the writer flushes then, if it is time); unset: the runs are simulated here, on
// TBB threads.
using Deliver = std::function<void(const std::shared_ptr<RunOutput>&)>;
using Farm = std::function<void(const std::vector<std::size_t>& todo, const std::atomic<bool>& stop,
                                const Deliver& deliver, const std::function<void()>& idle)>;

struct SweepSettings {
  std::string output;    // the sweep file
  bool resume = false;   // continue `output` if it exists (else start it)
  bool force = false;    // replace a file attune wrote before
  bool discard = false;  // run everything, write nothing (to measure the cost of writing)
  Shard shard;           // only the runs r with r mod count = index
  int threads = 0;       // 0: all cores
  bool progress = false;
  const std::atomic<bool>* stop = nullptr;  // set: no new run starts; finished runs stay on disk
  std::string version, commit;              // the program, for the file's provenance
  Farm farm;
  // Called once the file is ready and before the first run (the CLI prints its header here).
  std::function<void(int threads, std::size_t first, std::size_t total)> on_start;
  // Called when --resume finds no file and the sweep starts from the beginning.
  std::function<void()> on_missing;
};

struct SweepOutcome {
  std::size_t total = 0;    // this process's runs (all, or one shard's)
  std::size_t first = 0;    // finished runs already on disk when this process started (resume)
  std::size_t written = 0;  // finished by this process
  std::size_t failed = 0;   // failed runs on disk, from before and now
  std::uint64_t dyad_steps = 0;
  double seconds = 0;
  bool complete() const { return first + written == total; }
};

// Runs the plan's runs of `settings.shard` into `settings.output`, resuming a file this plan
// wrote before (its finished runs, any subset, are kept); stops cleanly when `stop` is set. Runs
// are written as they finish; a complete file is put into run order at the end (docs/SWEEPS.md).
SweepOutcome run_sweep(const Model& model, const SweepPlan& plan, const SweepSettings& settings);

}  // namespace attune::sim
