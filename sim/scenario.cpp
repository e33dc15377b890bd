#include "sim/scenario.hpp"

#include <fmt/format.h>
#include <unistd.h>
#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "sim/errors.hpp"
#include "sim/experiment_reader.hpp"
#include "sim/yaml_reader.hpp"

namespace attune::sim {

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diag = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

Override parse_override(const std::string& text) {
  const auto eq = text.find('=');
  if (eq == std::string::npos || eq == 0)
    throw InputError(
        fmt::format("--set {}: expected KEY.PATH=VALUE, e.g. --set caregiver.attunement=0.8", text));
  return {text.substr(0, eq), text.substr(eq + 1)};
}

namespace {

const ParamInfo* find_param(std::span<const ParamInfo> table, const std::string& key) {
  for (const auto& p : table)
    if (p.key == key) return &p;
  return nullptr;
}

std::vector<std::string_view> keys_of(std::span<const ParamInfo> table) {
  std::vector<std::string_view> out;
  for (const auto& p : table) out.push_back(p.key);
  return out;
}

// The keys of each distribution form: the first sets Distribution::a, the second ::b.
struct DistForm {
  DistKind kind;
  const char* name;
  const char* key_a;
  const char* key_b;
};
constexpr DistForm kForms[] = {{DistKind::fixed, "fixed", "value", nullptr},
                               {DistKind::beta, "beta", "mean", "concentration"},
                               {DistKind::lognormal, "lognormal", "mean", "log_sd"},
                               {DistKind::normal, "normal", "mean", "sd"},
                               {DistKind::uniform, "uniform", "min", "max"}};

// Why draws from `d` would not be finite values within `info`'s range ("" when they are). The
// sampler draws normals from 32-bit uniforms, so |N| < 6.7; these bounds follow from that.
std::string draw_problem(const Distribution& d, const ParamInfo& info) {
  constexpr double max_normal = 6.7;
  switch (d.kind) {
    case DistKind::fixed:
      return "";
    case DistKind::beta: {
      // Gamma(shape < 1) draws use U^(1/shape): below this shape both can underflow to 0 (0/0).
      const double shape = std::min(d.a, 1.0 - d.a) * d.b;
      if (shape < kMinBetaShape)
        return fmt::format(
            "{} with mean {} gives draws that collapse to 0 or 1 (NaN in the model); the concentration "
            "must be at least {} here",
            fmt_number(d.b), fmt_number(d.a), fmt_number(kMinBetaShape / std::min(d.a, 1.0 - d.a)));
      if (d.b > kMaxConcentration)
        return fmt::format("{} is out of range; allowed up to {} (use a fixed value instead)",
                           fmt_number(d.b), fmt_number(kMaxConcentration));
      return "";
    }
    case DistKind::lognormal:
      if (d.b > kMaxLogSd)
        return fmt::format("{} is out of range; allowed [0, {}]", fmt_number(d.b), fmt_number(kMaxLogSd));
      if (!std::isfinite(d.a * std::exp(max_normal * d.b)))
        return fmt::format("mean {} with log_sd {} gives infinite draws", fmt_number(d.a), fmt_number(d.b));
      return "";
    case DistKind::normal: {
      if (d.b == 0) return "";
      if (!std::isfinite(d.a + max_normal * d.b) || !std::isfinite(d.a - max_normal * d.b))
        return fmt::format("{} is too large: draws would not be finite", fmt_number(d.b));
      // Draws outside the range are redrawn: most must fall inside it.
      const auto cdf = [&](double x) { return 0.5 * std::erfc(-(x - d.a) / (d.b * std::sqrt(2.0))); };
      const double inside =
          (std::isinf(info.max) ? 1.0 : cdf(info.max)) - (std::isinf(info.min) ? 0.0 : cdf(info.min));
      if (!(inside >= kMinNormalMass))
        return fmt::format(
            "{} is too wide for {}: only a fraction {:.2g} of draws fall in its range {}; "
            "narrow its sd",
            fmt_number(d.b), info.key, inside, range_text(info));
      return "";
    }
    case DistKind::uniform:
      if (!std::isfinite(d.b - d.a))
        return fmt::format("the width max - min = {} - {} is not a finite number", fmt_number(d.b),
                           fmt_number(d.a));
      return "";
  }
  return "";
}

// A plain number, or a map with 'dist'. A map without 'dist' edits `inherited` (the distribution
// it replaces), so `--set caregiver.attunement.concentration=50` keeps the mean.
Distribution read_distribution(const Reader& rd, const YAML::Node& node, const std::string& path,
                               const ParamInfo& info, const Distribution& inherited) {
  if (node.IsScalar()) return Distribution::fixed(rd.number_in(node, path, info));
  rd.expect_map(node, path);
  const YAML::Node kind_node = node["dist"];
  const std::string kind =
      kind_node ? rd.text(kind_node, path + ".dist") : std::string(dist_name(inherited.kind));
  const DistForm* form = nullptr;
  for (const DistForm& f : kForms)
    if (kind == f.name) form = &f;
  if (!form)
    rd.fail(
        kind_node, path + ".dist",
        fmt::format("unknown distribution '{}' (allowed: fixed, beta, lognormal, normal, uniform)", kind));
  std::vector<std::string_view> keys{"dist", form->key_a};
  if (form->key_b) keys.push_back(form->key_b);
  rd.check_keys(node, path, keys);
  const bool inherit = !kind_node;
  auto read = [&](const char* key, double fallback) {
    if (const YAML::Node n = node[key]) return rd.number(n, path + "." + key);
    if (!inherit) rd.fail(node, path, fmt::format("dist: {} needs '{}'", kind, key));
    return fallback;
  };
  auto at = [&](const char* key) { return node[key] ? node[key] : node; };
  Distribution d{form->kind, read(form->key_a, inherited.a),
                 form->key_b ? read(form->key_b, inherited.b) : 0.0};
  auto check_in_range = [&](const char* key, double v) {
    if (!in_range(v, info))
      rd.fail(at(key), path + "." + key,
              fmt::format("{} is out of range; allowed {}", fmt_number(v), range_text(info)));
  };
  auto check_spread = [&](const char* key, double v, bool allow_zero) {
    if (allow_zero ? v < 0 : v <= 0)
      rd.fail(at(key), path + "." + key,
              fmt::format("{} must be {}", fmt_number(v), allow_zero ? ">= 0" : "> 0"));
  };
  switch (d.kind) {
    case DistKind::fixed:
      check_in_range("value", d.a);
      break;
    case DistKind::beta:
      if (info.min < 0 || info.max > 1)
        rd.fail(kind_node ? kind_node : node, path + ".dist",
                fmt::format(
                    "beta is for parameters within [0, 1]; {} allows {}; use normal, lognormal or uniform",
                    info.key, range_text(info)));
      if (d.a <= 0 || d.a >= 1)
        rd.fail(at("mean"), path + ".mean",
                fmt::format("{} is out of range; a beta mean must lie in (0, 1)", fmt_number(d.a)));
      check_spread("concentration", d.b, false);
      break;
    case DistKind::lognormal:
      if (info.min < 0 || info.max != kInf)
        rd.fail(
            kind_node ? kind_node : node, path + ".dist",
            fmt::format("lognormal is for parameters in [0, inf); {} allows {}; use beta, normal or uniform",
                        info.key, range_text(info)));
      check_in_range("mean", d.a);
      check_spread("log_sd", d.b, true);
      break;
    case DistKind::normal:
      check_in_range("mean", d.a);
      check_spread("sd", d.b, true);
      break;
    case DistKind::uniform:
      check_in_range("min", d.a);
      check_in_range("max", d.b);
      if (d.a > d.b)
        rd.fail(at("max"), path + ".max",
                fmt::format("max {} is below min {}", fmt_number(d.b), fmt_number(d.a)));
      break;
  }
  // The parameters are each in range; now every draw must be a finite value in range too.
  if (const std::string why = draw_problem(d, info); !why.empty())
    rd.fail(at(form->key_b ? form->key_b : form->key_a),
            path + "." + (form->key_b ? form->key_b : form->key_a), why);
  return d;
}

void read_time(const Reader& rd, const YAML::Node& node, Schedule& s) {
  rd.expect_map(node, "time");
  rd.check_keys(node, "time", {"days", "sessions_per_day", "session_s", "dt"});
  if (auto n = node["days"]) s.days = static_cast<int>(rd.integer(n, "time.days", 1, 100000));
  if (auto n = node["sessions_per_day"])
    s.sessions_per_day = static_cast<int>(rd.integer(n, "time.sessions_per_day", 1, 1440));
  const ParamInfo positive{"", "", "", "", 0, 0, kInf, true};
  if (auto n = node["session_s"]) s.session_s = rd.number_in(n, "time.session_s", positive);
  if (auto n = node["dt"]) s.dt = rd.number_in(n, "time.dt", positive);
  const YAML::Node at = node["dt"] ? node["dt"] : node;
  if (s.dt > s.session_s)
    rd.fail(at, "time.dt",
            fmt::format("dt = {} s is longer than a session ({} s); allowed 0 < dt <= time.session_s", s.dt,
                        s.session_s));
  const double steps = s.session_s / s.dt;
  if (!(steps <= kMaxStepsPerSession))
    rd.fail(at, "time.dt",
            fmt::format("dt = {} s gives {} steps per {} s session; allowed at most {} (dt >= {} s)",
                        fmt_number(s.dt), fmt_number(steps), fmt_number(s.session_s),
                        fmt_number(kMaxStepsPerSession), fmt_number(s.session_s / kMaxStepsPerSession)));
  if (std::fabs(steps - std::round(steps)) > 1e-9 * steps)
    rd.fail(at, "time.dt",
            fmt::format("session_s = {} is not a whole number of steps of dt = {}", s.session_s, s.dt));
  if (s.session_s * s.sessions_per_day > 86400.0)
    rd.fail(
        node, "time",
        fmt::format("{} sessions of {} s do not fit in a day (86400 s)", s.sessions_per_day, s.session_s));
}

// `trace:` after time and population are known, so that ids and days can be checked.
void read_trace(const Reader& rd, const YAML::Node& node, Scenario& s) {
  rd.expect_map(node, "trace");
  rd.check_keys(node, "trace", {"infants", "days", "sessions"});
  auto list = [&](const char* key, std::int64_t hi, const char* what) {
    std::vector<std::int64_t> out;
    const YAML::Node n = node[key];
    if (!n) return out;
    const std::string path = std::string("trace.") + key;
    if (!n.IsSequence()) rd.fail(n, path, fmt::format("expected a list of {}, e.g. [0, 1]", what));
    for (std::size_t i = 0; i < n.size(); ++i) {
      const std::int64_t v = rd.integer(n[i], fmt::format("{}.{}", path, i), 0, hi);
      if (std::find(out.begin(), out.end(), v) != out.end())
        rd.fail(n[i], fmt::format("{}.{}", path, i), fmt::format("{} is listed twice", v));
      out.push_back(v);
    }
    std::sort(out.begin(), out.end());
    return out;
  };
  s.trace.infants = list("infants", s.infants - 1, "infant ids (0 to population.infants - 1)");
  for (auto d : list("days", s.schedule.days - 1, "days (0 to time.days - 1)"))
    s.trace.days.push_back(static_cast<int>(d));
  for (auto v : list("sessions", s.schedule.sessions_per_day - 1, "sessions within a day"))
    s.trace.sessions.push_back(static_cast<int>(v));
  if (s.trace.infants.empty() != s.trace.days.empty())
    rd.fail(node, "trace", "give both 'infants' and 'days' (lists of ids and of 0-based days)");
}

void read_profiles(const Reader& rd, const YAML::Node& node, const ModelSpec& spec,
                   const std::vector<Distribution>& base, std::vector<Profile>& out) {
  if (!node.IsSequence() || node.size() == 0)
    rd.fail(node, "profiles",
            "expected a non-empty list of profiles (- name: ..., weight: ..., caregiver: {...})");
  std::set<std::string> names;
  for (std::size_t i = 0; i < node.size(); ++i) {
    const YAML::Node p = node[i];
    const std::string path = fmt::format("profiles.{}", i);
    rd.expect_map(p, path);
    rd.check_keys(p, path, {"name", "weight", "description", "caregiver"});
    Profile prof{fmt::format("profile{}", i), "", 1.0, base};
    if (auto n = p["name"]) prof.name = rd.text(n, path + ".name");
    if (prof.name.empty() || prof.name.size() > 24 ||
        prof.name.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") !=
            std::string::npos)
      rd.fail(p["name"], path + ".name",
              fmt::format("'{}' is not a valid name (1 to 24 letters, digits, '_' and '-')", prof.name));
    if (!names.insert(prof.name).second)
      rd.fail(p["name"], path + ".name", fmt::format("profile name '{}' is used twice", prof.name));
    if (auto n = p["description"]) prof.description = rd.text(n, path + ".description");
    if (auto n = p["weight"]) {
      prof.weight = rd.number(n, path + ".weight");
      if (prof.weight <= 0)
        rd.fail(n, path + ".weight",
                fmt::format("{} must be > 0 (weights are relative shares)", prof.weight));
    }
    if (auto n = p["caregiver"]) read_caregiver(rd, n, path + ".caregiver", spec, prof.caregiver);
    out.push_back(std::move(prof));
  }
}

std::size_t caregiver_index(const ModelSpec& spec, std::string_view key) {
  const auto table = spec.params.caregiver;
  for (std::size_t i = 0; i < table.size(); ++i)
    if (table[i].key == key) return i;
  throw Error(fmt::format("model {}: a default correlation names '{}', not one of its caregiver parameters",
                          spec.name, key));
}

// Sorted by (a, b), zeros left out.
void set_correlation(std::vector<Correlation>& list, std::size_t a, std::size_t b, double rho) {
  if (a > b) std::swap(a, b);
  std::erase_if(list, [&](const Correlation& c) { return c.a == a && c.b == b; });
  if (rho != 0.0) list.push_back({a, b, rho});
  std::sort(list.begin(), list.end(), [](const Correlation& x, const Correlation& y) {
    return std::pair(x.a, x.b) < std::pair(y.a, y.b);
  });
}

std::vector<Correlation> default_correlations(const ModelSpec& spec) {
  std::vector<Correlation> out;
  for (const ParamCorrelation& c : spec.params.correlations)
    set_correlation(out, caregiver_index(spec, c.a), caregiver_index(spec, c.b), c.rho);
  return out;
}

// population.correlations: {a: {b: rho, ...}, ...}; a pair given replaces the model's default for
// it (0 removes it). Checked here that every parameter is a drawn caregiver parameter and that the
// correlations together are possible (a positive definite matrix).
void read_correlations(const Reader& rd, const YAML::Node& node, const ModelSpec& spec,
                       std::vector<Correlation>& list) {
  const std::string path = "population.correlations";
  rd.expect_map(node, path);
  const auto table = spec.params.caregiver;
  const auto keys = keys_of(table);
  rd.check_keys(node, path, keys);
  std::map<std::pair<std::size_t, std::size_t>, std::string> given;
  for (const auto& kv : node) {
    const std::string a = kv.first.Scalar();
    const std::string a_path = path + "." + a;
    rd.expect_map(kv.second, a_path);
    rd.check_keys(kv.second, a_path, keys);
    for (const auto& inner : kv.second) {
      const std::string b = inner.first.Scalar();
      const std::string b_path = a_path + "." + b;
      if (a == b) rd.fail(inner.first, b_path, "a parameter cannot be correlated with itself");
      const double rho = rd.number(inner.second, b_path);
      if (!(rho > -1.0 && rho < 1.0))
        rd.fail(inner.second, b_path,
                fmt::format("{} is out of range; allowed (-1, 1)", inner.second.Scalar()));
      const std::size_t ia = caregiver_index(spec, a), ib = caregiver_index(spec, b);
      const auto pair = std::minmax(ia, ib);
      if (auto it = given.find(pair); it != given.end())
        rd.fail(inner.first, b_path,
                fmt::format("the pair is also given as {}; give each pair once", it->second));
      given.emplace(pair, b_path);
      set_correlation(list, ia, ib, rho);
    }
  }
  // Together possible: the matrix over the correlated parameters must be positive definite.
  if (!list.empty() && correlation_factor(list).lower.empty())
    rd.fail(
        node, path,
        "these correlations cannot hold together (with the model's defaults, the correlation matrix is not "
        "positive definite); make them weaker");
}

// Applies one --set to the tree; list items are addressed by index or by their 'name'.
// Returns the path with list items named by index, as the validator names them.
// A YAML::Node is a handle: taken by value, edits reach the caller's tree.
// NOLINTNEXTLINE(performance-unnecessary-value-param)
std::string apply_override(YAML::Node root, const Override& o) {
  YAML::Node value;
  try {
    value = parse_yaml(o.value, "value");
  } catch (const ScenarioError& e) {
    throw InputError(fmt::format("--set {}={}: the value is not valid YAML: {}", o.path, o.value, e.what()));
  }
  std::vector<std::string> parts;
  std::stringstream ss(o.path);
  for (std::string part; std::getline(ss, part, '.');) {
    if (part.empty()) throw InputError(fmt::format("--set {}: empty key in the path", o.path));
    parts.push_back(part);
  }
  YAML::Node node = root;
  std::string resolved;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    const std::string& part = parts[i];
    const bool last = i + 1 == parts.size();
    if (node.IsSequence()) {
      std::size_t index = node.size();
      if (part.find_first_not_of("0123456789") == std::string::npos) {
        // An index too large for size_t is simply not an item (from_chars leaves `index` alone).
        std::from_chars(part.data(), part.data() + part.size(), index);
      } else {
        for (std::size_t j = 0; j < node.size(); ++j)
          if (node[j].IsMap() && node[j]["name"] && node[j]["name"].Scalar() == part) index = j;
      }
      if (index >= node.size())
        throw InputError(
            fmt::format("--set {}: no list item '{}' (use its index or its name)", o.path, part));
      if (!resolved.empty()) resolved += '.';
      resolved += std::to_string(index);
      if (last) {
        node[index] = value;
        return resolved;
      }
      node.reset(node[index]);
    } else if (node.IsMap() || node.IsNull()) {
      if (!resolved.empty()) resolved += '.';
      resolved += part;
      if (last) {
        node[part] = value;
        return resolved;
      }
      YAML::Node child = node[part];
      if (!child.IsDefined() || child.IsNull()) {
        node[part] = YAML::Node(YAML::NodeType::Map);
        child = node[part];
      }
      if (child.IsScalar())
        throw InputError(
            fmt::format("--set {}: '{}' holds a single value, not keys; set it whole instead", o.path, part));
      node.reset(child);
    } else {
      throw InputError(fmt::format("--set {}: cannot descend into a plain value", o.path));
    }
  }
  return resolved;
}

}  // namespace

