// attune: the command line. The only place that turns errors into exit statuses:
// 0 success, 2 bad input (scenario, options, paths), 1 anything else, 130 interrupted.
#include <fmt/format.h>
#include <hdf5.h>
#include <CLI/CLI.hpp>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <cstdlib>

#include "sim/cli/calibrate_command.hpp"
#include "sim/cli/commands.hpp"
#include "sim/cli/compare_command.hpp"
#include "sim/cli/mpi_farm.hpp"
#include "sim/cli/seed_option.hpp"
#include "sim/cli/sweep.hpp"
#include "sim/cli/validate_command.hpp"
#include "sim/cli/version.hpp"
#include "sim/errors.hpp"
#include "sim/runner.hpp"

namespace {

std::atomic<bool> g_stop{false};
extern "C" void on_signal(int) { g_stop.store(true); }

void add_scenario_options(CLI::App* cmd, attune::app::ScenarioArgs& a) {
  cmd->add_option("SCENARIO", a.scenario, "scenario YAML file")->required();
  cmd->add_option("--set", a.sets, "override a scenario key: --set caregiver.attunement=0.8 (repeatable)")
      ->type_name("KEY=VALUE")
      ->allow_extra_args(false);
  cmd->add_option("--seed", a.seed, "override the scenario's seed")->check(attune::app::seed_check());
  cmd->add_option("--max-memory", a.max_memory,
                  "the memory a run may use, e.g. 64G (default: the machine's; refused beyond it)")
      ->type_name("SIZE");
}

}  // namespace

namespace {

int run_main(int argc, char** argv);

}  // namespace

int main(int argc, char** argv) {
  // Files are closed by their owners before main returns. HDF5's own shutdown at exit would try
  // to close again a file whose close failed (a full disk) and crash (SEGV in H5F__close_cb); and
  // attune reports HDF5 errors itself, on every thread.
  H5dont_atexit();
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  attune::app::mpi_start(&argc, &argv);
  int code = 1;
  try {
    code = run_main(argc, argv);
  } catch (const std::exception& e) {  // anything run_main's own handlers did not expect
    std::fprintf(stderr, "attune: failed: %s\n", e.what());
  }
  if (code != 0 && code != 130) attune::app::mpi_abort(code);  // the other ranks may be waiting
  attune::app::mpi_stop();
  return code;
}

