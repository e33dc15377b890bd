// `attune calibrate SCENARIO --targets FILE`: fits scenario parameters to published patterns
// (docs/CALIBRATION.md, "attune calibrate"). The library is sim/calibration.hpp; this only
// parses, prints and writes the files.
#pragma once

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace CLI {  // NOLINT(readability-identifier-naming): CLI11's namespace
class App;
}

namespace attune::app {

struct CalibrateArgs {
  std::string scenario;
  std::string targets;            // the targets file
  std::vector<std::string> fits;  // --fit KEY=MIN:MAX[@START]
  std::vector<std::string> sets;  // --set KEY=VALUE (fixed)
  std::vector<std::uint64_t> seeds;
  std::optional<int> budget;
  std::string algorithm;
  int threads = 0;
  int replicates = 0;
  bool no_uncertainty = false;
  std::string output;  // the fitted scenario (YAML)
  std::string report;  // the report as JSON
  bool json = false;   // print the report as JSON instead of text
  bool quiet = false;
  bool force = false;
};

// Registers the `calibrate` subcommand and its options on `app`.
CLI::App* add_calibrate_command(CLI::App& app, CalibrateArgs& args);

// 0 when the fit ran (whether or not every target is met: the report says), 2 for bad input;
// interrupted, it prints the best point so far and throws sim::Interrupted (nothing is written).
int calibrate_command(const CalibrateArgs& args, const std::atomic<bool>& stop);

}  // namespace attune::app