void read_caregiver(const Reader& rd, const YAML::Node& node, const std::string& path, const ModelSpec& spec,
                    std::vector<Distribution>& out) {
  rd.expect_map(node, path);
  const auto table = spec.params.caregiver;
  rd.check_keys(node, path, keys_of(table), [&](const std::string& key) -> std::string {
    if (find_param(spec.params.infant, key))
      return fmt::format("; {} is an infant parameter: put it under 'infant:'", key);
    return "";
  });
  for (std::size_t i = 0; i < table.size(); ++i) {
    const std::string key(table[i].key);
    if (const YAML::Node n = node[key]) out[i] = read_distribution(rd, n, path + "." + key, table[i], out[i]);
  }
}

namespace {

// The position (1-based line and column) of byte `at` in `text`.
std::string position(const std::string& source, const std::string& text, std::size_t at) {
  const std::size_t line = 1 + static_cast<std::size_t>(std::count(
                                   text.begin(), text.begin() + static_cast<std::ptrdiff_t>(at), '\n'));
  const std::size_t start = text.rfind('\n', at == 0 ? 0 : at - 1);
  const std::size_t column = start == std::string::npos || at == 0 ? at + 1 : at - start;
  return fmt::format("{}:{}:{}", source, line, column);
}

// Finds keys given twice in one mapping (yaml-cpp keeps the first silently), from the parser's
// events: aliases are not expanded, so an alias bomb costs nothing here.
class DuplicateKeys : public YAML::EventHandler {
 public:
  explicit DuplicateKeys(std::string source) : source_(std::move(source)) {}
  void OnDocumentStart(const YAML::Mark&) override {}
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark& m, YAML::anchor_t) override { node(m, nullptr), end(); }
  void OnAlias(const YAML::Mark& m, YAML::anchor_t) override { node(m, nullptr), end(); }
  void OnScalar(const YAML::Mark& m, const std::string&, YAML::anchor_t, const std::string& v) override {
    node(m, &v), end();
  }
  void OnSequenceStart(const YAML::Mark& m, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {
    node(m, nullptr), frames_.push_back({false, path(), {}, 0, {}});
  }
  void OnSequenceEnd() override { frames_.pop_back(), end(); }
  void OnMapStart(const YAML::Mark& m, const std::string&, YAML::anchor_t,
                  YAML::EmitterStyle::value) override {
    node(m, nullptr), frames_.push_back({true, path(), {}, 0, {}});
  }
  void OnMapEnd() override { frames_.pop_back(), end(); }

 private:
  struct Frame {
    bool map;
    std::string path;                  // of this collection
    std::string key;                   // the current key (maps)
    std::size_t index;                 // the current item (lists) or entry count × 2 (maps)
    std::map<std::string, int> lines;  // key → line first seen
  };
  std::string path() const {
    if (frames_.empty()) return "";
    const Frame& f = frames_.back();
    const std::string here = f.map ? f.key : std::to_string(f.index);
    return f.path.empty() ? here : f.path + "." + here;
  }
  void node(const YAML::Mark& m, const std::string* scalar) {
    if (frames_.empty() || !frames_.back().map || frames_.back().index % 2 != 0) return;
    Frame& f = frames_.back();
    f.key = scalar ? *scalar : "?";
    if (!scalar) return;
    const auto [it, added] = f.lines.emplace(*scalar, m.line + 1);
    if (!added)
      throw ScenarioError(
          fmt::format("{}:{}:{}", source_, m.line + 1, m.column + 1), path(),
          fmt::format("key '{}' is given twice in this mapping (first on line {})", *scalar, it->second));
  }
  void end() {
    if (!frames_.empty()) ++frames_.back().index;
  }
  std::string source_;
  std::vector<Frame> frames_;
};

// The byte offset of the first byte that is not part of well-formed UTF-8, or npos.
std::size_t invalid_utf8_at(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    std::size_t n = c < 0x80                        ? 1
                    : (c >> 5) == 0x6 && c >= 0xC2  ? 2
                    : (c >> 4) == 0xE               ? 3
                    : (c >> 3) == 0x1E && c <= 0xF4 ? 4
                                                    : 0;
    if (n == 0 || i + n > s.size()) return i;
    for (std::size_t k = 1; k < n; ++k)
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return i;
    const auto c1 = static_cast<unsigned char>(s[i + 1 < s.size() ? i + 1 : i]);
    if ((n == 3 && ((c == 0xE0 && c1 < 0xA0) || (c == 0xED && c1 >= 0xA0))) ||
        (n == 4 && ((c == 0xF0 && c1 < 0x90) || (c == 0xF4 && c1 >= 0x90))))
      return i;  // overlong forms and surrogates
    i += n;
  }
  return std::string_view::npos;
}

}  // namespace

