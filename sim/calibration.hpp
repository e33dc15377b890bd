// Calibration (docs/CALIBRATION.md, "attune calibrate"): fits named scenario parameters (any
// --set key path: population distributions, profile weights, mechanism constants) to several
// published patterns at once. The patterns are those of validation/ (sim/validation.hpp): their
// measure is computed on runs of the scenario being fitted and compared with their target. The
// optimiser is derivative-free (NLopt), works in scaled coordinates (each parameter's bounds map
// to [0, 1]) and sees a deterministic loss: every evaluation runs the same seeds (common random
// numbers). At the optimum a Gauss–Newton step gives standard errors of the fitted values.
// This library knows no command line and prints nothing: progress goes to a callback.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "sim/model.hpp"
#include "sim/scenario.hpp"
#include "sim/validation.hpp"

namespace attune::sim::calibration {

using validation::kNaN;

// One fitted parameter: a --set key path, its bounds and where the search starts.
struct Parameter {
  std::string key;
  double min = kNaN, max = kNaN;
  double start =
      kNaN;            // NaN: the scenario's own value when it is a number inside the bounds, else the middle
  std::string origin;  // where it was given ("file:line:column: parameters.0" or "--fit ...")
};

// One pattern used as a target.
struct TargetSpec {
  validation::Pattern pattern;
  double weight = 1.0;  // multiplies each of the pattern's components in the loss
  double scale = kNaN;  // of a one-sided bound (at_least / at_most); NaN: 10% of |bound|
  std::string origin;
};

struct Problem {
  std::string source;  // the targets file ("" when built in code)
  std::string description;
  std::vector<TargetSpec> targets;
  std::vector<Parameter> parameters;
  std::vector<Override> fixed;  // `set:` of the targets file, then the command line's --set
  int budget = 60;              // evaluations the optimiser may make
  std::vector<std::uint64_t> seeds = {1};
  std::string algorithm = "bobyqa";
};

inline constexpr const char* kAlgorithms[] = {"bobyqa", "neldermead", "sbplx", "cobyla"};
inline constexpr int kMaxBudget = 100000;

// Reads a targets file (InputError / ScenarioError naming the file, line, column and key).
// Pattern paths are relative to the file's folder.
Problem load_problem(const std::string& path);
Problem parse_problem(const std::string& text, const std::string& source, const std::string& dir);
// "KEY=MIN:MAX" or "KEY=MIN:MAX@START" (the command line's --fit).
Parameter parse_fit(const std::string& text);
// Adds a --fit parameter; one with the same key as the file's replaces it.
void add_parameter(Problem& p, Parameter parameter);

// The loss. A component's standardized residual r is 0 at the target's centre (its published
// value, else the middle of its accept region) and ±1 at the edges of the accept region (each
// side scaled by its own half-width); a one-sided bound gives 0 on the accepted side and
// (simulated − bound) / scale beyond it. A direction target (greater / less than 0 with a
// p-value) has no scale: it is judged in the report but not fitted (NaN here).
double residual(const validation::Target& t, double simulated, double one_sided_scale);
// The scale of a one-sided bound: the entry's `scale`, else 10% of |bound| (NaN for a bound of 0).
double one_sided_scale(const validation::Target& t, double scale);
// The loss of a value that cannot be computed (NaN): as if r were 10.
inline constexpr double kUncomputableResidual = 10.0;

// What running needs from the caller (as validation::Environment).
struct Environment {
  ModelSpec spec;
  std::function<const Model&(const std::string&)> model;
  int threads = 0;
  const std::atomic<bool>* stop = nullptr;  // set: the search ends and the best so far is reported
  int replicates = 0;                       // runs of the fitted scenario with other seeds (noise)
  bool uncertainty = true;                  // the Gauss–Newton standard errors (2 runs per parameter)
};

// One line of progress: after each evaluation.
struct Progress {
  enum Stage { start, search, uncertainty, replicate } stage = search;
  int evaluation = 0;  // of this stage
  int of = 0;          // evaluations this stage may make
  double loss = kNaN, best = kNaN;
  std::vector<double> x;  // the parameters evaluated
};
using ProgressFn = std::function<void(const Progress&)>;
// `calibrate  12/60  loss 3.41  best 2.10  caregiver.dismissing.mean=0.312 ...`
std::string format_progress(const Problem& p, const Progress& g);

struct ParameterResult {
  Parameter parameter;
  double start = kNaN, fitted = kNaN;
  double se = kNaN;        // standard error (NaN: not identified, or not computed)
  bool at_bound = false;   // the fit is within 0.1% of the range of a bound
  bool identified = true;  // false when the targets do not constrain it (see Result::notes)
};

struct ComponentResult {
  std::string pattern, component;
  validation::Target target;
  double weight = 0;  // 0: judged only (a direction target)
  double scale = kNaN;
  double start = kNaN, fitted = kNaN;  // simulated (mean over the seeds)
  double residual_start = kNaN, residual_fitted = kNaN;
  bool pass_start = false, pass = false;  // validation::meets in every seed
  std::string reason;                     // why it fails at the fit
  double replicate_mean = kNaN, replicate_sd = kNaN;
};

struct Result {
  std::string scenario;  // the scenario file fitted
  std::string model;
  std::vector<ParameterResult> parameters;
  std::vector<ComponentResult> components;
  double loss_start = kNaN, loss_fitted = kNaN;
  int search_evaluations = 0;       // the optimiser's evaluations (at most the budget)
  int search_points = 0;            // of them, points not evaluated before (a repeated point is not rerun)
  int uncertainty_evaluations = 0;  // new points for the Jacobian
  int replicate_runs = 0;
  int runs = 0;  // simulations in all (each point runs every seed)
  std::vector<std::uint64_t> replicate_seeds;
  double step = 0.05;                           // the Jacobian's step, as a share of each range
  std::vector<std::vector<double>> covariance;  // of the fitted values, in their units (empty: none)
  std::string stopped;                          // why the search ended
  bool interrupted = false;
  double elapsed_s = 0;
  std::vector<std::string> notes;  // identifiability, uncomputable values, bounds hit
};

// Checks everything that can be checked before a run (InputError naming the key): the problem
// itself, each parameter applied at its bounds and start to the scenario (a key the scenario or
// its model does not have, a value out of its range, a key that changes nothing), the budget.
// Returns the start values.
std::vector<double> check(const Problem& p, const std::string& scenario_path, const Environment& env);

// Runs the search. The start is evaluated first: a pattern whose measure cannot be computed from
// the scenario's runs is an InputError then. When `env.stop` is raised during the search the
// result holds the best point so far (interrupted = true; no uncertainty).
Result calibrate(const Problem& p, const std::string& scenario_path, const Environment& env,
                 const ProgressFn& progress = {});

// The loss at one point (every seed run): for tests and for the report.
double loss_at(const Problem& p, const std::string& scenario_path, const Environment& env,
               const std::vector<double>& x);

// The fitted values as overrides (shortest round-trip text, so the file gives exactly them).
std::vector<Override> fitted_overrides(const Problem& p, const Result& r);

// Presentation: the report as text and JSON; the fitted scenario as YAML (`program` names the
// attune version for its header).
std::string format_report(const Problem& p, const Result& r);
std::string format_json(const Problem& p, const Result& r);
std::string fitted_yaml(const Problem& p, const Result& r, const Environment& env,
                        const std::string& program);

// The first line of every file calibrate writes (so that --force replaces only such a file).
inline constexpr const char* kYamlMark = "# Fitted by attune calibrate";
inline constexpr const char* kJsonMark = "{\"kind\": \"attune calibrate\"";

}  // namespace attune::sim::calibration
