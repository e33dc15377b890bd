#include "sim/cli/mpi_run.hpp"

#include <fmt/format.h>

#include "sim/errors.hpp"

#ifdef ATTUNE_HAVE_MPI
#include <mpi.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <vector>

#include "sim/cli/mpi_farm.hpp"
#include "sim/cli/simulation.hpp"
#include "sim/cli/version.hpp"
#include "sim/runner.hpp"
#include "sim/summary.hpp"
#endif

namespace attune::app {

std::string rank_checkpoint(const std::string& output, int rank) {
  return rank == 0 ? output + ".ckpt" : fmt::format("{}.ckpt.rank{}", output, rank);
}

#ifndef ATTUNE_HAVE_MPI

int run_on_ranks(const RunArgs&, const std::atomic<bool>&, const sim::Scenario&, int) {
  throw sim::Error("this attune was built without MPI (ATTUNE_MPI=OFF)");
}

#else

namespace {

namespace fs = std::filesystem;

constexpr int kDailyTag = 11;
constexpr int kTableTag = 12;
// Every message carries at most this many bytes: rank 0 holds one piece at a time (bounded memory
// whatever the population), and no count overflows MPI's int.
constexpr std::size_t kPieceBytes = std::size_t{64} << 20;
constexpr std::size_t kSummaryRows = 1 << 16;

class MpiRanks final : public sim::RankGroup {
 public:
  MpiRanks() : world_(mpi_world()) {}
  int rank() const override { return world_.rank; }
  int size() const override { return world_.size; }

  bool any(bool flag) override {
    int v = flag ? 1 : 0;
    MPI_Allreduce(MPI_IN_PLACE, &v, 1, MPI_INT, MPI_LOR, MPI_COMM_WORLD);
    return v != 0;
  }

  bool same(std::int64_t value) override {
    std::int64_t v[2] = {value, -value};
    MPI_Allreduce(MPI_IN_PLACE, v, 2, MPI_INT64_T, MPI_MIN, MPI_COMM_WORLD);
    return v[0] == -v[1];
  }