YAML::Node parse_yaml(const std::string& text, const std::string& source) {
  if (const std::size_t bad = invalid_utf8_at(text); bad != std::string_view::npos)
    throw ScenarioError(position(source, text, bad), "",
                        "the text is not valid UTF-8 (save the file as UTF-8)");
  if (text.find('\0') != std::string::npos)
    throw ScenarioError(position(source, text, text.find('\0')), "", "a NUL byte: this is not a text file");
  try {
    std::istringstream in(text);
    YAML::Parser parser(in);
    DuplicateKeys keys(source);
    parser.HandleNextDocument(keys);
    return YAML::Load(text);
  } catch (const YAML::DeepRecursion& e) {
    throw ScenarioError(source, "",
                        fmt::format("malformed YAML: nested more than {} levels deep", e.depth()));
  } catch (const YAML::ParserException& e) {
    throw ScenarioError(fmt::format("{}:{}:{}", source, e.mark.line + 1, e.mark.column + 1), "",
                        "malformed YAML: " + e.msg);
  }
}

std::string read_text_file(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::file_status st = fs::status(path, ec);
  if (!fs::exists(st))
    throw InputError(fmt::format("{}: cannot open the scenario file (does it exist?)", path));
  if (fs::is_directory(st)) throw InputError(fmt::format("{}: is a folder, not a scenario file", path));
  if (!fs::is_regular_file(st))
    throw InputError(
        fmt::format("{}: is not a regular file (a device, pipe or socket); give a YAML file", path));
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(fmt::format("{}: cannot open: {}", path, std::strerror(errno)));
  std::string text(kMaxTextFile + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<std::size_t>(in.gcount()));
  if (text.size() > kMaxTextFile)
    throw InputError(
        fmt::format("{}: larger than {} MiB; a scenario is a short text file", path, kMaxTextFile >> 20));
  return text;
}

