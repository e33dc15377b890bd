// Running one scenario under a model: the library function behind `attune run`, each run of a
// sweep, the benchmark and (later) the Python bindings. The engine builds the population (units
// = infants in their arm copies, caregivers, relationships with the days they hold), applies
// interventions between days, gives protocols, runs the days in parallel (sim/runner.hpp),
// streams daily series, checkpoints, and gathers the tables; the model does the psychology.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include "sim/hdf5_file.hpp"
#include "sim/model.hpp"
#include "sim/scenario.hpp"
#include "sim/summary.hpp"
#include "sim/table.hpp"

namespace attune::sim {

// A run divided among processes (`mpirun -n R attune run`): each simulates a contiguous slice of
// the units (unit_slice) and the processes meet only between days. The command line implements
// it over MPI (sim/cli/mpi_run.cpp); the engine knows no MPI.
class RankGroup {
 public:
  virtual ~RankGroup() = default;
  virtual int rank() const = 0;
  virtual int size() const = 0;
  // Logical OR over the ranks: a stop seen by one rank stops all of them after the same day.
  virtual bool any(bool flag) = 0;
  // Whether every rank passes the same value.
  virtual bool same(std::int64_t value) = 0;
  // Days [day0, day0 + ndays) of daily field f for this rank's rows [row0, row0 + rows), from a
  // rows × stride buffer: rank 0 writes its own rows and every other rank's to `out`.
  virtual void write_daily(OutputFile* out, std::size_t f, int day0, int ndays, const float* buffer,
                           int stride, std::size_t row0, std::size_t rows) = 0;
};

// The units [first, first + count) of `units` that rank `rank` of `ranks` simulates.
struct UnitSlice {
  std::size_t first = 0, count = 0;
};
UnitSlice unit_slice(std::size_t units, int rank, int ranks);

struct RunSettings {
  int threads = 0;  // 0: all cores, N > 0, or kCallerArena / kSerial (see sim/runner.hpp)
  bool progress = false;
  const std::atomic<bool>* stop = nullptr;
  OutputFile* output = nullptr;  // daily series are streamed here when given
  // Checkpoints: the run's full state is written to `checkpoint` (atomically) every
  // `checkpoint_every` days and when stopped; `resume` continues from such a file.
  int checkpoint_every = 0;
  std::string checkpoint;
  std::string resume;
  std::string save_state;  // the state at the end, for a later scenario's initial_state
  // Divided among ranks: this process simulates its slice only, `output` is rank 0's alone, and
  // `checkpoint`/`resume` are this rank's own files.
  RankGroup* ranks = nullptr;
};

// Agreement of the observed (reunion) and working-model classifications, over every infant that
// went through a protocol with reunion phases. counts[observed][iwm], in the model's class order.
struct Agreement {
  std::array<std::array<std::int64_t, 4>, 4> counts{};
  std::int64_t n() const;
  double kappa() const;  // Cohen's kappa (NaN when undefined)
};

struct RunResult {
  Table infants;   // one row per relationship (per infant and arm, with one caregiver)
  Table trace;     // every recorded step (scenario `trace:`), empty when none
  Table phases;    // /protocol/phases, empty without protocols
  Table samples;   // /protocol/samples
  Table observed;  // /protocol/observed
  Agreement agreement;
  // Rows of `trace` per traced infant, and of the protocol tables per protocol: a run divided
  // among ranks joins each rank's rows segment by segment.
  std::vector<std::size_t> trace_rows, phase_rows, sample_rows, observed_rows;
  double elapsed_s = 0;
  std::uint64_t dyad_steps = 0;
};

RunResult simulate(const Model& model, const Scenario& s, const RunSettings& settings);

// The columns of RunResult::infants and ::trace, with no rows.
Table infants_table_layout(const Model& model);
Table trace_table_layout(const Model& model);

// What the loader needs of a model.
ModelSpec model_spec(const Model& model);
SummarySpec summary_spec(const Model& model);

// The provenance attributes alone (write_results writes them first).
void write_provenance(OutputFile& out, const Model& model, const Scenario& s, const std::string& version,
                      const std::string& commit);

// Writes the provenance attributes, /infants, the trace and the protocol tables.
// `version` and `commit` identify the program.
void write_results(OutputFile& out, const Model& model, const Scenario& s, const RunResult& r,
                   const std::string& version, const std::string& commit);

// The agreement table as `attune info` prints it, and read back from a file.
std::string format_agreement(const Agreement& a, const Model& model);
Agreement read_agreement(const std::string& path, const Model& model);

}  // namespace attune::sim
