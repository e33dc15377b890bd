// A run's state on disk: checkpoints (`attune run --checkpoint-every`, `--resume`) and saved
// states that start a later scenario (`--save-state`, `initial_state:`). docs/EXPERIMENTS.md.
//
// The state is the model's per-infant and per-relationship state as flat arrays (the model says
// how to save and load them), what the run has recorded so far (daily series, protocol tables),
// and enough to refuse a file that does not belong: a format version, the model, the scenario.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "sim/hdf5_file.hpp"
#include "sim/scenario.hpp"

namespace attune::sim {

inline constexpr std::uint64_t kStateVersion = 1;
// Values held at once when copying daily series into or out of a checkpoint.
inline constexpr std::size_t kCopyValues = std::size_t{1} << 22;

struct RunImage {
  std::string model;
  std::string scenario;  // the resolved scenario it was made by
  std::uint64_t seed = 0;
  std::uint64_t stage = 0;  // 0 for a first scenario, then one more per initial_state
  int next_day = 0;         // the first day not yet simulated
  std::size_t units = 0;
  std::size_t infant_width = 0, relationship_width = 0;  // doubles per saved infant, relationship
  std::vector<double> infants;                           // units × infant_width
  std::vector<double> relationships;                     // relationships × relationship_width
  // Per unit, the caregiver it is with at the end: her parameters, id and relationship.
  std::vector<double> caregiver_values;
  std::vector<std::int64_t> caregiver_ids;
  std::vector<std::size_t> current_relationship;
  // What was recorded so far (checkpoints only).
  std::vector<std::vector<double>> protocol_measures, protocol_samples, protocol_classes;
  std::string source;                     // the file read_state read
  std::vector<std::string> daily_fields;  // recorded in `source` as rows × next_day (copy_daily_record)
  // A run divided among ranks keeps one file per rank (docs/HPC.md): this rank's slice of the
  // units, and its rows of the daily block in progress (per daily field, rows × block_days), the
  // days since the last multiple of the block length. Rank 0's file also holds `daily`, all rows.
  std::uint64_t ranks = 1, rank = 0, first_unit = 0;
  int block_days = 0;
  std::vector<std::string> block_fields;
  std::vector<std::vector<double>> daily_block;
};

// Writes atomically (a temporary file renamed into place). With `output`, the daily series written
// so far are copied from it.
void write_state(const std::string& path, const RunImage& img, OutputFile* output,
                 const std::vector<std::string>& daily_fields);
// Days [0, next_day) of a checkpoint's daily series `field` (rows × next_day), read a block of rows
// at a time: written to field f of `output` when given, and passed to `each(first_row, rows, values)`.
// InputError when the shape does not fit.
void copy_daily_record(const RunImage& img, const std::string& field, std::size_t rows, OutputFile* output,
                       std::size_t f,
                       const std::function<void(std::size_t, std::size_t, const double*)>& each);

// InputError naming the file when it is not a state file of this format.
RunImage read_state(const std::string& path);
// Refuses a checkpoint made by another scenario, seed or model.
void check_resumable(const RunImage& img, const Scenario& s, const ModelSpec& spec, const std::string& path);

}  // namespace attune::sim