// NOLINTNEXTLINE(performance-unnecessary-value-param)
std::vector<Override> apply_overrides(YAML::Node root, const std::vector<Override>& overrides) {
  std::vector<Override> applied;
  applied.reserve(overrides.size());
  for (const Override& o : overrides)
    applied.push_back({apply_override(root, o), o.path + "=" + o.value, o.origin});
  return applied;
}

namespace {

constexpr double kGiB = 1024.0 * 1024.0 * 1024.0;

// Bytes a run holds: measured for the reference model (attune run with 2,000 and 40,000 infants:
// about 950 bytes per dyad over a 31 MB base), rounded up; daily series are buffered 16 days at a
// time; a traced step is one row of about 120 bytes.
double memory_estimate(const Scenario& s) {
  const auto dyads = static_cast<double>(s.dyads());
  const double daily = 4.0 * 16.0 * static_cast<double>(s.daily.size());
  double traced = 0;
  if (s.trace.any()) {
    const double sessions =
        s.trace.sessions.empty() ? s.schedule.sessions_per_day : static_cast<double>(s.trace.sessions.size());
    traced = 120.0 * static_cast<double>(s.trace.infants.size()) * static_cast<double>(s.trace.days.size()) *
             sessions * static_cast<double>(s.schedule.steps_per_session());
  }
  return 64e6 + dyads * (1200.0 + daily) + traced;
}

// The memory a run may use: ATTUNE_MAX_MEMORY (bytes, or with K, M, G or T), else the machine's.
double memory_limit() {
  if (const char* env = std::getenv("ATTUNE_MAX_MEMORY"); env && *env) {
    char* end = nullptr;
    double v = std::strtod(env, &end);
    if (end && *end) {
      const std::size_t power =
          std::string_view("KMGT").find(static_cast<char>(std::toupper(static_cast<unsigned char>(*end))));
      if (power != std::string_view::npos)
        v *= std::pow(1024.0, static_cast<double>(power + 1));
      else
        v = -1;
    }
    if (std::isfinite(v) && v > 0) return v;
    throw InputError(fmt::format("--max-memory / ATTUNE_MAX_MEMORY {}: expected a size such as 64G", env));
  }
  const long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGE_SIZE);
  return pages > 0 && page > 0 ? static_cast<double>(pages) * static_cast<double>(page) : 1e18;
}

