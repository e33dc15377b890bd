// libFuzzer: the state and checkpoint reader (`initial_state:`, `attune run --resume`), on the
// input as an HDF5 file. HDF5 itself is not instrumented; what is checked is attune's reading of
// what HDF5 returns (sizes, attributes, shapes).
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz/common.hpp"
#include "sim/errors.hpp"
#include "sim/run_state.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace attune;
  const std::string path = fuzz::scratch_file(data, size, ".h5");
  try {
    sim::read_state(path);
  } catch (const sim::Error&) {  // InputError for a file that is not a state; OutputError from HDF5
  }
  return 0;
}
