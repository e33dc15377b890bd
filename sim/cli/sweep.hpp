// `attune sweep` and `attune merge`: the command line over the library's sweeps (sim/sweep.hpp).
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include "sim/cli/commands.hpp"
#include "sim/sweep.hpp"

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

// The library's sweep (sim/sweep.hpp) under the names the command line has always used.
using sim::has_sweep;
using sim::parse_shard;
using sim::run_scenario;
using sim::RunOutput;
using sim::Shard;
using sim::SweepPlan;

// The scenario and its --set/--seed options, planned with the catalog's models.
SweepPlan plan_sweep(const ScenarioArgs& args);

int sweep_command(const SweepArgs& args, const std::atomic<bool>& stop);
// Shards of one sweep into one file (checks they are complete, distinct and of one experiment).
int merge_command(const std::vector<std::string>& parts, const std::string& output, bool force);
// Sweep-aware pieces of `attune check` and `attune info`.
void print_sweep_plan(const SweepPlan& plan);
void print_sweep_info(const std::string& path);

}  // namespace attune::app