// The work a run asks for, refused when it would take months: int64 step counts stay far from
// overflow, and a typo in dt or population.infants is caught before it starts.
void check_size(const Reader& rd, const YAML::Node& root, const Scenario& s) {
  const double dyad_steps = static_cast<double>(s.dyads()) * static_cast<double>(s.schedule.days) *
                            static_cast<double>(s.schedule.sessions_per_day) *
                            static_cast<double>(s.schedule.steps_per_session());
  if (dyad_steps > kMaxDyadSteps)
    rd.fail(root["time"] ? root["time"] : root, root["time"] ? "time" : "",
            fmt::format("{:.3g} dyad-steps (infants × days × sessions × steps) is more than the {:.0e} "
                        "allowed (about {:.0f} days at 100 million dyad-steps per second); use a larger dt, "
                        "fewer days or fewer infants",
                        dyad_steps, kMaxDyadSteps, dyad_steps / 1e8 / 86400));
  // Memory, estimated before the run rather than found missing (std::bad_alloc) minutes into it.
  const double need = memory_estimate(s);
  const double limit = memory_limit();
  if (need > limit)
    rd.fail(root["population"] ? root["population"] : root, root["population"] ? "population" : "",
            fmt::format("this run needs about {:.1f} GiB of memory ({} dyads{}); {:.1f} GiB is available. "
                        "Use fewer infants or trace less; or, if you know better, give --max-memory "
                        "(e.g. --max-memory 64G, or ATTUNE_MAX_MEMORY=64G)",
                        need / kGiB, s.dyads(), s.trace.any() ? ", traced steps" : "", limit / kGiB));
}