  void write_daily(sim::OutputFile* out, std::size_t f, int day0, int ndays, const float* buffer, int stride,
                   std::size_t row0, std::size_t rows) override {
    const auto days = static_cast<std::size_t>(ndays);
    const std::size_t piece = std::max<std::size_t>(1, kPieceBytes / (days * sizeof(float)));
    std::vector<float> part;
    if (world_.rank == 0) {
      out->write_daily_rows(f, day0, ndays, buffer, stride, row0, rows);
      for (int q = 1; q < world_.size; ++q) {
        std::uint64_t head[2];
        MPI_Recv(head, 2, MPI_UINT64_T, q, kDailyTag, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        for (std::size_t done = 0; done < head[1]; done += piece) {
          const std::size_t n = std::min<std::size_t>(piece, head[1] - done);
          part.resize(n * days);
          MPI_Recv(part.data(), static_cast<int>(part.size()), MPI_FLOAT, q, kDailyTag, MPI_COMM_WORLD,
                   MPI_STATUS_IGNORE);
          out->write_daily_rows(f, day0, ndays, part.data(), ndays, head[0] + done, n);
        }
      }
      return;
    }
    const std::uint64_t head[2] = {row0, rows};
    MPI_Send(head, 2, MPI_UINT64_T, 0, kDailyTag, MPI_COMM_WORLD);
    for (std::size_t done = 0; done < rows; done += piece) {
      const std::size_t n = std::min<std::size_t>(piece, rows - done);
      part.resize(n * days);
      for (std::size_t r = 0; r < n; ++r)
        std::copy_n(buffer + (done + r) * static_cast<std::size_t>(stride), days, part.data() + r * days);
      MPI_Send(part.data(), static_cast<int>(part.size()), MPI_FLOAT, 0, kDailyTag, MPI_COMM_WORLD);
    }
  }

  // One table of the result, joined segment by segment (segments: rows per protocol or traced
  // infant; one segment for /infants) in rank order within each segment. Rank 0 writes; returns the
  // total rows there. A table of no rows is written only when `always`.
  std::size_t gather_table(sim::OutputFile* out, const std::string& name, const sim::Table& local,
                           std::vector<std::size_t> segments, bool always) {
    if (segments.empty()) segments.push_back(local.rows());
    const std::size_t n_seg = segments.size();
    const std::vector<std::uint64_t> mine(segments.begin(), segments.end());
    std::vector<std::uint64_t> all(world_.rank == 0 ? n_seg * static_cast<std::size_t>(world_.size) : 0);
    MPI_Gather(mine.data(), static_cast<int>(n_seg), MPI_UINT64_T, all.data(), static_cast<int>(n_seg),
               MPI_UINT64_T, 0, MPI_COMM_WORLD);
    const sim::h5::Layout layout = sim::h5::compound_layout(local);
    const std::vector<unsigned char> packed = sim::h5::pack(local, layout);
    const std::size_t piece = std::max<std::size_t>(1, kPieceBytes / layout.size);
    if (world_.rank != 0) {
      std::size_t own = 0;
      for (std::size_t rows : segments) {
        for (std::size_t done = 0; done < rows; done += piece) {
          const std::size_t n = std::min(piece, rows - done);
          MPI_Send(packed.data() + (own + done) * layout.size, static_cast<int>(n * layout.size), MPI_BYTE, 0,
                   kTableTag, MPI_COMM_WORLD);
        }
        own += rows;
      }
      return 0;
    }
    std::size_t total = 0;
    for (auto n : all) total += n;
    if (total == 0 && !always) return 0;
    out->create_table(name, local, total);
    std::size_t at = 0;
    std::vector<std::size_t> own_first(n_seg, 0);
    for (std::size_t s = 1; s < n_seg; ++s) own_first[s] = own_first[s - 1] + segments[s - 1];
    std::vector<unsigned char> part;
    for (std::size_t s = 0; s < n_seg; ++s)
      for (int q = 0; q < world_.size; ++q) {
        const std::size_t rows = all[static_cast<std::size_t>(q) * n_seg + s];
        if (q == 0) {
          out->write_rows(name, local, packed.data() + own_first[s] * layout.size, at, rows);
        } else {
          for (std::size_t done = 0; done < rows; done += piece) {
            const std::size_t n = std::min(piece, rows - done);
            part.resize(n * layout.size);
            MPI_Recv(part.data(), static_cast<int>(part.size()), MPI_BYTE, q, kTableTag, MPI_COMM_WORLD,
                     MPI_STATUS_IGNORE);
            out->write_rows(name, local, part.data(), at + done, n);
          }
        }
        at += rows;
      }
    return total;
  }

 private:
  World world_;
};

// The result's datasets in the order a one-process run writes them (simulation.cpp's write_results).
void write_tables(sim::OutputFile* out, const sim::Scenario& s, const RunResult& r, MpiRanks& ranks) {
  ranks.gather_table(out, "infants", r.infants, {}, true);
  ranks.gather_table(out, "trace/steps", r.trace, r.trace_rows, false);
  std::array<std::int64_t, 16> counts{};
  for (std::size_t i = 0; i < 16; ++i) counts[i] = r.agreement.counts[i / 4][i % 4];
  MPI_Reduce(ranks.rank() == 0 ? MPI_IN_PLACE : counts.data(), counts.data(), 16, MPI_INT64_T, MPI_SUM, 0,
             MPI_COMM_WORLD);
  if (s.experiment.protocols.empty()) return;
  ranks.gather_table(out, "protocol/phases", r.phases, r.phase_rows, true);
  ranks.gather_table(out, "protocol/samples", r.samples, r.sample_rows, true);
  if (ranks.gather_table(out, "protocol/observed", r.observed, r.observed_rows, false) > 0)
    out->write_matrix("protocol/agreement", std::vector<double>(counts.begin(), counts.end()), 4);
}

// The summary a one-process run prints, from the file, a block of rows at a time.
std::string summarize_file(const std::string& path, const std::string& model) {
  const sim::H5Id file = sim::h5::open_file(path);
  sim::Summary summary(summary_spec(model));
  for (std::size_t first = 0;; first += kSummaryRows) {
    const sim::Table t = sim::h5::read_table(file.get(), "infants", path, first, kSummaryRows);
    if (t.rows() == 0) break;
    summary.add(t);
  }
  return summary.text();
}

void check_checkpoints(const RunArgs& args, int ranks, const std::string& mine) {
  const std::string main = rank_checkpoint(args.output, 0);
  if (!args.resume) {
    if (fs::exists(mine) && !args.force)
      throw sim::InputError(
          fmt::format("{}: an unfinished run's checkpoint is here; continue it with --resume, or "
                      "start again with --force",
                      mine));
    return;
  }
  if (!fs::exists(main))
    throw sim::InputError(
        fmt::format("{}: no checkpoint to resume from (run with --checkpoint-every DAYS first)", main));
  const auto attrs = sim::read_attributes(main);
  const std::string made = attrs.count("ranks") ? attrs.at("ranks") : "1";
  if (made != std::to_string(ranks))
    throw sim::InputError(
        fmt::format("{}: this checkpoint was written by a run on {} rank(s); resume it on as many "
                    "(mpirun -n {}), not on {}",
                    main, made, made, ranks));
  if (!fs::exists(mine))
    throw sim::InputError(
        fmt::format("{}: this rank's checkpoint is missing (the run was on {} ranks)", mine, made));
}

}  // namespace

int run_on_ranks(const RunArgs& args, const std::atomic<bool>& stop, const sim::Scenario& s, int threads) {
  MpiRanks ranks;
  const bool root = ranks.rank() == 0;
  if (!args.save_state.empty())
    throw sim::InputError(fmt::format(
        "--save-state: not available for a run divided among ranks ({} ranks); save states from one process",
        ranks.size()));
  if (args.checkpoint_every < 0)
    throw sim::InputError(
        fmt::format("--checkpoint-every {}: give a number of days >= 1", args.checkpoint_every));
  if (args.resume && args.force) throw sim::InputError("--resume and --force do not go together");
  const bool checkpointing = args.checkpoint_every > 0 || args.resume;
  if (checkpointing && s.trace.any())
    throw sim::InputError(fmt::format(
        "{}: traced runs are not checkpointed; remove trace: or the checkpoint options", s.source));
  const std::string mine = rank_checkpoint(args.output, ranks.rank());
  check_checkpoints(args, ranks.size(), mine);
  std::optional<sim::OutputFile> out;
  if (root) {
    sim::check_output_path(args.output, args.force, {args.in.scenario});
    out.emplace(args.output, args.force);
    if (!args.quiet)
      fmt::print("attune {}: scenario '{}' ({})\n{} infants, divided among {} ranks, {} thread{} each\n",
                 kVersion, s.name, s.source, s.infants, ranks.size(), threads, threads == 1 ? "" : "s");
    std::fflush(stdout);
  }
  RunSettings settings;
  settings.threads = threads;
  settings.progress = root && !args.quiet;
  settings.stop = &stop;
  settings.output = root ? &*out : nullptr;
  settings.ranks = &ranks;
  settings.checkpoint_every = args.checkpoint_every;
  if (checkpointing) settings.checkpoint = mine;
  if (args.resume) settings.resume = mine;
  RunResult r;
  try {
    r = simulate(s, settings);
  } catch (const sim::Interrupted&) {
    if (checkpointing && root)
      fmt::print(
          stderr,
          "\nattune: stopped; the state is saved in {} (and one file per other rank); continue with the "
          "same command and --resume on {} ranks\n",
          mine, ranks.size());
    throw;
  }
  const sim::Model& model = model_of(s);
  if (root) sim::write_provenance(*out, model, s, std::string(kVersion), std::string(git_commit()));
  write_tables(root ? &*out : nullptr, s, r, ranks);
  std::uint64_t steps = r.dyad_steps;
  double elapsed = r.elapsed_s;
  MPI_Reduce(root ? MPI_IN_PLACE : &steps, &steps, 1, MPI_UINT64_T, MPI_SUM, 0, MPI_COMM_WORLD);
  MPI_Reduce(root ? MPI_IN_PLACE : &elapsed, &elapsed, 1, MPI_DOUBLE, MPI_MAX, 0, MPI_COMM_WORLD);
  if (root) out->commit();
  MPI_Barrier(MPI_COMM_WORLD);  // the result exists before any checkpoint goes
  if (checkpointing) fs::remove(mine);
  if (root && !args.quiet) {
    fmt::print("{}", summarize_file(args.output, s.model));
    fmt::print("elapsed {:.2f} s, {:.1f} million dyad-steps per second\nwrote {}\n", elapsed,
               static_cast<double>(steps) / elapsed / 1e6, args.output);
  }
  return 0;
}

#endif

}  // namespace attune::app
