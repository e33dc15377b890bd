#include "sim/cli/calibrate_command.hpp"

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include "sim/calibration.hpp"
#include "sim/cli/commands.hpp"
#include "sim/cli/seed_option.hpp"
#include "sim/cli/simulation.hpp"
#include "sim/cli/sweep.hpp"
#include "sim/cli/text_output.hpp"
#include "sim/cli/version.hpp"
#include "sim/errors.hpp"
#include "sim/hdf5_file.hpp"
#include "sim/runner.hpp"

namespace attune::app {
namespace {

bool ends_with(const std::string& s, std::string_view tail) {
  return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

}  // namespace

CLI::App* add_calibrate_command(CLI::App& app, CalibrateArgs& a) {
  auto* cmd = app.add_subcommand(
      "calibrate", "fit scenario parameters to published patterns (docs/CALIBRATION.md, attune calibrate)");
  cmd->add_option("SCENARIO", a.scenario, "scenario YAML file")->required();
  cmd->add_option("--targets", a.targets, "the targets file: patterns, parameters, budget, seeds")
      ->type_name("FILE")
      ->required();
  cmd->add_option("--fit", a.fits,
                  "fit another key (or replace the file's bounds): --fit KEY=MIN:MAX[@START]")
      ->type_name("KEY=MIN:MAX[@START]")
      ->allow_extra_args(false);
  cmd->add_option("--set", a.sets, "fix a scenario key: --set population.infants=300 (repeatable)")
      ->type_name("KEY=VALUE")
      ->allow_extra_args(false);
  cmd->add_option("--budget", a.budget, "evaluations the optimiser may make (overrides the file's budget)")
      ->type_name("N");
  cmd->add_option("--seeds", a.seeds, "the seeds every evaluation runs (common random numbers)")
      ->delimiter(',')
      ->check(seed_check())
      ->type_name("SEED ...");
  cmd->add_option("--algorithm", a.algorithm, "bobyqa (default), neldermead, sbplx or cobyla");
  cmd->add_option("--threads", a.threads, "worker threads (0: all cores)")->capture_default_str();
  cmd->add_option("--replicates", a.replicates, "rerun the fit with K other seeds: the simulation noise")
      ->type_name("K");
  cmd->add_flag("--no-uncertainty", a.no_uncertainty,
                "skip the standard errors (2 evaluations per parameter)");
  cmd->add_option("-o,--output", a.output, "write the fitted scenario (YAML)")->type_name("FITTED.yaml");
  cmd->add_option("--report", a.report, "also write the report as JSON")->type_name("FILE.json");
  cmd->add_flag("--json", a.json, "print the report as JSON instead of text");
  cmd->add_flag("--quiet", a.quiet, "no progress lines");
  cmd->add_flag("--force", a.force, "overwrite output files calibrate wrote before");
  return cmd;
}

int calibrate_command(const CalibrateArgs& args, const std::atomic<bool>& stop) {
  namespace c = sim::calibration;
  constexpr int max_replicates = 1000;
  (void)resolve_threads(args.threads);  // checked before anything runs
  if (args.replicates < 0 || args.replicates > max_replicates)
    throw sim::InputError(fmt::format("--replicates {}: allowed 0 to {}", args.replicates, max_replicates));
  if (!args.output.empty() && !ends_with(args.output, ".yaml") && !ends_with(args.output, ".yml"))
    throw sim::InputError(fmt::format("-o {}: the fitted scenario is YAML: give a .yaml file", args.output));
  if (!args.report.empty() && !ends_with(args.report, ".json"))
    throw sim::InputError(fmt::format("--report {}: expected a .json file", args.report));
  if (!args.output.empty() && args.output == args.report)
    throw sim::InputError(fmt::format("--report {}: the same path as -o", args.report));
  if (has_sweep(args.scenario))
    throw sim::InputError(
        fmt::format("{}: has a sweep design; calibrate fits one scenario (remove sweep:)", args.scenario));

  c::Problem problem = c::load_problem(args.targets);
  for (const auto& s : args.sets) problem.fixed.push_back(sim::parse_override(s));
  for (const auto& f : args.fits) c::add_parameter(problem, c::parse_fit(f));
  if (args.budget) problem.budget = *args.budget;
  if (!args.seeds.empty()) problem.seeds = args.seeds;
  if (!args.algorithm.empty()) problem.algorithm = args.algorithm;

  const std::vector<std::string> inputs = {args.scenario, args.targets};
  if (!args.output.empty()) check_text_output(args.output, args.force, inputs, c::kYamlMark);
  if (!args.report.empty()) check_text_output(args.report, args.force, inputs, c::kJsonMark);

  c::Environment env;
  env.spec = model_spec();
  env.model = [](const std::string& name) -> const sim::Model& { return model_named(name); };
  env.threads = args.threads;
  env.stop = &stop;
  env.replicates = args.replicates;
  env.uncertainty = !args.no_uncertainty;
  c::ProgressFn progress;
  if (!args.quiet)
    progress = [&](const c::Progress& g) {
      fmt::print(stderr, "{}\n", c::format_progress(problem, g));
      std::fflush(stderr);
    };
  const c::Result result = c::calibrate(problem, args.scenario, env, progress);

  fmt::print("{}", args.json ? c::format_json(problem, result) : c::format_report(problem, result));
  std::fflush(stdout);
  if (result.interrupted) throw sim::Interrupted();

  if (!args.output.empty()) {
    const std::string program = fmt::format("attune {}, {}", kVersion, git_commit());
    const std::string text = c::fitted_yaml(problem, result, env, program);
    // What is written must load again.
    (void)sim::parse_scenario(text, args.output, {}, env.spec);
    write_atomically(args.output, text);
    if (!args.quiet) fmt::print(stderr, "calibrate: wrote {}\n", args.output);
  }
  if (!args.report.empty()) {
    write_atomically(args.report, c::format_json(problem, result));
    if (!args.quiet) fmt::print(stderr, "calibrate: wrote {}\n", args.report);
  }
  return 0;
}

}  // namespace attune::app