constexpr const char* kExperimentKeys[] = {"arms", "interventions", "protocols", "initial_state"};

// The scenario from a tree with its overrides already applied (`applied`, for locating errors).
// NOLINTNEXTLINE(performance-unnecessary-value-param)
Scenario parse_tree(YAML::Node root, const std::string& source, const std::vector<Override>& applied,
                    const ModelSpec& spec, bool experiment) {
  const Reader rd(source, applied);
  rd.check_keys(root, "",
                {"name", "description", "model", "seed", "time", "population", "caregiver", "profiles",
                 "infant", "output", "trace", "sweep", "arms", "interventions", "protocols", "initial_state"},
                [&](const std::string& key) -> std::string {
                  if (find_param(spec.params.caregiver, key))
                    return fmt::format("; put {} under 'caregiver:'", key);
                  if (find_param(spec.params.infant, key))
                    return fmt::format("; put {} under 'infant:'", key);
                  return "";
                });

  Scenario s;
  s.source = source;
  if (auto n = root["name"]) s.name = rd.text(n, "name");
  if (auto n = root["description"]) {
    s.description = rd.text(n, "description");
    s.description.erase(s.description.find_last_not_of(" \n") + 1);
  }
  s.model = spec.name;
  if (auto n = root["seed"]) {
    if (!n.IsScalar()) rd.fail(n, "seed", "expected a whole number >= 0");
    unsigned long long v = 0;
    if (n.Scalar().find('-') != std::string::npos || !YAML::convert<unsigned long long>::decode(n, v))
      rd.fail(n, "seed", fmt::format("expected a whole number from 0 to 2^64-1, got '{}'", n.Scalar()));
    s.seed = v;
  }
  if (auto n = root["time"]) read_time(rd, n, s.schedule);
  s.correlations = default_correlations(spec);
  if (auto n = root["population"]) {
    rd.expect_map(n, "population");
    rd.check_keys(n, "population", {"infants", "correlations"});
    if (auto m = n["infants"]) s.infants = rd.integer(m, "population.infants", 1, 100'000'000);
    if (auto m = n["correlations"]) read_correlations(rd, m, spec, s.correlations);
  }

  const auto cg_table = spec.params.caregiver;
  std::vector<Distribution> base;
  for (const auto& info : cg_table) base.push_back(Distribution::default_for(info));
  if (auto n = root["caregiver"]) read_caregiver(rd, n, "caregiver", spec, base);
  if (auto n = root["profiles"]) {
    read_profiles(rd, n, spec, base, s.profiles);
  } else {
    s.profiles.push_back(Profile{"all", "", 1.0, base});
  }

  const auto inf_table = spec.params.infant;
  for (const auto& info : inf_table) s.infant.push_back(info.value);
  if (auto n = root["infant"]) {
    rd.expect_map(n, "infant");
    rd.check_keys(n, "infant", keys_of(inf_table), [&](const std::string& key) -> std::string {
      if (find_param(cg_table, key))
        return fmt::format("; {} is a caregiver parameter: put it under 'caregiver:'", key);
      return "";
    });
    for (std::size_t i = 0; i < inf_table.size(); ++i) {
      const std::string key(inf_table[i].key);
      if (auto m = n[key]) s.infant[i] = rd.number_in(m, "infant." + key, inf_table[i]);
    }
    if (spec.check_infant) {
      if (const char* msg = spec.check_infant(s.infant)) rd.fail(n, "infant", msg);
    }
  }

  if (auto n = root["trace"]) read_trace(rd, n, s);
  if (auto n = root["output"]) {
    rd.expect_map(n, "output");
    rd.check_keys(n, "output", {"daily"});
    if (auto d = n["daily"]) {
      if (!d.IsSequence())
        rd.fail(d, "output.daily", "expected a list of outcome fields, e.g. [signal_gain, fear]");
      for (std::size_t i = 0; i < d.size(); ++i) {
        const std::string path = fmt::format("output.daily.{}", i);
        const std::string field = rd.text(d[i], path);
        std::vector<std::string_view> allowed = spec.daily_fields;
        if (std::find(allowed.begin(), allowed.end(), field) == allowed.end()) {
          std::string list;
          for (auto a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
          rd.fail(d[i], path, fmt::format("unknown daily field '{}' (allowed: {})", field, list));
        }
        if (std::find(s.daily.begin(), s.daily.end(), field) != s.daily.end())
          rd.fail(d[i], path, fmt::format("'{}' is listed twice", field));
        s.daily.push_back(field);
      }
    }
  }
  if (experiment) {
    // A `set:` block is the scenario again with more overrides, validated like --set.
    const VariantParser variant = [&](const std::vector<Override>& more) {
      YAML::Node copy = YAML::Clone(root);
      for (const char* key : kExperimentKeys) copy.remove(key);
      std::vector<Override> all = applied;
      for (const Override& o : apply_overrides(copy, more)) all.push_back(o);
      return parse_tree(copy, source, all, spec, false);
    };
    read_experiment(rd, root, s, spec, variant);
  }
  check_size(rd, root, s);
  return s;
}

}  // namespace

