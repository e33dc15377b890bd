// The two pieces of JSON text the reports write by hand (validate, calibrate, compare): a quoted,
// escaped string and a number (null when not finite, as JSON has no NaN or infinity).
#pragma once

#include <fmt/format.h>

#include <cmath>
#include <string>

namespace attune::sim {

inline std::string json_string(const std::string& s) {
  std::string out = "\"";
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == '"' || c == '\\')
      out += '\\', out += ch;
    else if (c == '\n')
      out += "\\n";
    else if (c < 0x20)
      out += fmt::format("\\u{:04x}", static_cast<unsigned>(c));
    else
      out += ch;
  }
  return out + "\"";
}

inline std::string json_number(double v) { return std::isfinite(v) ? fmt::format("{}", v) : "null"; }

}  // namespace attune::sim
