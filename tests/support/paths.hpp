// Where the tests find the source tree and the built `attune`, how they run it, and temporary
// folders that clean up after themselves.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace attune::test {

namespace fs = std::filesystem;

fs::path source_dir();     // the repository root
fs::path data_dir();       // tests/data: input fixtures
std::string attune_exe();  // the built command-line binary

struct CliResult {
  int status = -1;     // the exit status; -1 if the process did not exit normally
  std::string output;  // stdout and stderr together
};
// Runs `attune ARGS...` (each argument passed verbatim, no shell expansion).
CliResult run_attune(const std::vector<std::string>& args);
// Runs a shell command line (for pipelines and launchers such as mpirun).
CliResult run_shell(std::string command);
// An argument quoted for the shell.
std::string quote(const std::string& arg);

// A fresh, empty folder under the system temporary folder, removed with everything in it.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const fs::path& path() const { return path_; }
  fs::path operator/(std::string_view name) const { return path_ / name; }
  // Names of everything in the folder, sorted.
  std::vector<std::string> list() const;

 private:
  fs::path path_;
};

std::string read_text(const fs::path& path);
void write_text(const fs::path& path, std::string_view text);

}  // namespace attune::test