Scenario parse_scenario(const std::string& text, const std::string& source,
                        const std::vector<Override>& overrides, const ModelSpec& spec) {
  YAML::Node root = parse_yaml(text, source);
  if (root.IsNull()) root = YAML::Node(YAML::NodeType::Map);
  if (!root.IsMap()) throw ScenarioError(source, "", "expected a mapping of scenario keys at the top level");
  const std::vector<Override> applied = apply_overrides(root, overrides);
  // The model decides which parameters exist, so it is read first.
  const ModelSpec* chosen = &spec;
  if (const YAML::Node n = root["model"]) {
    const Reader rd(source, applied);
    const std::string name = rd.text(n, "model");
    if (name != spec.name) chosen = spec.resolve ? spec.resolve(name) : nullptr;
    if (!chosen) {
      std::string list;
      for (const auto& k : spec.known) list += (list.empty() ? "" : ", ") + k;
      rd.fail(n, "model",
              fmt::format("unknown model '{}' (allowed: {})", name, list.empty() ? spec.name : list));
    }
  }
  return parse_tree(root, source, applied, *chosen, true);
}

Scenario load_scenario(const std::string& path, const std::vector<Override>& overrides,
                       const ModelSpec& spec) {
  Scenario s = parse_scenario(read_text_file(path), path, overrides, spec);
  if (s.name.empty()) {
    const auto slash = path.find_last_of('/');
    const std::string file = slash == std::string::npos ? path : path.substr(slash + 1);
    s.name = file.substr(0, file.find_last_of('.'));
  }
  return s;
}

namespace {

void emit_distribution(YAML::Emitter& out, const Distribution& d) {
  switch (d.kind) {
    case DistKind::fixed:
      out << YAML::Value << fmt_number(d.a);
      return;
    case DistKind::beta:
      out << YAML::Value << YAML::Flow << YAML::BeginMap << YAML::Key << "dist" << YAML::Value << "beta"
          << YAML::Key << "mean" << YAML::Value << fmt_number(d.a) << YAML::Key << "concentration"
          << YAML::Value << fmt_number(d.b) << YAML::EndMap;
      return;
    case DistKind::lognormal:
      out << YAML::Value << YAML::Flow << YAML::BeginMap << YAML::Key << "dist" << YAML::Value << "lognormal"
          << YAML::Key << "mean" << YAML::Value << fmt_number(d.a) << YAML::Key << "log_sd" << YAML::Value
          << fmt_number(d.b) << YAML::EndMap;
      return;
    case DistKind::normal:
      out << YAML::Value << YAML::Flow << YAML::BeginMap << YAML::Key << "dist" << YAML::Value << "normal"
          << YAML::Key << "mean" << YAML::Value << fmt_number(d.a) << YAML::Key << "sd" << YAML::Value
          << fmt_number(d.b) << YAML::EndMap;
      return;
    case DistKind::uniform:
      out << YAML::Value << YAML::Flow << YAML::BeginMap << YAML::Key << "dist" << YAML::Value << "uniform"
          << YAML::Key << "min" << YAML::Value << fmt_number(d.a) << YAML::Key << "max" << YAML::Value
          << fmt_number(d.b) << YAML::EndMap;
      return;
  }
}

void emit_experiment(YAML::Emitter& out, const Experiment& e, const ModelSpec& spec) {
  if (!e.arms_yaml.empty()) out << YAML::Key << "arms" << YAML::Value << YAML::Load(e.arms_yaml);
  if (!e.interventions_yaml.empty())
    out << YAML::Key << "interventions" << YAML::Value << YAML::Load(e.interventions_yaml);
  if (!e.protocols.empty()) {
    out << YAML::Key << "protocols" << YAML::Value << YAML::BeginSeq;
    for (const Protocol& p : e.protocols) {
      out << YAML::BeginMap << YAML::Key << "name" << YAML::Value << p.name;
      out << YAML::Key << "day" << YAML::Value << p.day << YAML::Key << "session" << YAML::Value << p.session;
      out << YAML::Key << "carry_over" << YAML::Value << p.carry_over;
      out << YAML::Key << "caregiver_index" << YAML::Value << p.caregiver;
      out << YAML::Key << "stranger" << YAML::Value << YAML::Flow << YAML::BeginMap;
      for (std::size_t k = 0; k < p.stranger.size(); ++k)
        out << YAML::Key << std::string(spec.params.caregiver[k].key) << YAML::Value
            << fmt_number(p.stranger[k]);
      out << YAML::EndMap << YAML::Key << "phases" << YAML::Value << YAML::BeginSeq;
      for (const Phase& ph : p.phases) {
        out << YAML::Flow << YAML::BeginMap << YAML::Key << "name" << YAML::Value << ph.name;
        out << YAML::Key << "duration_s" << YAML::Value << fmt_number(ph.duration_s);
        out << YAML::Key << "caregiver" << YAML::Value << (ph.caregiver_present ? "present" : "absent");
        out << YAML::Key << "stranger" << YAML::Value << ph.stranger_present;
        out << YAML::Key << "soothing" << YAML::Value << ph.soothing;
        out << YAML::Key << "engagement_changes" << YAML::Value << ph.engagement_changes;
        out << YAML::Key << "resonance" << YAML::Value << ph.resonance;
        if (ph.arousal_pulse != 0)
          out << YAML::Key << "arousal_pulse" << YAML::Value << fmt_number(ph.arousal_pulse);
        if (ph.arousal_input != 0)
          out << YAML::Key << "arousal_input" << YAML::Value << fmt_number(ph.arousal_input);
        if (ph.stressor_rate >= 0)
          out << YAML::Key << "stressor_rate" << YAML::Value << fmt_number(ph.stressor_rate);
        if (ph.sample_every_s > 0)
          out << YAML::Key << "sample_every_s" << YAML::Value << fmt_number(ph.sample_every_s);
        if (ph.reunion) out << YAML::Key << "reunion" << YAML::Value << true;
        out << YAML::EndMap;
      }
      out << YAML::EndSeq << YAML::EndMap;
    }
    out << YAML::EndSeq;
  }
  if (!e.initial_state.empty()) out << YAML::Key << "initial_state" << YAML::Value << e.initial_state;
}

}  // namespace

