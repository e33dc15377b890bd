// Group comparisons of an outcome table: per-group estimates with 95% intervals and contrasts
// against the first group (differences, risk ratios, effect sizes), independent or paired.
// Formulas and references are in docs/COMPARE.md; `attune compare` reads the files and prints.
//
// Two layers: the statistics (counts and samples in, numbers out) and compare(), which splits a
// Table into groups, strata and pairs and applies them. Neither knows of files or the command line.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "sim/table.hpp"

namespace attune::sim::compare {

inline constexpr double kZ95 = 1.959963984540054;                  // the 0.975 quantile of N(0, 1)
inline constexpr int kResamples = 2000;                            // bootstrap resamples of Cohen's d and d_z
inline constexpr std::uint64_t kBootstrapSeed = 0x636f6d70617265;  // "compare": a fixed key

// ---------------------------------------------------------------------------------------------
// Statistics

struct Interval {
  double estimate, low, high;
};

// The p quantile of Student's t with df degrees of freedom (Boost.Math).
double t_quantile(double p, double df);

// k of n with the Wilson score 95% interval; NaN for n = 0.
Interval wilson(std::size_t k, std::size_t n);

// The mean with its t-based 95% interval (NaN interval for fewer than two values).
Interval mean_interval(const std::vector<double>& x);

// A contrast between groups. NaN where a quantity does not apply (risk ratio of means) or is
// undefined (Cohen's d with zero spread).
struct Effect {
  double difference, ci_low, ci_high;
  std::string effect_size_name;  // cohen_h, cohen_d or d_z
  double effect_size, es_ci_low, es_ci_high;
  double log_odds_d, lod_ci_low, lod_ci_high;  // ln(OR)·√3/π (proportions only)
  double risk_ratio, rr_ci_low, rr_ci_high;    // proportions only
  bool corrected = false;                      // 0.5 was added to the cells (a zero count) for the OR or RR
};
Effect no_effect();

struct Count {
  std::size_t k, n;  // k of n rows have the property
};

// Σ c_i p_i over independent proportions: c = {1, −1} compares a group with the reference,
// {1, −1, −1, 1} is the interaction of a 2 × 2 grid. Interval: MOVER with Wilson limits (for
// two groups, Newcombe's hybrid score method 10); the risk ratio is exp(Σ c_i ln p_i) with the
// Katz log interval, the log-odds d (Σ c_i logit p_i)·√3/π with Woolf's interval, Cohen's h
// Σ c_i 2 asin √p_i with the interval ± z √(Σ c_i²/n_i).
Effect proportion_contrast(const std::vector<Count>& groups, const std::vector<double>& c);

// Matched pairs (group, reference): a both, b the group only, c the reference only, d neither.
struct PairedCounts {
  std::size_t both, group_only, reference_only, neither;
};
// Difference with Newcombe's paired method 10 (Wilson limits and the phi correlation), risk ratio
// with the matched-pairs log interval, log-odds d from McNemar's conditional odds ratio b/c, and
// Cohen's h with the interval ± z √((2 − 2φ)/n).
Effect paired_proportion_contrast(const PairedCounts& p);

// Σ c_i mean_i over independent samples: Welch–Satterthwaite t interval, and Cohen's d
// (Σ c_i mean_i over the pooled sd) with a percentile bootstrap interval (each group resampled
// with replacement, `resamples` times, from counter-based streams with a fixed key).
Effect mean_contrast(const std::vector<std::vector<double>>& groups, const std::vector<double>& c,
                     int resamples = kResamples);

// Paired samples (group[i] pairs with reference[i]): paired t interval of the mean difference,
// and d_z (mean difference over the sd of the differences) with a percentile bootstrap of pairs.
Effect paired_mean_contrast(const std::vector<double>& group, const std::vector<double>& reference,
                            int resamples = kResamples);

// The q quantile of `x` by linear interpolation between order statistics (R's type 7, NumPy's
// default); sorts x.
double quantile(std::vector<double>& x, double q);

// ---------------------------------------------------------------------------------------------
// Grouping a table

struct Spec {
  std::vector<std::string> by;                   // one or two grouping columns
  std::vector<std::vector<std::string>> levels;  // per grouping column, its values in order
                                                 // (first: reference); empty: default_levels()
  std::vector<std::string> strata;               // columns splitting the rows into separate analyses
  std::vector<std::string> pair_by;     // columns identifying a unit across groups; empty: independent
  std::vector<std::string> outcomes;    // numeric columns (means) or text columns (class shares)
  std::vector<std::string> categories;  // the categories of a text outcome, in order (B, A, C, D);
                                        // empty: the values in order of first appearance
  int resamples = kResamples;
};

struct GroupResult {
  std::string group;
  std::vector<std::string> levels;  // the value of each grouping column
  std::size_t n;
  Interval value;
};

struct ContrastResult {
  std::string group, reference;
  std::string type;  // "difference" (group − reference) or "interaction" (difference of differences)
  std::size_t n;     // pairs when paired, else the rows of the groups involved
  Effect effect;
};

struct OutcomeResult {
  std::string outcome;  // the column, or the category (B) of a text column
  std::string column;
  std::string stratum;  // "" without strata, else "protocol=still_face" and the like
  enum Kind { proportion, mean } kind;
  std::vector<GroupResult> groups;
  std::vector<ContrastResult> contrasts;
};

struct Result {
  std::vector<std::string> by;
  bool paired = false;
  std::vector<GroupResult> groups;  // every group with its row count (value unused)
  std::vector<OutcomeResult> outcomes;
};

// The text shown for row `row` of `c` (numbers in their shortest round-trip form).
std::string cell_text(const Column& c, std::size_t row);
// Numbers ascending; text in order of first appearance.
std::vector<std::string> default_levels(const Column& c);

// Throws InputError for a column that is missing or of the wrong kind, a pairing key repeated
// within a group, or a grouping with fewer than two groups.
Result compare(const Table& t, const Spec& spec);

}  // namespace attune::sim::compare
