// All of attune's exception types. Library code throws these; only main() turns them into
// exit statuses: InputError → 2 (the user can fix the input), anything else → 1.
#pragma once

#include <stdexcept>
#include <string>

namespace attune::sim {

struct Error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Bad input: a scenario, an override, a command-line value, an output path that exists.
struct InputError : Error {
  using Error::Error;
};

// An input error located in a scenario file: "file:line:column: key.path: message".
struct ScenarioError : InputError {
  ScenarioError(const std::string& where, const std::string& path, const std::string& message)
      : InputError(where + ": " + (path.empty() ? "" : path + ": ") + message), key_path(path) {}
  std::string key_path;
};

// HDF5 or file-system failures while writing or reading results.
struct OutputError : Error {
  using Error::Error;
};

}  // namespace attune::sim
