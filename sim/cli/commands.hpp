// The attune subcommands. Each returns an exit status or throws; main() maps exceptions.
#pragma once

#include <atomic>
#include <optional>
#include <string>
#include <vector>

#include "sim/scenario.hpp"

namespace attune::app {

struct ScenarioArgs {
  std::string scenario;
  std::vector<std::string> sets;  // "a.b.c=VALUE"
  std::optional<std::uint64_t> seed;
  std::string max_memory;  // --max-memory SIZE: the memory a run may use (ATTUNE_MAX_MEMORY)
};

struct RunArgs {
  ScenarioArgs in;
  std::string output;
  int threads = 0;
  bool force = false;
  bool quiet = false;
  int checkpoint_every = 0;  // days; the checkpoint is OUTPUT.ckpt
  bool resume = false;       // continue from OUTPUT.ckpt
  std::string save_state;    // the state at the end, for a later scenario's initial_state
};

// The cores this process may run on (its CPU affinity mask; 0 if unknown), and a warning on
// stderr when --threads asks for more: a launcher that binds each rank to one core would
// otherwise turn --threads 4 into one thread without a word.
int affinity_cores();
void warn_on_affinity(int threads);
// --threads checked (0 for all cores, up to 1024; else InputError) and resolved to a count, with
// the affinity warning. Every command with --threads uses it.
int resolve_threads(int threads);

// The --set and --seed options as scenario overrides.
std::vector<sim::Override> overrides_of(const ScenarioArgs& args);

int run_command(const RunArgs& args, const std::atomic<bool>& stop);
int check_command(const ScenarioArgs& args);
int info_command(const std::string& path);
int bench_command(int threads, const std::string& model);
int params_command(const std::string& model);

}  // namespace attune::app
