// Copying runs' rows between sweep files in run order, within a fixed memory budget: the one
// routine behind `attune merge` (shards into one file) and the end of a sweep whose runs were
// written as they finished (sim/sweep.cpp). Rows move as raw bytes of the tables' compound type,
// in large contiguous reads, never row by row.
#pragma once

#include <hdf5.h>

#include <cstdint>
#include <string>
#include <vector>

#include "sim/sweep_file.hpp"

namespace attune::sim {

struct RunSource {
  hid_t file = -1;  // an open sweep file, or -1: opened (read-only) for each window that reads it
  std::string path;
};

// Where one run's rows lie in its source.
struct RunRows {
  std::size_t source = 0;
  std::uint64_t infants_first = 0, infants_rows = 0;
  std::int64_t summary_row = -1;  // its /run_summary row; -1 for a run without one (failed)
};

// The window budget in bytes: 64 MiB, or ATTUNE_COPY_BUDGET (bytes) when set (tests set it
// small so that a small sweep spans many windows).
std::size_t copy_budget();

// Appends every run's /infants and /run_summary rows to `out`, in the order of `runs`. The runs
// are taken in windows of at most `budget` bytes of rows; within a window each source's rows are
// read with one read per contiguous range (one per source when its runs are in order, as in a
// round-robin shard), then written with one append. Memory: about twice `budget`, whatever the
// number of sources or runs (a run larger than the budget is copied in pieces).
void copy_runs_in_order(SweepFile& out, const std::vector<RunSource>& sources,
                        const std::vector<RunRows>& runs, std::size_t budget = copy_budget());

// One int64 member of every row of a compound dataset (e.g. run_summary's run_id), without
// reading the other columns.
std::vector<std::int64_t> read_int_member(hid_t file, const std::string& dataset, const std::string& member,
                                          const std::string& path);

}  // namespace attune::sim
