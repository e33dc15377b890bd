// `attune validate`: runs the published patterns of validation/ against the models and prints
// the table (docs/VALIDATION.md). The library is sim/validation.hpp; this only parses and prints.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

namespace CLI {  // NOLINT(readability-identifier-naming): CLI11's namespace
class App;
}

namespace attune::app {

struct ValidateArgs {
  std::string dir = "validation";  // the pattern files
  std::string model;               // one model; "" for every model in the catalog
  bool quick = false;
  std::vector<std::uint64_t> seeds;   // replace every pattern's seeds (--seeds); empty: the files'
  std::vector<std::string> patterns;  // only these patterns, by name (--pattern); empty: all
  bool json = false;                  // print JSON instead of the table
  bool markdown = false;              // print docs/VALIDATION.md instead of the table
  std::string output;                 // results file: .h5 or .json ("" for none)
  bool force = false;
  int threads = 0;
  bool quiet = false;
};

// Registers the `validate` subcommand and its options on `app`.
CLI::App* add_validate_command(CLI::App& app, ValidateArgs& args);

// 0 when every applicable pattern passes for the models asked for, 1 when one fails.
int validate_command(const ValidateArgs& args, const std::atomic<bool>& stop);

}  // namespace attune::app
