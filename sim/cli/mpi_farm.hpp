// Sweeps over MPI: rank 0 hands out runs one at a time and writes results in run order; every
// other rank simulates the runs it is given (with TBB threads inside). Without ATTUNE_MPI these
// are stubs and every process is a world of one.
#pragma once

#include <atomic>
#include <cstddef>
#include <functional>
#include <memory>

#include "sim/cli/sweep.hpp"

namespace attune::app {

struct World {
  int rank = 0;
  int size = 1;
};

void mpi_start(int* argc, char*** argv);  // MPI_Init where built with MPI and started by mpirun
void mpi_stop();
void mpi_abort(int code);  // ends every rank (an error on one would leave the others waiting)
World mpi_world();

using RunResultPtr = std::shared_ptr<RunOutput>;

// Rank 0: hands out positions first..total-1 (none after `stop`), and calls `deliver` with each
// result in position order, so the file is the same as a single-process sweep's.
void farm_coordinate(std::size_t first, std::size_t total, const std::atomic<bool>& stop,
                     const std::function<void(const RunResultPtr&)>& deliver);
// Ranks > 0: asks for positions until there are none, computing each with `compute`.
void farm_work(const std::function<RunResultPtr(std::size_t)>& compute);

}  // namespace attune::app
