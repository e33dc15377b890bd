// libFuzzer: the scenario loader (YAML text → validated Scenario, and back to YAML). Bad input
// must end in attune's InputError, never a crash, a hang or a sanitizer report.
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz/common.hpp"
#include "sim/errors.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace attune;
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    const sim::Scenario s = sim::parse_scenario(text, "fuzz.yaml", {}, fuzz::spec());
    // What loads must print and load back (the `check` round trip).
    const std::string again = sim::to_yaml(s, fuzz::spec());
    sim::parse_scenario(again, "fuzz-resolved.yaml", {}, fuzz::spec());
  } catch (const sim::InputError&) {
  }
  return 0;
}
