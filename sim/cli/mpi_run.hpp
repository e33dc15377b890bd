// `mpirun -n R attune run`: one population divided among the ranks (docs/HPC.md, "One population
// across ranks"). Each rank draws and simulates a contiguous slice of the units; rank 0 writes the
// one result file, receiving the other ranks' daily series between days and their tables at the
// end, a bounded piece at a time. Without MPI (or with one process) `attune run` never comes here.
#pragma once

#include <atomic>

#include "sim/cli/commands.hpp"
#include "sim/scenario.hpp"

namespace attune::app {

// The whole `attune run` on R > 1 ranks (called by run_command under mpirun).
int run_on_ranks(const RunArgs& args, const std::atomic<bool>& stop, const sim::Scenario& s, int threads);

// The checkpoint file of one rank: OUTPUT.ckpt for rank 0 (as a one-process run's), OUTPUT.ckpt.rankQ
// for the others.
std::string rank_checkpoint(const std::string& output, int rank);

}  // namespace attune::app
