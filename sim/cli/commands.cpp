#include "sim/cli/commands.hpp"

#include <fmt/format.h>
#include <sched.h>
#include <tbb/info.h>

#include <charconv>
#include <filesystem>
#include <thread>

#include "sim/cli/mpi_farm.hpp"
#include "sim/cli/mpi_run.hpp"
#include "sim/cli/simulation.hpp"
#include "sim/cli/sweep.hpp"
#include "sim/cli/version.hpp"
#include "sim/errors.hpp"
#include "sim/param_reference.hpp"
#include "sim/runner.hpp"

namespace attune::app {
namespace {

sim::Scenario load(const ScenarioArgs& a) {
  return sim::load_scenario(a.scenario, overrides_of(a), model_spec());
}

std::string describe(const sim::Scenario& s) {
  const std::string paired =
      s.experiment.paired ? fmt::format(" × {} paired arms", s.experiment.arm_count()) : std::string();
  return fmt::format("{} infants{} × {} days × {} sessions × {} steps (dt = {} s), seed {}", s.infants,
                     paired, s.schedule.days, s.schedule.sessions_per_day, s.schedule.steps_per_session(),
                     s.schedule.dt, s.seed);
}

}  // namespace

int resolve_threads(int threads) {
  constexpr int max_threads = 1024;
  if (threads < 0 || threads > max_threads)
    throw sim::InputError(fmt::format("--threads {}: allowed 0 (all cores) to {}", threads, max_threads));
  warn_on_affinity(threads);
  return threads == 0 ? tbb::info::default_concurrency() : threads;
}

int affinity_cores() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof set, &set) != 0) return 0;
  return CPU_COUNT(&set);
}

void warn_on_affinity(int threads) {
  const int cores = affinity_cores();
  if (threads <= 1 || cores <= 0 || cores >= threads) return;
  // TBB sizes its pool from the affinity mask: the extra threads would share these cores (or,
  // when a launcher bound the process to one core, never start at all).
  fmt::print(stderr,
             "attune: warning: --threads {} but this process may run on only {} core{} (its CPU affinity "
             "mask); under mpirun give each rank its cores (--map-by slot:PE={} or --bind-to none), under "
             "srun --cpus-per-task={}\n",
             threads, cores, cores == 1 ? "" : "s", threads, threads);
}

std::vector<sim::Override> overrides_of(const ScenarioArgs& a) {
  std::vector<sim::Override> out;
  for (const auto& s : a.sets) out.push_back(sim::parse_override(s));
  if (a.seed) out.push_back({"seed", std::to_string(*a.seed)});
  return out;
}

int run_command(const RunArgs& args, const std::atomic<bool>& stop) {
  const sim::Scenario s = load(args.in);
  const int threads = resolve_threads(args.threads);
  if (mpi_world().size > 1) return run_on_ranks(args, stop, s, threads);
  if (args.checkpoint_every < 0)
    throw sim::InputError(
        fmt::format("--checkpoint-every {}: give a number of days >= 1", args.checkpoint_every));
  if (args.resume && args.force) throw sim::InputError("--resume and --force do not go together");
  const std::string checkpoint = args.output + ".ckpt";
  const bool checkpointing = args.checkpoint_every > 0 || args.resume;
  if (checkpointing && s.trace.any())
    throw sim::InputError(fmt::format(
        "{}: traced runs are not checkpointed; remove trace: or the checkpoint options", s.source));
  if (args.resume && !std::filesystem::exists(checkpoint))
    throw sim::InputError(
        fmt::format("{}: no checkpoint to resume from (run with --checkpoint-every DAYS first)", checkpoint));
  if (args.resume) {
    const auto attrs = sim::read_attributes(checkpoint);
    if (attrs.count("ranks") && attrs.at("ranks") != "1")
      throw sim::InputError(fmt::format(
          "{}: this checkpoint was written by a run on {} ranks; resume it on as many (mpirun -n {})",
          checkpoint, attrs.at("ranks"), attrs.at("ranks")));
  }
  if (!args.resume && std::filesystem::exists(checkpoint) && !args.force)
    throw sim::InputError(
        fmt::format("{}: an unfinished run's checkpoint is here; continue it with --resume, or "
                    "start again with --force",
                    checkpoint));
  if (!args.save_state.empty() && args.save_state == args.output)
    throw sim::InputError(fmt::format("--save-state {}: the same path as the output", args.save_state));
  sim::check_output_path(args.output, args.force, {args.in.scenario});
  sim::OutputFile out(args.output, args.force);  // refuses an existing file before any work
  if (!args.quiet)
    fmt::print("attune {}: scenario '{}' ({})\n{} on {} thread{}\n", kVersion, s.name, s.source, describe(s),
               threads, threads == 1 ? "" : "s");
  std::fflush(stdout);
  RunSettings settings;
  settings.threads = threads;
  settings.progress = !args.quiet;
  settings.stop = &stop;
  settings.output = &out;
  settings.checkpoint_every = args.checkpoint_every;
  if (checkpointing) settings.checkpoint = checkpoint;
  if (args.resume) settings.resume = checkpoint;
  settings.save_state = args.save_state;
  RunResult r;
  try {
    r = simulate(s, settings);
  } catch (const sim::Interrupted&) {
    if (checkpointing)
      fmt::print(stderr,
                 "\nattune: stopped; the state is saved in {}; continue with the same command and --resume\n",
                 checkpoint);
    throw;
  }
  write_results(out, s, r);
  out.commit();
  if (checkpointing) std::filesystem::remove(checkpoint);
  if (!args.quiet) {
    fmt::print("{}", sim::summarize(r.infants, summary_spec(s.model)));
    fmt::print("elapsed {:.2f} s, {:.1f} million dyad-steps per second\nwrote {}\n", r.elapsed_s,
               static_cast<double>(r.dyad_steps) / r.elapsed_s / 1e6, args.output);
  }
  return 0;
}

