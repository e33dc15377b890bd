// Sweeps over MPI: rank 0 hands out runs in batches and writes results as they arrive; every
// other rank simulates the runs it is given (with TBB threads inside). Without ATTUNE_MPI these
// are stubs and every process is a world of one.
#pragma once

#include <atomic>
#include <cstddef>
#include <functional>
#include <memory>
#include <vector>

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

// Rank 0: hands out the positions in `todo` in batches (none after `stop`) and calls `deliver`
// with each result as it arrives, in any order; sim::run_sweep puts the finished file in run
// order, so that it is the same as a single-process sweep's.
// `idle` is called whenever no result is waiting.
void farm_coordinate(const std::vector<std::size_t>& todo, const std::atomic<bool>& stop,
                     const std::function<void(const RunResultPtr&)>& deliver,
                     const std::function<void()>& idle);
// Ranks > 0: computes the positions of each batch it is given with `compute`, sending each result
// as soon as it is done, until it is given an empty batch.
void farm_work(const std::function<RunResultPtr(std::size_t)>& compute);

}  // namespace attune::app
