// libFuzzer: the design CSV reader (`sweep: {design: csv, file: ...}`), on the input as the file.
#include <yaml-cpp/yaml.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz/common.hpp"
#include "sim/design.hpp"
#include "sim/errors.hpp"
#include "sim/yaml_reader.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace attune;
  const std::string path = fuzz::scratch_file(data, size, ".csv");
  const YAML::Node sweep = YAML::Load("{design: csv, replicates: 1, file: '" + path + "'}");
  try {
    const sim::Reader rd("fuzz.yaml", {});
    sim::read_design(rd, sweep, "", 1);
  } catch (const sim::InputError&) {
  }
  return 0;
}