namespace {

int run_main(int argc, char** argv) {
  using namespace attune;
  CLI::App app{"attune: an agent-based simulator of caregiver–infant relationships"};
  app.set_version_flag("--version", fmt::format("attune {} ({})", app::kVersion, app::git_commit()));
  app.require_subcommand(1);

  app::RunArgs run;
  auto* run_cmd = app.add_subcommand("run", "run a scenario and write its results to HDF5");
  add_scenario_options(run_cmd, run.in);
  run_cmd->add_option("-o,--output", run.output, "output HDF5 file")->required();
  run_cmd->add_option("--threads", run.threads, "worker threads (0: all cores)")->capture_default_str();
  run_cmd->add_flag("--force", run.force, "overwrite an existing output file");
  run_cmd->add_flag("--quiet", run.quiet, "print nothing but errors");
  run_cmd
      ->add_option("--checkpoint-every", run.checkpoint_every,
                   "save the full state to OUTPUT.ckpt every DAYS days (and on SIGTERM/SIGUSR1)")
      ->type_name("DAYS");
  run_cmd->add_flag("--resume", run.resume, "continue an interrupted run from OUTPUT.ckpt");
  run_cmd
      ->add_option("--save-state", run.save_state,
                   "write the population's state at the end, for a later scenario's initial_state")
      ->type_name("FILE");

  app::SweepArgs sweep;
  auto* sweep_cmd =
      app.add_subcommand("sweep", "run every point of the scenario's sweep design into one HDF5 file");
  add_scenario_options(sweep_cmd, sweep.in);
  sweep_cmd->add_option("-o,--output", sweep.output, "output HDF5 file")->required();
  sweep_cmd->add_option("--threads", sweep.threads, "worker threads (0: all cores)")->capture_default_str();
  sweep_cmd->add_flag("--resume", sweep.resume,
                      "continue an interrupted sweep in OUT, skipping finished runs");
  sweep_cmd->add_flag("--force", sweep.force, "overwrite an existing output file");
  sweep_cmd->add_flag("--quiet", sweep.quiet, "print nothing but errors");
  sweep_cmd
      ->add_option("--shard", sweep.shard,
                   "run only shard I of N (run r where r mod N = I), or 'slurm' for the job array's task")
      ->type_name("I/N|slurm");
  sweep_cmd->add_flag("--discard", sweep.discard,
                      "run every point but write nothing (measures the cost of output)");

  std::vector<std::string> merge_parts;
  std::string merge_output;
  bool merge_force = false;
  auto* merge_cmd =
      app.add_subcommand("merge", "merge the shard files of one sweep (--shard I/N) into one file");
  merge_cmd->add_option("PARTS", merge_parts, "shard files")->required();
  merge_cmd->add_option("-o,--output", merge_output, "output HDF5 file")->required();
  merge_cmd->add_flag("--force", merge_force, "overwrite an existing output file");

  app::ScenarioArgs check;
  auto* check_cmd =
      app.add_subcommand("check", "validate a scenario and print it fully resolved, without running");
  add_scenario_options(check_cmd, check);

  std::string info_path;
  auto* info_cmd = app.add_subcommand("info", "print provenance and a summary of an attune HDF5 file");
  info_cmd->add_option("FILE", info_path, "attune HDF5 file")->required();

  std::string params_model = "reference";
  auto* params_cmd =
      app.add_subcommand("params", "print the parameter reference (docs/PARAMETERS.md) as Markdown");
  params_cmd->add_option("--model", params_model, "the model (reference, mutual)")->capture_default_str();

  int bench_threads = 0;
  std::string bench_model = "reference";
  auto* bench_cmd = app.add_subcommand("bench", "measure dyad-steps per second on a fixed workload");
  bench_cmd->add_option("--threads", bench_threads, "threads for the parallel measurement (0: all cores)");
  bench_cmd->add_option("--model", bench_model, "the model to measure (reference, mutual)")
      ->capture_default_str();

  app::CompareArgs compare;
  auto* compare_cmd = app.add_subcommand(
      "compare",
      "compare groups (arms, profiles, protocol phases, sweep factors): intervals and effect sizes");
  compare_cmd->add_option("FILE", compare.file, "attune HDF5 file (run or sweep)")->required();
  compare_cmd->add_option("--by", compare.by,
                          "arm, profile, phase, FACTOR or FACTOR1,FACTOR2 (default: arm, else the first "
                          "sweep factor, else profile)");
  compare_cmd->add_option("--outcomes", compare.outcomes,
                          "comma-separated outcomes: columns, classification, or class letters");
  compare_cmd->add_flag("--json", compare.json, "print one JSON object (docs/COMPARE.md)");
  compare_cmd
      ->add_option("--bootstrap", compare.resamples, "bootstrap resamples of the effect-size intervals")
      ->capture_default_str();

  app::ValidateArgs validate;
  auto* validate_cmd = app::add_validate_command(app, validate);

  app::CalibrateArgs calibrate;
  auto* calibrate_cmd = app::add_calibrate_command(app, calibrate);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = app.exit(e);
    return rc == 0 ? 0 : 2;
  }

  // --max-memory is the environment's ATTUNE_MAX_MEMORY for this process (the loader checks it).
  for (const app::ScenarioArgs* a : {&run.in, &sweep.in, &check})
    if (!a->max_memory.empty()) setenv("ATTUNE_MAX_MEMORY", a->max_memory.c_str(), 1);

  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  std::signal(SIGUSR1, on_signal);  // SLURM's walltime warning (sbatch --signal=B:USR1@120)
  std::signal(SIGHUP, on_signal);   // a closed terminal or ssh session: stop cleanly, leave no .tmp
  try {
    if (*run_cmd) return app::run_command(run, g_stop);
    if (*check_cmd) return app::check_command(check);
    if (*merge_cmd) return app::merge_command(merge_parts, merge_output, merge_force);
    if (*sweep_cmd) {
      if (sweep.resume && sweep.force) throw sim::InputError("--resume and --force do not go together");
      return app::sweep_command(sweep, g_stop);
    }
    if (*info_cmd) return app::info_command(info_path);
    if (*compare_cmd) return app::compare_command(compare);
    if (*validate_cmd) return app::validate_command(validate, g_stop);
    if (*calibrate_cmd) return app::calibrate_command(calibrate, g_stop);
    if (*bench_cmd) return app::bench_command(bench_threads, bench_model);
    if (*params_cmd) return app::params_command(params_model);
  } catch (const sim::Interrupted&) {
    fmt::print(stderr, "\nattune: interrupted; no output was written\n");
    return 130;
  } catch (const sim::InputError& e) {
    fmt::print(stderr, "attune: error: {}\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    fmt::print(stderr, "attune: failed: {}\n", e.what());
    return 1;
  }
  return 1;
}

}  // namespace
