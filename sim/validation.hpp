// The validation suite (DESIGN.md principle 6, docs/VALIDATION.md): published patterns a model
// is checked against, as data. Each pattern is a YAML file under validation/ naming a scenario per
// model, a measure computed from the run's result tables, and a target with its accept region and
// its source. This library loads the files, runs the scenarios (sim::simulate), computes the
// measures and judges them; it knows no command line and no particular model (the caller passes
// the models and the loader's spec).
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "sim/model.hpp"
#include "sim/scenario.hpp"
#include "sim/simulation.hpp"
#include "sim/table.hpp"

namespace attune::sim::validation {

inline constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
inline constexpr double kInf = std::numeric_limits<double>::infinity();

// What a number must be to pass: inside [low, high] (a published value with its tolerance, or a
// bound), or on one side of zero with p below alpha.
struct Target {
  double value = kNaN;  // the published value, shown beside the interval (NaN: none)
  double low = -kInf, high = kInf;
  int direction = 0;    // +1 greater than 0, −1 less than 0 (with alpha); 0: an interval
  double alpha = kNaN;  // significance level of a direction
  std::string text() const;
};

// Rows whose column, as text (numbers in shortest round-trip form), is one of the values.
struct Filter {
  std::string column;
  std::vector<std::string> values;
};

// One protocol-phase contrast of a phase_contrast measure: phase − reference, paired by infant.
struct PhaseContrast {
  std::string name, column, phase, reference;
};

struct Measure {
  enum Kind { mean, class_shares, point_biserial, phase_contrast, sample_peak_time, group_contrast, kappa };
  Kind kind = mean;
  std::string table = "infants";  // mean: infants | phases
  std::string column;             // mean: the column; point_biserial: the numeric column
  std::vector<std::pair<std::string, std::string>> column_for;  // per model, when names differ
  std::vector<Filter> where;               // rows used (of /infants, /protocol/phases or /protocol/samples)
  std::string protocol;                    // phase_contrast, sample_peak_time, group_contrast's cortisol_rise
  std::string phase;                       // sample_peak_time, cortisol_rise: the phase whose onset counts
  std::string classes = "B";               // point_biserial: the class letters that count as 1
  std::vector<PhaseContrast> contrasts;    // phase_contrast
  std::string group_by, group, reference;  // group_contrast: a text column of /infants and two of its values
  double scale = 1.0;                      // mean: the value is multiplied by this
  std::string name;                        // the component's name for a one-number measure (optional)
  // The column for a model (`column: {reference: attunement, mutual: sensitivity}`), else column.
  const std::string& column_of(const std::string& model) const;
};

// One number a measure yields, with the target it is judged against. A measure with several
// (class shares, contrasts) names them: a class letter, a contrast's name, an outcome.
struct Component {
  std::string name;
  Target target;
};

struct Pattern {
  std::string file;  // as given (messages, output)
  std::string name, level, description;
  std::string cite;                                            // short: "Tronick & Cohn 1989"
  std::string source;                                          // the full citation
  std::vector<std::pair<std::string, std::string>> scenarios;  // model → scenario path (resolved)
  std::vector<Override> quick;                                 // overrides for --quick
  std::vector<std::uint64_t> seeds;                            // full suite; --quick uses the first
  std::vector<std::pair<std::string, std::string>> notes;      // model → why it fails, as far as known
  Measure measure;
  std::vector<Component> components;
  const std::string* scenario_for(const std::string& model) const;
};

inline constexpr const char* kLevels[] = {"micro", "meso", "macro", "observed"};

// Reads one pattern file (InputError / ScenarioError naming the file, line, column and key).
Pattern load_pattern(const std::string& path);
Pattern parse_pattern(const std::string& text, const std::string& source, const std::string& dir);
// Every *.yaml directly in `dir`, in name order, ordered by level (micro, meso, macro, observed).
std::vector<Pattern> load_patterns(const std::string& dir);

// The value of each component in one run (NaN when it cannot be computed) and its p-value (NaN
// when the measure has none). Throws Unmeasurable when the model does not record what the
// measure needs (a missing column: a missing mechanism, so the pattern fails).
struct Unmeasurable : std::runtime_error {
  using std::runtime_error::runtime_error;
};
struct Value {
  Value() = default;
  Value(double v, double p_value, std::size_t count) : value(v), p(p_value), n(count) {}
  double value = kNaN, p = kNaN;
  std::size_t n = 0;
  std::string missing;  // why the value could not be measured (a column the model does not record)
  std::string note;     // added to a failure's reason (e.g. the curve still rises at the last sample)
};
std::vector<Value> measure(const Pattern& p, const Scenario& s, const RunResult& r);

// Whether a value meets a target; otherwise why not (which side, by how much).
bool meets(const Target& t, const Value& v, std::string* reason = nullptr);

struct ComponentResult {
  std::string name;
  Target target;
  std::vector<Value> per_seed;
  double mean = kNaN, se = kNaN;  // over seeds (SE: NaN with one seed)
  int seeds_passed = 0;
  bool pass = false;
  std::string reason;  // for a failure
};

struct PatternResult {
  const Pattern* pattern = nullptr;
  std::string model;
  enum Status { pass, fail, not_applicable } status = not_applicable;
  std::string reason;  // for a failure or non-applicability
  std::vector<std::uint64_t> seeds;
  std::vector<ComponentResult> components;
  double elapsed_s = 0;
};
const char* status_name(PatternResult::Status s);
// The pattern file's note on why this result's model fails it, for a failure; "" otherwise (a
// note explains a failure, never a pass it no longer describes).
std::string failure_note(const PatternResult& r);

// What running the suite needs from the caller.
struct Environment {
  ModelSpec spec;  // the loader's spec (resolves a scenario's `model:` key)
  std::function<const Model&(const std::string&)> model;
  int threads = 0;
  bool quick = false;
  std::vector<std::uint64_t> seeds;                  // replaces every pattern's seeds (--seeds) if set
  const std::atomic<bool>* stop = nullptr;           // set: the run stops (sim::Interrupted)
  std::function<void(const std::string&)> progress;  // one line per run, or empty
};

// Runs every pattern for every model named (a pattern with no scenario for a model is not
// applicable to it). Runs with the same scenario, overrides and seed are shared between patterns.
// Scenarios are loaded (and checked) before anything is simulated.
std::vector<PatternResult> run_suite(const std::vector<Pattern>& patterns,
                                     const std::vector<std::string>& models, const Environment& env);

// Presentation (the CLI prints these; docs/VALIDATION.md is the Markdown).
std::string format_table(const std::vector<PatternResult>& results);
// The results as JSON; the text starts with kJsonMark, by which --force knows a file it may replace.
inline constexpr const char* kJsonMark = "{\"kind\": \"attune validate\"";
std::string format_json(const std::vector<PatternResult>& results, bool quick);
std::string format_markdown(const std::vector<Pattern>& patterns, const std::vector<PatternResult>& results,
                            const std::vector<std::string>& models, bool quick, double elapsed_s,
                            double cpu_s);
// One row per (model, pattern, component), for HDF5.
Table results_table(const std::vector<PatternResult>& results);

}  // namespace attune::sim::validation
