// libFuzzer: the --set parser. The input is one or more lines, each a --set argument
// (KEY.PATH=VALUE), applied to a small valid scenario.
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>
#include <vector>

#include "fuzz/common.hpp"
#include "sim/errors.hpp"

namespace {
const char* const kBase = R"(name: fuzz
seed: 3
time: {days: 2, sessions_per_day: 2, session_s: 60, dt: 1}
population: {infants: 4}
profiles:
  - name: low
    weight: 3
  - name: high
    caregiver:
      baseline_stress: {dist: lognormal, mean: 1.2, log_sd: 0.3}
)";
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace attune;
  std::istringstream in(std::string(reinterpret_cast<const char*>(data), size));
  try {
    std::vector<sim::Override> sets;
    for (std::string line; std::getline(in, line) && sets.size() < 8;)
      sets.push_back(sim::parse_override(line));
    sim::parse_scenario(kBase, "base.yaml", sets, fuzz::spec());
  } catch (const sim::InputError&) {
  }
  return 0;
}
