#include "sim/cli/validate_command.hpp"

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>

#include "models/catalog.hpp"
#include "sim/cli/commands.hpp"
#include "sim/cli/seed_option.hpp"
#include "sim/cli/simulation.hpp"
#include "sim/cli/text_output.hpp"
#include "sim/cli/version.hpp"
#include "sim/errors.hpp"
#include "sim/hdf5_file.hpp"
#include "sim/random.hpp"
#include "sim/validation.hpp"

namespace attune::app {

CLI::App* add_validate_command(CLI::App& app, ValidateArgs& a) {
  auto* cmd = app.add_subcommand(
      "validate", "run the published patterns of validation/ against the models (docs/VALIDATION.md)");
  cmd->add_flag("--quick", a.quick, "smaller populations and one seed (as in CI)");
  cmd->add_option("--seeds", a.seeds,
                  "run every pattern with these seeds instead of its own, e.g. --seeds 4,5,6 (with --quick: "
                  "the first)")
      ->delimiter(',')
      ->check(seed_check())
      ->type_name("SEED ...");
  cmd->add_option("--pattern", a.patterns,
                  "only the patterns with these names, e.g. --pattern still_face,risk_contrast")
      ->delimiter(',')
      ->type_name("NAME ...");
  cmd->add_option("--model", a.model, "only this model (default: every model)");
  cmd->add_flag("--json", a.json, "print the results as JSON instead of the table");
  cmd->add_flag("--markdown", a.markdown, "print docs/VALIDATION.md instead of the table");
  cmd->add_option("-o,--output", a.output, "also write the results to FILE (.h5 or .json)")
      ->type_name("FILE");
  cmd->add_flag("--force", a.force, "overwrite an existing output file");
  cmd->add_option("--dir", a.dir, "the folder of pattern files")->capture_default_str();
  cmd->add_option("--threads", a.threads, "worker threads (0: all cores)")->capture_default_str();
  cmd->add_flag("--quiet", a.quiet, "no progress lines");
  return cmd;
}

int validate_command(const ValidateArgs& args, const std::atomic<bool>& stop) {
  namespace v = sim::validation;
  const auto t0 = std::chrono::steady_clock::now();
  const std::clock_t cpu0 = std::clock();
  std::vector<std::string> models = models::model_names();
  if (!args.model.empty()) {
    if (!models::find_model(args.model)) {
      std::string known;
      for (const auto& m : models) known += (known.empty() ? "" : ", ") + m;
      throw sim::InputError(fmt::format("--model: unknown model '{}' (known: {})", args.model, known));
    }
    models = {args.model};
  }
  const bool json_out = args.output.size() > 5 && args.output.substr(args.output.size() - 5) == ".json";
  if (!args.output.empty()) {
    const bool h5 = args.output.size() > 3 && args.output.substr(args.output.size() - 3) == ".h5";
    if (!h5 && !json_out)
      throw sim::InputError(fmt::format("-o {}: expected a .h5 or .json file", args.output));
    if (json_out)
      check_text_output(args.output, args.force, {}, v::kJsonMark);
    else
      sim::check_output_path(args.output, args.force);
  }

  if (const auto twice = sim::repeated_seed(args.seeds))
    throw sim::InputError(fmt::format(
        "--seeds: seed {} is given twice (each seed is one independent replicate; give distinct seeds)",
        *twice));

  std::vector<v::Pattern> patterns = v::load_patterns(args.dir);
  if (!args.patterns.empty()) {  // only those named, in the suite's order
    for (const auto& name : args.patterns)
      if (std::none_of(patterns.begin(), patterns.end(),
                       [&](const v::Pattern& p) { return p.name == name; })) {
        std::string known;
        for (const auto& p : patterns) known += (known.empty() ? "" : ", ") + p.name;
        throw sim::InputError(
            fmt::format("--pattern: no pattern named '{}' in {} (known: {})", name, args.dir, known));
      }
    std::erase_if(patterns, [&](const v::Pattern& p) {
      return std::find(args.patterns.begin(), args.patterns.end(), p.name) == args.patterns.end();
    });
  }
  const auto known = models::model_names();
  for (const auto& p : patterns)
    for (const auto& [m, path] : p.scenarios)
      if (std::find(known.begin(), known.end(), m) == known.end() && !args.quiet)
        fmt::print(stderr,
                   "validate: warning: {}: a scenario for model '{}', which this build does not have\n",
                   p.file, m);
  v::Environment env;
  env.spec = model_spec();
  env.model = [](const std::string& name) -> const sim::Model& { return model_named(name); };
  env.threads = resolve_threads(args.threads);
  env.quick = args.quick;
  env.seeds = args.seeds;
  env.stop = &stop;
  if (!args.quiet) env.progress = [](const std::string& line) { fmt::print(stderr, "validate: {}\n", line); };
  const auto results = v::run_suite(patterns, models, env);
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const double cpu_s = static_cast<double>(std::clock() - cpu0) / CLOCKS_PER_SEC;

  if (args.markdown)
    fmt::print("{}", v::format_markdown(patterns, results, models, args.quick, elapsed, cpu_s));
  else if (args.json)
    fmt::print("{}", v::format_json(results, args.quick));
  else
    fmt::print("{}", v::format_table(results));
  if (!args.quiet) fmt::print(stderr, "validate: {:.0f} s ({:.0f} s of CPU time)\n", elapsed, cpu_s);

  if (json_out) {
    write_atomically(args.output, v::format_json(results, args.quick));
  } else if (!args.output.empty()) {
    sim::OutputFile out(args.output, args.force);
    out.attribute("kind", "validation");
    out.attribute("attune_version", std::string(kVersion));
    out.attribute("git_commit", std::string(git_commit()));
    out.attribute("quick", args.quick ? "true" : "false");
    out.write_table("validation", v::results_table(results));
    out.commit();
  }

  for (const auto& r : results)
    if (r.status == v::PatternResult::fail) return 1;
  return 0;
}

}  // namespace attune::app