int check_command(const ScenarioArgs& args) {
  const sim::Scenario s = load(args);
  if (has_sweep(args.scenario)) print_sweep_plan(plan_sweep(args));
  fmt::print("# {}: valid\n# {}\n# {} dyad-steps\n{}", s.source, describe(s),
             static_cast<double>(s.dyads()) * static_cast<double>(s.schedule.steps_per_run()),
             sim::to_yaml(s, sim::model_spec(model_of(s))));
  return 0;
}

int info_command(const std::string& path) {
  const auto attrs = sim::read_attributes(path);
  const auto version = attrs.find("schema_version");
  if (version == attrs.end())
    throw sim::InputError(fmt::format("{}: not an attune file (no schema_version)", path));
  long long schema = -1;
  const std::string& v = version->second;
  if (std::from_chars(v.data(), v.data() + v.size(), schema).ptr != v.data() + v.size() ||
      schema != sim::kSchemaVersion)
    throw sim::InputError(fmt::format("{}: schema_version {} is not one this attune reads ({})", path,
                                      version->second, sim::kSchemaVersion));
  for (const char* key : {"kind", "schema_version", "attune_version", "git_commit", "model", "seed",
                          "scenario_source", "design", "created_utc"}) {
    if (!attrs.count(key) && (std::string_view(key) == "kind" || std::string_view(key) == "design")) continue;
    const auto it = attrs.find(key);
    fmt::print("{:<16} {}\n", key, it == attrs.end() ? "-" : it->second);
  }
  if (attrs.count("kind") && attrs.at("kind") == "sweep") print_sweep_info(path);
  const auto daily = sim::list_group(path, "daily");
  std::string names;
  for (const auto& d : daily) names += (names.empty() ? "" : ", ") + d;
  fmt::print("{:<16} {}\n", "daily", names.empty() ? "-" : names);
  const auto model = attrs.find("model");
  const std::string model_name = model == attrs.end() ? "reference" : model->second;
  fmt::print("{}", sim::summarize(sim::read_table(path, "infants"), summary_spec(model_name)));
  const Agreement agreement = read_agreement(path, model_name);
  if (agreement.n() > 0)
    fmt::print("observed classification (Strange Situation reunions)\n{}",
               format_agreement(agreement, model_name));
  return 0;
}

int bench_command(int threads, const std::string& model) {
  // The fixed workload: the model's default parameters, 2,000 infants, 30 days.
  sim::Scenario s = sim::parse_scenario("model: " + model + "\n", "bench", {}, model_spec());
  s.infants = 2000;
  s.schedule.days = 30;
  const int all = resolve_threads(threads);
  fmt::print("attune bench {} ({}): {}\n", kVersion, git_commit(), describe(s));
  std::vector<int> counts{1};
  if (all > 1) counts.push_back(all);
  double one = 0;
  for (int n : counts) {
    RunSettings settings;
    settings.threads = n;
    const RunResult r = simulate(s, settings);
    const double rate = static_cast<double>(r.dyad_steps) / r.elapsed_s;
    if (n == 1) one = rate;
    fmt::print("threads {:>3}: {:8.2f} s  {:8.2f} million dyad-steps/s", n, r.elapsed_s, rate / 1e6);
    if (n > 1) fmt::print("  (speed-up {:.2f}, efficiency {:.0f}%)", rate / one, 100 * rate / one / n);
    fmt::print("\n");
    std::fflush(stdout);
  }
  return 0;
}

int params_command(const std::string& model) {
  fmt::print("{}", sim::parameter_reference(model_named(model).params(), model));
  return 0;
}

}  // namespace attune::app
