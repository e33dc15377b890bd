// Reading validated values out of a YAML tree, with errors that name the file, line, column
// and key path (and the --set that supplied a value). Shared by scenario and sweep loading.
#pragma once

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "sim/errors.hpp"
#include "sim/param_info.hpp"
#include "sim/random.hpp"
#include "sim/scenario.hpp"

namespace attune::sim {

// Limits on what enters, in one place (docs/RELIABILITY.md). Every number read from a scenario
// is finite (Reader::number); these bound what finite numbers could still break.
inline constexpr std::size_t kMaxTextFile = std::size_t{16} << 20;  // bytes of a scenario or CSV file
inline constexpr double kMaxStepsPerSession = 1e9;  // session_s / dt; keeps step counts in int64
inline constexpr double kMaxDyadSteps = 1e15;       // per run: about 4 months at 1e8 dyad-steps/s
inline constexpr double kMinBetaShape = 0.04;       // min(mean, 1 - mean) × concentration
inline constexpr double kMaxConcentration = 1e6;    // beta concentration (sd below 0.0005)
inline constexpr double kMaxLogSd = 4.0;            // lognormal log-sd
inline constexpr double kMinNormalMass = 1e-3;      // share of a truncated normal inside the range

inline std::string fmt_number(double v) {
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  return fmt::format("{}", v);
}

inline std::string range_text(const ParamInfo& info) {
  return fmt::format("{}{}, {}{}", info.min_open ? "(" : "[", fmt_number(info.min), fmt_number(info.max),
                     info.max_open || std::isinf(info.max) ? ")" : "]");
}

inline bool in_range(double v, const ParamInfo& info) {
  if (info.min_open ? v <= info.min : v < info.min) return false;
  if (info.max_open ? v >= info.max : v > info.max) return false;
  return true;
}

// Walks a YAML tree, producing located errors.
class Reader {
 public:
  Reader(std::string source, std::vector<Override> overrides)
      : source_(std::move(source)), overrides_(std::move(overrides)) {}

  [[noreturn]] void fail(const YAML::Node& node, const std::string& path, const std::string& msg) const {
    throw ScenarioError(where(node, path), path, msg);
  }

  std::string where(const YAML::Node& node, const std::string& path) const {
    for (const Override& o : overrides_) {
      if (path == o.path || path.rfind(o.path + ".", 0) == 0 || o.path.rfind(path + ".", 0) == 0)
        return o.origin.empty() ? fmt::format("{} (--set {})", source_, o.value) : o.origin;
    }
    const YAML::Mark m = node.Mark();
    if (m.is_null() || m.line < 0) return source_;
    return fmt::format("{}:{}:{}", source_, m.line + 1, m.column + 1);
  }

  void expect_map(const YAML::Node& node, const std::string& path) const {
    if (!node.IsMap())
      fail(node, path, fmt::format("expected a mapping (key: value lines), got {}", kind(node)));
  }

  // Unknown keys are errors, with the nearest valid key suggested.
  void check_keys(const YAML::Node& map, const std::string& path,
                  const std::vector<std::string_view>& allowed,
                  const std::function<std::string(const std::string&)>& hint = {}) const {
    for (const auto& kv : map) {
      const std::string key = kv.first.Scalar();
      if (std::find(allowed.begin(), allowed.end(), key) != allowed.end()) continue;
      const std::string full = join(path, key);
      std::string extra = hint ? hint(key) : "";
      if (extra.empty()) {
        std::string_view best;
        std::size_t best_d = 1000;
        for (auto a : allowed) {
          const std::size_t d = edit_distance(key, a);
          if (d < best_d) best_d = d, best = a;
        }
        if (!best.empty() && best_d <= std::max<std::size_t>(2, key.size() / 3))
          extra = fmt::format("; did you mean '{}'?", best);
      }
      std::string list;
      for (auto a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
      fail(kv.first, full, fmt::format("unknown key{} (allowed here: {})", extra, list));
    }
  }

  double number(const YAML::Node& node, const std::string& path) const {
    if (!node.IsScalar()) fail(node, path, fmt::format("expected a number, got {}", kind(node)));
    double v = 0;
    if (!YAML::convert<double>::decode(node, v) || !std::isfinite(v))
      fail(node, path, fmt::format("expected a finite number, got '{}'", node.Scalar()));
    return v;
  }

  double number_in(const YAML::Node& node, const std::string& path, const ParamInfo& info) const {
    const double v = number(node, path);
    if (!in_range(v, info))
      fail(node, path, fmt::format("{} is out of range; allowed {}", node.Scalar(), range_text(info)));
    return v;
  }

  std::int64_t integer(const YAML::Node& node, const std::string& path, std::int64_t lo,
                       std::int64_t hi) const {
    if (!node.IsScalar()) fail(node, path, fmt::format("expected a whole number, got {}", kind(node)));
    long long v = 0;
    if (!YAML::convert<long long>::decode(node, v))
      fail(node, path, fmt::format("expected a whole number, got '{}'", node.Scalar()));
    if (v < lo || v > hi) fail(node, path, fmt::format("{} is out of range; allowed {} to {}", v, lo, hi));
    return v;
  }

  // A seed or a non-empty list of distinct seeds (`seeds: 4` or `seeds: [1, 2, 3]`).
  std::vector<std::uint64_t> seeds(const YAML::Node& node, const std::string& path) const {
    if (node.IsScalar()) return {static_cast<std::uint64_t>(integer(node, path, 0, INT64_MAX))};
    if (!node.IsSequence() || node.size() == 0) fail(node, path, "expected a list of seeds, e.g. [1, 2, 3]");
    std::vector<std::uint64_t> out;
    for (std::size_t i = 0; i < node.size(); ++i) {
      const std::string at = fmt::format("{}.{}", path, i);
      out.push_back(static_cast<std::uint64_t>(integer(node[i], at, 0, INT64_MAX)));
      if (repeated_seed(out)) fail(node[i], at, fmt::format("seed {} is given twice", out.back()));
    }
    return out;
  }

  std::string text(const YAML::Node& node, const std::string& path) const {
    if (!node.IsScalar()) fail(node, path, fmt::format("expected text, got {}", kind(node)));
    return node.Scalar();
  }

  static std::string join(const std::string& path, const std::string& key) {
    return path.empty() ? key : path + "." + key;
  }

 private:
  static std::string kind(const YAML::Node& n) {
    if (n.IsMap()) return "a mapping";
    if (n.IsSequence()) return "a list";
    if (n.IsNull()) return "nothing";
    return "'" + n.Scalar() + "'";
  }

  std::string source_;
  std::vector<Override> overrides_;
};

}  // namespace attune::sim
