// The check every seed option shares (run/sweep --seed, calibrate and validate --seeds).
#pragma once

#include <CLI/CLI.hpp>

#include <charconv>
#include <cstdint>
#include <string>
#include <system_error>

namespace attune::app {

// A seed is a whole number from 0 to 2^64 - 1. CLI11 alone would wrap "-1" and clamp 2^64 to
// 2^64 - 1 and run; std::from_chars refuses both.
inline CLI::Validator seed_check() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        std::uint64_t v = 0;
        const char* end = text.data() + text.size();
        const auto [at, ec] = std::from_chars(text.data(), end, v);
        if (text.empty() || ec != std::errc() || at != end)
          return "seed '" + text + "' is not a whole number from 0 to 18446744073709551615";
        return {};
      },
      "SEED");
}

}  // namespace attune::app
