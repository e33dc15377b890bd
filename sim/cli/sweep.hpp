// `attune sweep`: every run of a designed experiment, streamed into one HDF5 file.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include "sim/cli/commands.hpp"
#include "sim/design.hpp"
#include "sim/scenario.hpp"
#include "sim/table.hpp"

namespace attune::app {

struct SweepArgs {
  ScenarioArgs in;
  std::string output;
  int threads = 0;
  bool resume = false;
  bool force = false;
  bool quiet = false;
  bool discard = false;  // run everything, write nothing (to measure the cost of writing)
  std::string shard;     // "I/N" or "slurm": only runs r with r mod N = I
};

// A deterministic slice of a sweep's runs: run r belongs to shard r mod count.
struct Shard {
  std::size_t index = 0;
  std::size_t count = 1;
  std::string text() const { return count > 1 ? std::to_string(index) + "/" + std::to_string(count) : ""; }
};
Shard parse_shard(const std::string& text);

// A validated sweep: the base scenario, its design and one validated scenario per point.
struct SweepPlan {
  sim::Scenario base;
  std::string sweep_yaml;  // the sweep section as given (after overrides)
  sim::Design design;
  std::vector<sim::Scenario> points;

  std::uint64_t dyad_steps() const;
};

// Loads and validates everything before any run starts; InputError on any bad point, located
// where its value was given (YAML or CSV line and column).
SweepPlan plan_sweep(const ScenarioArgs& args);
bool has_sweep(const std::string& scenario_path);

// The scenario of one run: its point's scenario with the run's derived seed.
sim::Scenario run_scenario(const SweepPlan& plan, std::size_t point, int replicate);

// What one run hands to the writer (across processes too, see mpi_farm.hpp).
struct RunOutput {
  std::size_t run = 0;  // run id
  std::size_t row = 0;  // its row in this file's /runs
  bool interrupted = false;
  std::string failure;  // empty: done
  sim::Table infants;   // with run_id first
  sim::Table summary;
  std::uint64_t dyad_steps = 0;
};

int sweep_command(const SweepArgs& args, const std::atomic<bool>& stop);
// Shards of one sweep into one file (checks they are complete, distinct and of one experiment).
int merge_command(const std::vector<std::string>& parts, const std::string& output, bool force);
// Sweep-aware pieces of `attune check` and `attune info`.
void print_sweep_plan(const SweepPlan& plan);
void print_sweep_info(const std::string& path);

}  // namespace attune::app
