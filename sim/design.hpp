// Designed experiments: the `sweep:` section of a scenario turned into a list of points, each a
// set of scenario-key overrides (docs/SCENARIOS.md, "Sweeps").
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <string>
#include <vector>

#include "sim/scenario.hpp"
#include "sim/yaml_reader.hpp"

namespace attune::sim {

enum class DesignKind { factorial, points, latin_hypercube, sobol, saltelli, morris, csv };

// Where a design value came from, so that a point the scenario rejects is reported there.
struct ValueSource {
  std::string where;  // "file:line:column" (YAML or CSV)
};

struct Design {
  DesignKind kind = DesignKind::factorial;
  std::vector<std::string> factors;  // dotted scenario keys, in column order
  // points × factors; each value is YAML text (numbers printed so that they read back exactly);
  // an empty string means "this point does not set this factor" (explicit points only).
  std::vector<std::vector<std::string>> values;
  std::vector<std::vector<ValueSource>> sources;  // same shape as values
  std::vector<std::int64_t> point_ids;            // one per point (CSV point_id, else 0..n-1)
  int replicates = 1;
  // Saltelli: row role per point ("A", "B", "AB1".."ABD"), SALib's order. Morris: trajectory
  // index per point. Empty for other designs.
  std::vector<std::string> roles;
  std::vector<std::int64_t> trajectory;
  // Sampling designs keep their bounds (for analysis): per factor min, max, log scale.
  std::vector<double> lower, upper;
  std::vector<bool> log_scale;
  int morris_levels = 0;
  std::int64_t samples = 0;  // N as given (base samples for Saltelli, trajectories for Morris)

  std::size_t points() const { return values.size(); }
  std::size_t runs() const { return values.size() * static_cast<std::size_t>(replicates); }
};

// Reads `sweep:` (already located by the caller) and builds the design. `reader` names errors;
// `base_dir` resolves a relative CSV path; `seed` drives the random designs (Latin hypercube,
// Morris) through counter-based streams, so the design depends on nothing else.
Design read_design(const Reader& reader, const YAML::Node& sweep, const std::string& base_dir,
                   std::uint64_t seed);

// Design generators on the unit hypercube (rows × dims, values in [0,1); Morris grids reach 1),
// exposed for tests. Sobol rows start at (0.5, ..., 0.5): Boost skips the all-zeros point.
std::vector<std::vector<double>> latin_hypercube(std::size_t n, std::size_t dims, std::uint64_t seed);
std::vector<std::vector<double>> sobol_points(std::size_t n, std::size_t dims);
// Saltelli without second order: N·(D+2) rows from a 2D-dimensional Sobol sequence, ordered as
// SALib's saltelli.sample(calc_second_order=False): for each j: A_j, AB_j^1..AB_j^D, B_j.
std::vector<std::vector<double>> saltelli(std::size_t n, std::size_t dims, std::vector<std::string>* roles);
// Morris: n trajectories of dims+1 points on a `levels`-level grid, step Δ = levels/(2(levels−1)).
std::vector<std::vector<double>> morris(std::size_t n, std::size_t dims, int levels, std::uint64_t seed,
                                        std::vector<std::int64_t>* trajectory);

// Per-run seed from (master seed, point, replicate): the first word of one Philox4x64-10 block,
// key {master, 0}, counter {point, replicate, Purpose::run_seed, 0}.
std::uint64_t run_seed(std::uint64_t master, std::uint64_t point, std::uint64_t replicate);

std::string_view design_name(DesignKind kind);

}  // namespace attune::sim
