#include "sim/cli/text_output.hpp"

#include <fmt/format.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "sim/errors.hpp"
#include "sim/hdf5_file.hpp"

namespace attune::app {
namespace {

namespace fs = std::filesystem;

bool starts_with_mark(const std::string& path, std::string_view mark) {
  std::ifstream in(path, std::ios::binary);
  std::string head(mark.size(), '\0');
  in.read(head.data(), static_cast<std::streamsize>(head.size()));
  return in && head == mark;
}

}  // namespace

void check_text_output(const std::string& path, bool force, const std::vector<std::string>& inputs,
                       std::string_view mark) {
  std::error_code ec;
  const fs::file_status st = fs::symlink_status(path, ec);
  if (force && fs::is_regular_file(st) && starts_with_mark(path, mark)) {
    for (const std::string& in : inputs)
      if (fs::equivalent(path, in, ec))
        throw sim::InputError(fmt::format("{}: is also an input ({}); write the output elsewhere", path, in));
    return;
  }
  sim::check_output_path(path, force, inputs);
}

void write_atomically(const std::string& path, const std::string& text) {
  const std::string tmp = sim::hidden_beside(path, "tmp");
  {
    std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
    f << text;
    f.flush();
    if (!f) {
      std::remove(tmp.c_str());
      throw sim::OutputError(fmt::format("{}: cannot write", tmp));
    }
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::remove(tmp.c_str());
    throw sim::OutputError(fmt::format("{}: cannot rename into place", path));
  }
}

}  // namespace attune::app