CorrelationFactor correlation_factor(const std::vector<Correlation>& list) {
  CorrelationFactor f;
  for (const Correlation& c : list)
    for (std::size_t k : {c.a, c.b})
      if (std::find(f.params.begin(), f.params.end(), k) == f.params.end()) f.params.push_back(k);
  std::sort(f.params.begin(), f.params.end());
  const std::size_t n = f.params.size();
  const auto at = [&](std::size_t k) {
    return static_cast<std::size_t>(std::find(f.params.begin(), f.params.end(), k) - f.params.begin());
  };
  std::vector<double> m(n * n, 0.0);
  for (std::size_t i = 0; i < n; ++i) m[i * n + i] = 1.0;
  for (const Correlation& c : list) m[at(c.a) * n + at(c.b)] = m[at(c.b) * n + at(c.a)] = c.rho;
  f.lower = cholesky(m, n);
  return f;
}

std::string to_yaml(const Scenario& s, const ModelSpec& spec) {
  YAML::Emitter out;
  out << YAML::BeginMap;
  out << YAML::Key << "name" << YAML::Value << s.name;
  if (!s.description.empty())
    out << YAML::Key << "description" << YAML::Value << YAML::Literal << s.description;
  out << YAML::Key << "model" << YAML::Value << s.model;
  out << YAML::Key << "seed" << YAML::Value << s.seed;
  out << YAML::Key << "time" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "days" << YAML::Value << s.schedule.days;
  out << YAML::Key << "sessions_per_day" << YAML::Value << s.schedule.sessions_per_day;
  out << YAML::Key << "session_s" << YAML::Value << fmt_number(s.schedule.session_s);
  out << YAML::Key << "dt" << YAML::Value << fmt_number(s.schedule.dt) << YAML::EndMap;
  out << YAML::Key << "population" << YAML::Value << YAML::BeginMap << YAML::Key << "infants" << YAML::Value
      << s.infants;
  if (!s.correlations.empty()) {
    out << YAML::Key << "correlations" << YAML::Value << YAML::BeginMap;
    for (std::size_t i = 0; i < s.correlations.size(); ++i) {
      const Correlation& c = s.correlations[i];
      if (i == 0 || s.correlations[i - 1].a != c.a)
        out << YAML::Key << std::string(spec.params.caregiver[c.a].key) << YAML::Value << YAML::BeginMap;
      out << YAML::Key << std::string(spec.params.caregiver[c.b].key) << YAML::Value << fmt_number(c.rho);
      if (i + 1 == s.correlations.size() || s.correlations[i + 1].a != c.a) out << YAML::EndMap;
    }
    out << YAML::EndMap;
  }
  out << YAML::EndMap;
  out << YAML::Key << "profiles" << YAML::Value << YAML::BeginSeq;
  for (const Profile& p : s.profiles) {
    out << YAML::BeginMap << YAML::Key << "name" << YAML::Value << p.name;
    if (!p.description.empty()) out << YAML::Key << "description" << YAML::Value << p.description;
    out << YAML::Key << "weight" << YAML::Value << fmt_number(p.weight);
    out << YAML::Key << "caregiver" << YAML::Value << YAML::BeginMap;
    for (std::size_t i = 0; i < p.caregiver.size(); ++i) {
      out << YAML::Key << std::string(spec.params.caregiver[i].key);
      emit_distribution(out, p.caregiver[i]);
    }
    out << YAML::EndMap << YAML::EndMap;
  }
  out << YAML::EndSeq;
  out << YAML::Key << "infant" << YAML::Value << YAML::BeginMap;
  for (std::size_t i = 0; i < s.infant.size(); ++i)
    out << YAML::Key << std::string(spec.params.infant[i].key) << YAML::Value << fmt_number(s.infant[i]);
  out << YAML::EndMap;
  if (s.trace.any()) {
    out << YAML::Key << "trace" << YAML::Value << YAML::BeginMap;
    out << YAML::Key << "infants" << YAML::Value << YAML::Flow << s.trace.infants;
    out << YAML::Key << "days" << YAML::Value << YAML::Flow << s.trace.days;
    if (!s.trace.sessions.empty())
      out << YAML::Key << "sessions" << YAML::Value << YAML::Flow << s.trace.sessions;
    out << YAML::EndMap;
  }
  out << YAML::Key << "output" << YAML::Value << YAML::BeginMap << YAML::Key << "daily" << YAML::Value
      << YAML::Flow << s.daily << YAML::EndMap;
  emit_experiment(out, s.experiment, spec);
  out << YAML::EndMap;
  return std::string(out.c_str()) + "\n";
}

}  // namespace attune::sim
