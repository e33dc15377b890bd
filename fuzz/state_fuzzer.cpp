// libFuzzer: the state and checkpoint reader (`initial_state:`, `attune run --resume`).
//
// The input describes a state file, not its bytes: attributes (as text or numbers) and the
// shapes and values of its tables, written as a well-formed HDF5 file that read_state then reads.
// This is attune's part: what it makes of the attributes and tables HDF5 returns. (Fuzzing the
// raw bytes mostly exercises HDF5's own parser, which is not instrumented here; its first run
// found an endless loop inside HDF5 1.10 reading a damaged global heap: docs/RELIABILITY.md.)
#include <fuzzer/FuzzedDataProvider.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "fuzz/common.hpp"
#include "sim/errors.hpp"
#include "sim/hdf5_file.hpp"
#include "sim/run_state.hpp"

namespace {

const char* const kAttributes[] = {"kind", "state_version", "model",    "scenario",
                                   "seed", "stage",         "next_day", "units"};
const char* const kTables[] = {"state/infants", "state/relationships",       "state/caregivers",
                               "state/current", "record/protocol0/measures", "record/daily/fear"};

double value(FuzzedDataProvider& in) {
  switch (in.ConsumeIntegralInRange<int>(0, 5)) {
    case 0:
      return in.ConsumeFloatingPoint<double>();  // anything, NaN and infinities included
    case 1:
      return -1.0;
    case 2:
      return 1e300;
    default:
      return static_cast<double>(in.ConsumeIntegralInRange<int>(0, 8));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace attune;
  FuzzedDataProvider in(data, size);
  const std::string path = "/tmp/attune-fuzz-state-" + std::to_string(getpid()) + ".h5";
  std::remove(path.c_str());  // the last input's file need not be one attune may replace
  {
    sim::OutputFile out(path, false);
    for (const char* key : kAttributes) {
      switch (in.ConsumeIntegralInRange<int>(0, 3)) {
        case 0:
          break;  // missing
        case 1:
          out.attribute(key, in.ConsumeIntegral<std::uint64_t>());
          break;
        case 2:
          out.attribute(key, in.ConsumeRandomLengthString(24));
          break;
        default:  // what write_state writes
          if (std::string(key) == "kind")
            out.attribute(key, std::string("state"));
          else if (std::string(key) == "model")
            out.attribute(key, std::string("reference"));
          else if (std::string(key) == "scenario")
            out.attribute(key, std::string("name: x\n"));
          else
            out.attribute(key, static_cast<std::uint64_t>(in.ConsumeIntegralInRange<int>(0, 4)));
      }
    }
    for (const char* table : kTables) {
      if (!in.ConsumeBool()) continue;
      const auto rows = in.ConsumeIntegralInRange<std::size_t>(0, 6);
      const auto cols = in.ConsumeIntegralInRange<std::size_t>(0, 4);
      std::vector<double> values(rows * cols);
      for (double& v : values) v = value(in);
      out.write_matrix(table, values, cols);
    }
    out.commit();
  }
  try {
    sim::read_state(path);
  } catch (const sim::InputError&) {  // not a state file this attune reads: exit 2
  }
  return 0;
}
