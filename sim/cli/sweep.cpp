#include "sim/cli/sweep.hpp"

#include <fmt/format.h>
#include <tbb/info.h>
#include <tbb/task_arena.h>

#include <memory>

#include "sim/cli/mpi_farm.hpp"
#include "sim/cli/simulation.hpp"
#include "sim/cli/version.hpp"
#include "sim/errors.hpp"
#include "sim/hdf5_file.hpp"
#include "sim/runner.hpp"

namespace attune::app {
namespace {

// 'text' for a POSIX shell, with any ' inside written as '\''.
std::string shell_quote(const std::string& text) {
  if (!text.empty() &&
      text.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-./=:,") ==
          std::string::npos)
    return text;
  std::string out = "'";
  for (char c : text) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

}  // namespace

SweepPlan plan_sweep(const ScenarioArgs& args) {
  return sim::plan_sweep(args.scenario, overrides_of(args), model_spec());
}

void print_sweep_plan(const SweepPlan& plan) {
  const sim::Design& d = plan.design;
  std::string factors;
  for (const auto& f : d.factors) factors += (factors.empty() ? "" : ", ") + f;
  fmt::print("# sweep: design {}, factors: {}\n", sim::design_name(d.kind), factors);
  fmt::print("# {} points × {} replicates = {} runs, {:.4g} dyad-steps in all\n", d.points(), d.replicates,
             d.runs(), static_cast<double>(plan.dyad_steps()));
}

int sweep_command(const SweepArgs& args, const std::atomic<bool>& stop) {
  const SweepPlan plan = plan_sweep(args.in);
  const sim::Model& model = model_of(plan.base);
  const int threads = args.threads == 0 ? tbb::info::default_concurrency() : args.threads;
  if (threads < 0)
    throw sim::InputError(fmt::format("--threads {}: must be 0 (all cores) or more", args.threads));
  warn_on_affinity(threads);
  const Shard shard = parse_shard(args.shard);

  // Under mpirun every rank but 0 only simulates what rank 0 hands it, one run at a time with
  // all of its threads (see mpi_farm.hpp).
  const World world = mpi_world();
  if (world.rank > 0) {
    const std::vector<std::size_t> mine = sim::shard_runs(plan, shard);
    tbb::task_arena arena(threads);
    // One thread: no arena to enter for every run (it costs more than a tiny run's simulation).
    const int inner = threads == 1 ? sim::kSerial : sim::kCallerArena;
    farm_work([&](std::size_t k) {
      std::shared_ptr<RunOutput> out;
      arena.execute([&] { out = sim::execute_run(model, plan, mine[k], inner, stop); });
      out->row = k;
      return out;
    });
    return 0;
  }

  sim::SweepSettings settings;
  settings.output = args.output;
  settings.resume = args.resume;
  settings.force = args.force;
  settings.discard = args.discard;
  settings.shard = shard;
  settings.threads = threads;
  settings.progress = !args.quiet;
  settings.stop = &stop;
  settings.version = std::string(kVersion);
  settings.commit = std::string(git_commit());
  if (world.size > 1) settings.farm = farm_coordinate;
  settings.on_missing = [&] {
    if (!args.quiet) fmt::print("{}: not found; starting the sweep from the beginning\n", args.output);
  };
  settings.on_start = [&](int n, std::size_t first, std::size_t total) {
    if (args.quiet) return;
    fmt::print("attune {}: sweep '{}' ({}) on {} thread{}\n", kVersion, plan.base.name, plan.base.source, n,
               n == 1 ? "" : "s");
    print_sweep_plan(plan);
    if (first > 0) fmt::print("resuming: {} of {} runs already on disk\n", first, total);
    std::fflush(stdout);
  };
  const sim::SweepOutcome o = sim::run_sweep(model, plan, settings);

  if (!o.complete()) {
    std::string again = fmt::format("attune sweep {} -o {} --resume", shell_quote(args.in.scenario),
                                    shell_quote(args.output));
    for (const auto& set : args.in.sets) again += " --set " + shell_quote(set);
    if (world.size > 1) again = fmt::format("mpirun -n {} {}", world.size, again);
    if (args.in.seed) again += fmt::format(" --seed {}", *args.in.seed);
    if (!args.shard.empty()) again += fmt::format(" --shard {}", args.shard);
    fmt::print(stderr, "\nattune: interrupted; {} of {} runs are safely in {}.\nResume with: {}\n",
               o.first + o.written, o.total, args.output, again);
    return 130;
  }
  if (!args.quiet)
    fmt::print("{} runs ({} failed) in {:.2f} s: {:.2f} runs/s, {:.1f} million dyad-steps/s\n{}\n", o.written,
               o.failed, o.seconds, static_cast<double>(o.written) / o.seconds,
               static_cast<double>(o.dyad_steps) / o.seconds / 1e6,
               args.discard ? "output discarded (--discard)" : "wrote " + args.output);
  return 0;
}

void print_sweep_info(const std::string& path) {
  const sim::Table runs = sim::read_table(path, "runs");
  const sim::Table design = sim::read_table(path, "design");
  std::string factors;
  for (const auto& c : design.columns)
    if (c.name != "point_id" && c.name != "role" && c.name != "trajectory")
      factors += (factors.empty() ? "" : ", ") + c.name;
  std::size_t done = 0, failed = 0;
  for (const auto& s : runs.find("status")->texts) done += s == "done", failed += s == "failed";
  fmt::print("{:<16} {}\n{:<16} {} points, {} runs: {} done, {} failed, {} pending\n", "factors", factors,
             "design", design.rows(), runs.rows(), done, failed, runs.rows() - done - failed);
}

}  // namespace attune::app
