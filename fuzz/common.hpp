// Shared by the libFuzzer harnesses (docs/RELIABILITY.md, "Fuzzing"): the reference model's key
// tables for the loader, and a scratch file for readers that take a path.
#pragma once

#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>

#include "models/catalog.hpp"
#include "sim/scenario.hpp"
#include "sim/simulation.hpp"

namespace attune::fuzz {

inline const sim::ModelSpec& spec() {
  static const sim::ModelSpec s = sim::model_spec(models::default_model());
  return s;
}

// `data` written to this process's scratch file (a fixed name, rewritten on every input); returns
// its path.
inline std::string scratch_file(const std::uint8_t* data, std::size_t size, const char* suffix) {
  static const std::string path = "/tmp/attune-fuzz-" + std::to_string(getpid()) + suffix;
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) __builtin_trap();
  if (size) std::fwrite(data, 1, size, f);
  std::fclose(f);
  return path;
}

}  // namespace attune::fuzz
