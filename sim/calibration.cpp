#include "sim/calibration.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlopt.hpp>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <exception>
#include <filesystem>
#include <map>
#include <numeric>
#include <set>

#include "sim/errors.hpp"
#include "sim/json_text.hpp"
#include "sim/random.hpp"
#include "sim/runner.hpp"
#include "sim/simulation.hpp"
#include "sim/yaml_reader.hpp"

namespace attune::sim::calibration {
namespace {

namespace fs = std::filesystem;
using validation::Target;
using validation::Value;

// ---------------------------------------------------------------------------------------------
// Reading a targets file

const std::vector<std::string_view> kTopKeys = {"description", "targets", "parameters", "set",
                                                "budget",      "seeds",   "algorithm"};

// Why a parameter cannot be fitted, or "".
std::string parameter_problem(const Parameter& q) {
  if (q.key.empty()) return "the key is empty";
  if (q.key == "seed")
    return "the seed is not fitted: every evaluation runs the same seeds (seeds:, --seeds)";
  if (!std::isfinite(q.min) || !std::isfinite(q.max)) return "min and max must be finite numbers";
  if (!(q.min < q.max))
    return fmt::format("min {} must be below max {}", fmt_number(q.min), fmt_number(q.max));
  if (!std::isnan(q.start) && (q.start < q.min || q.start > q.max))
    return fmt::format("start {} is outside [{}, {}]", fmt_number(q.start), fmt_number(q.min),
                       fmt_number(q.max));
  return "";
}

// The bound of a one-sided target (NaN for an interval or a direction).
double one_sided_bound(const Target& t) {
  if (t.direction != 0) return kNaN;
  if (std::isfinite(t.low) && std::isinf(t.high)) return t.low;
  if (std::isinf(t.low) && std::isfinite(t.high)) return t.high;
  return kNaN;
}

// Why a pattern cannot be a calibration target, or "".
std::string target_problem(const TargetSpec& t) {
  bool any = false;
  for (const auto& c : t.pattern.components) {
    if (c.target.direction != 0) continue;
    any = true;
    if (std::isfinite(c.target.low) && std::isfinite(c.target.high) && !(c.target.low < c.target.high))
      return fmt::format("component '{}': its accept region has zero width, so it gives no scale to fit to",
                         c.name);
    if (!std::isnan(one_sided_bound(c.target)) && std::isnan(one_sided_scale(c.target, t.scale)))
      return fmt::format(
          "component '{}': a one-sided bound of 0 has no default scale; give the entry a scale "
          "({{pattern: FILE, scale: S}}: r = -1 at S beyond the bound)",
          c.name);
  }
  if (!any)
    return fmt::format(
        "every target of pattern '{}' is a direction (greater or less than 0 with p_below): a direction "
        "gives no scale to fit to, so calibrate cannot use it (attune validate judges it)",
        t.pattern.name);
  return "";
}

double parse_number(const std::string& text, const std::string& what, const std::string& fit) {
  double v = kNaN;
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, v);
  if (text.empty() || ec != std::errc() || ptr != end || !std::isfinite(v))
    throw InputError(fmt::format(
        "--fit {}: {} '{}' is not a number (expected KEY=MIN:MAX or KEY=MIN:MAX@START, e.g. --fit "
        "caregiver.attunement.mean=0.5:0.9@0.7)",
        fit, what, text));
  return v;
}

TargetSpec read_target_entry(const Reader& rd, const YAML::Node& node, const std::string& path,
                             const std::string& dir) {
  TargetSpec t;
  YAML::Node file_node = node;
  std::string file;
  if (node.IsScalar()) {
    file = rd.text(node, path);
  } else {
    if (!node.IsMap()) rd.fail(node, path, "expected a pattern file or {pattern: FILE, weight: W, scale: S}");
    rd.check_keys(node, path, {"pattern", "weight", "scale"});
    if (!node["pattern"]) rd.fail(node, path, "missing key 'pattern' (the pattern file)");
    file_node.reset(node["pattern"]);
    file = rd.text(file_node, path + ".pattern");
    if (const YAML::Node w = node["weight"]) {
      t.weight = rd.number(w, path + ".weight");
      if (!(t.weight > 0)) rd.fail(w, path + ".weight", fmt::format("{} must be > 0", fmt_number(t.weight)));
    }
    if (const YAML::Node s = node["scale"]) {
      t.scale = rd.number(s, path + ".scale");
      if (!(t.scale > 0)) rd.fail(s, path + ".scale", fmt::format("{} must be > 0", fmt_number(t.scale)));
    }
  }
  const fs::path full = (fs::path(dir) / file).lexically_normal();
  if (!fs::is_regular_file(full))
    rd.fail(file_node, node.IsScalar() ? path : path + ".pattern",
            fmt::format("no such pattern file '{}' (paths are relative to this file)", full.string()));
  t.pattern = validation::load_pattern(full.string());
  t.origin = rd.where(node, path) + ": " + path;
  if (const std::string why = target_problem(t); !why.empty()) rd.fail(node, path, why);
  return t;
}

Parameter read_parameter(const Reader& rd, const YAML::Node& node, const std::string& path) {
  rd.expect_map(node, path);
  rd.check_keys(node, path, {"key", "min", "max", "start"});
  for (const char* k : {"key", "min", "max"})
    if (!node[k])
      rd.fail(node, path,
              fmt::format("missing key '{}' (a parameter is {{key: KEY.PATH, min: A, max: B}})", k));
  Parameter q;
  q.key = rd.text(node["key"], path + ".key");
  q.min = rd.number(node["min"], path + ".min");
  q.max = rd.number(node["max"], path + ".max");
  if (node["start"]) q.start = rd.number(node["start"], path + ".start");
  q.origin = rd.where(node, path) + ": " + path;
  if (const std::string why = parameter_problem(q); !why.empty())
    rd.fail(node, path, fmt::format("{}: {}", q.key, why));
  return q;
}

// ---------------------------------------------------------------------------------------------
// Points: the scenario at parameter values, run on every seed and measured

const char* nlopt_name(nlopt::algorithm a) {
  switch (a) {
    case nlopt::LN_BOBYQA:
      return "LN_BOBYQA";
    case nlopt::LN_NELDERMEAD:
      return "LN_NELDERMEAD";
    case nlopt::LN_SBPLX:
      return "LN_SBPLX";
    default:
      return "LN_COBYLA";
  }
}

nlopt::algorithm algorithm_of(const std::string& name) {
  if (name == "neldermead") return nlopt::LN_NELDERMEAD;
  if (name == "sbplx") return nlopt::LN_SBPLX;
  if (name == "cobyla") return nlopt::LN_COBYLA;
  return nlopt::LN_BOBYQA;
}

int min_budget(const Problem& p) {
  const int n = static_cast<int>(p.parameters.size());
  return p.algorithm == "bobyqa" ? 2 * n + 2 : n + 2;
}

std::string value_text(double v) { return fmt_number(v); }

// One component of one target, as the loss sees it.
struct Slot {
  std::size_t target, component;
  double weight, scale;
};

struct Point {
  std::vector<std::vector<Value>> per_seed;  // [slot][seed]
  std::vector<double> value;                 // mean over seeds
  std::vector<double> r;                     // standardized residual (NaN: direction or not computable)
  double loss = kNaN;
  std::string failure;  // the scenario does not load here
  bool uncomputable = false;
};

class Evaluator {
 public:
  Evaluator(const Problem& p, const std::string& path, const Environment& env)
      : p_(p), path_(path), env_(env), text_(read_text_file(path)) {
    for (std::size_t t = 0; t < p.targets.size(); ++t)
      for (std::size_t c = 0; c < p.targets[t].pattern.components.size(); ++c) {
        const Target& target = p.targets[t].pattern.components[c].target;
        slots_.push_back(Slot{t, c, target.direction != 0 ? 0.0 : p.targets[t].weight,
                              one_sided_scale(target, p.targets[t].scale)});
      }
  }

  const std::vector<Slot>& slots() const { return slots_; }
  int runs() const { return runs_; }
  int points() const { return points_; }

  std::vector<Override> overrides(const std::vector<double>& x) const {
    std::vector<Override> o = p_.fixed;
    for (std::size_t i = 0; i < x.size(); ++i)
      o.push_back(Override{p_.parameters[i].key, value_text(x[i]), p_.parameters[i].origin});
    return o;
  }

  Scenario scenario(const std::vector<Override>& overrides) const {
    Scenario s = parse_scenario(text_, path_, overrides, env_.spec);
    if (s.name.empty()) s.name = fs::path(path_).stem().string();
    return s;
  }

  // The point with the calibration's seeds (common random numbers: run once, then remembered).
  const Point& at(const std::vector<double>& x) {
    auto it = cache_.find(x);
    if (it == cache_.end()) {
      it = cache_.emplace(x, run(x, p_.seeds)).first;
      ++points_;
    }
    return it->second;
  }

  Point run(const std::vector<double>& x, const std::vector<std::uint64_t>& seeds) {
    Point pt;
    pt.per_seed.assign(slots_.size(), {});
    Scenario s;
    try {
      s = scenario(overrides(x));
    } catch (const InputError& e) {
      // Bounds are checked before the search, but values together may still break a rule
      // (a beta's mean and concentration): such a point is as bad as an uncomputable one.
      pt.failure = e.what();
    }
    if (pt.failure.empty()) {
      const Model& model = env_.model(s.model);
      for (std::uint64_t seed : seeds) {
        s.seed = seed;
        RunSettings settings;
        settings.threads = env_.threads;
        settings.stop = env_.stop;
        const RunResult r = simulate(model, s, settings);
        ++runs_;
        for (std::size_t t = 0; t < p_.targets.size(); ++t) {
          const validation::Pattern& pattern = p_.targets[t].pattern;
          std::vector<Value> values;
          try {
            values = validation::measure(pattern, s, r);
          } catch (const validation::Unmeasurable& e) {
            values.assign(pattern.components.size(), Value{});
            for (auto& v : values) v.missing = e.what();
          }
          for (std::size_t k = 0; k < slots_.size(); ++k)
            if (slots_[k].target == t) pt.per_seed[k].push_back(values[slots_[k].component]);
        }
      }
    }
    pt.value.assign(slots_.size(), kNaN);
    pt.r.assign(slots_.size(), kNaN);
    pt.loss = 0;
    for (std::size_t k = 0; k < slots_.size(); ++k) {
      const Slot& slot = slots_[k];
      if (!pt.per_seed[k].empty()) {
        double sum = 0;
        for (const Value& v : pt.per_seed[k]) sum += v.missing.empty() ? v.value : kNaN;
        pt.value[k] = sum / static_cast<double>(pt.per_seed[k].size());
      }
      pt.r[k] = residual(target_of(slot), pt.value[k], slot.scale);
      if (slot.weight == 0) continue;
      if (std::isnan(pt.r[k])) {
        pt.uncomputable = true;
        pt.loss += slot.weight * kUncomputableResidual * kUncomputableResidual;
      } else {
        pt.loss += slot.weight * pt.r[k] * pt.r[k];
      }
    }
    return pt;
  }

  const Target& target_of(const Slot& s) const {
    return p_.targets[s.target].pattern.components[s.component].target;
  }
  const std::string& component_of(const Slot& s) const {
    return p_.targets[s.target].pattern.components[s.component].name;
  }
  const std::string& pattern_of(const Slot& s) const { return p_.targets[s.target].pattern.name; }

 private:
  const Problem& p_;
  std::string path_;
  const Environment& env_;
  std::string text_;
  std::vector<Slot> slots_;
  std::map<std::vector<double>, Point> cache_;
  int runs_ = 0, points_ = 0;
};

// The value at a key path of a YAML tree (list items by index or name), or NaN.
double value_at(const YAML::Node& root, const std::string& key) {
  YAML::Node node = root;
  std::size_t from = 0;
  while (from <= key.size()) {
    const std::size_t dot = key.find('.', from);
    const std::string part = key.substr(from, dot == std::string::npos ? std::string::npos : dot - from);
    YAML::Node next;
    if (node.IsMap()) {
      if (!node[part]) return kNaN;
      next.reset(node[part]);
    } else if (node.IsSequence()) {
      for (std::size_t j = 0; j < node.size(); ++j)
        if (std::to_string(j) == part ||
            (node[j].IsMap() && node[j]["name"] && node[j]["name"].Scalar() == part))
          next.reset(node[j]);
      if (!next) return kNaN;
    } else {
      return kNaN;
    }
    node.reset(next);
    if (dot == std::string::npos) break;
    from = dot + 1;
  }
  double v = kNaN;
  if (!node.IsScalar() || !YAML::convert<double>::decode(node, v)) return kNaN;
  return v;
}

// Cyclic Jacobi: the eigenvalues of a small symmetric matrix and its eigenvectors (as columns).
void symmetric_eigen(std::vector<std::vector<double>> a, std::vector<double>& values,
                     std::vector<std::vector<double>>& vectors) {
  const std::size_t n = a.size();
  vectors.assign(n, std::vector<double>(n, 0.0));
  for (std::size_t i = 0; i < n; ++i) vectors[i][i] = 1.0;
  double norm = 0;
  for (const auto& row : a)
    for (double v : row) norm += v * v;
  for (int sweep = 0; sweep < 100; ++sweep) {
    double off = 0;
    for (std::size_t p = 0; p < n; ++p)
      for (std::size_t q = p + 1; q < n; ++q) off += a[p][q] * a[p][q];
    if (off <= 1e-30 * norm) break;
    for (std::size_t p = 0; p < n; ++p)
      for (std::size_t q = p + 1; q < n; ++q) {
        if (a[p][q] == 0) continue;
        const double theta = (a[q][q] - a[p][p]) / (2 * a[p][q]);
        const double t = (theta >= 0 ? 1.0 : -1.0) / (std::fabs(theta) + std::sqrt(theta * theta + 1));
        const double c = 1 / std::sqrt(t * t + 1), s = t * c;
        for (std::size_t k = 0; k < n; ++k) {
          const double kp = a[k][p], kq = a[k][q];
          a[k][p] = c * kp - s * kq, a[k][q] = s * kp + c * kq;
        }
        for (std::size_t k = 0; k < n; ++k) {
          const double pk = a[p][k], qk = a[q][k];
          a[p][k] = c * pk - s * qk, a[q][k] = s * pk + c * qk;
        }
        for (std::size_t k = 0; k < n; ++k) {
          const double kp = vectors[k][p], kq = vectors[k][q];
          vectors[k][p] = c * kp - s * kq, vectors[k][q] = s * kp + c * kq;
        }
      }
  }
  values.resize(n);
  for (std::size_t i = 0; i < n; ++i) values[i] = a[i][i];
}

std::string num(double v) {
  if (std::isnan(v)) return "-";
  return fmt::format("{:.4g}", v);
}

// The loader's spec of a scenario's model (the default spec names the others).
const ModelSpec* spec_for(const ModelSpec& spec, const std::string& model) {
  const ModelSpec* out = model == spec.name ? &spec : spec.resolve ? spec.resolve(model) : nullptr;
  if (!out) throw InputError(fmt::format("unknown model '{}'", model));
  return out;
}

bool passes(const Target& t, const std::vector<Value>& per_seed, std::string* reason) {
  if (per_seed.empty()) {
    if (reason) *reason = "the scenario did not load";
    return false;
  }
  for (const Value& v : per_seed)
    if (!validation::meets(t, v, reason)) return false;
  return true;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// The problem

Problem parse_problem(const std::string& text, const std::string& source, const std::string& dir) {
  const YAML::Node root = parse_yaml(text, source);
  const Reader rd(source, {});
  rd.expect_map(root, "");
  rd.check_keys(root, "", kTopKeys);
  Problem p;
  p.source = source;
  if (root["description"]) p.description = rd.text(root["description"], "description");

  const YAML::Node targets = root["targets"];
  if (!targets)
    rd.fail(root, "",
            "missing key 'targets' (a list of pattern files, e.g. - ../validation/class_distribution.yaml)");
  if (!targets.IsSequence() || targets.size() == 0)
    rd.fail(targets, "targets", "expected a non-empty list of pattern files or {pattern: FILE, weight: W}");
  for (std::size_t i = 0; i < targets.size(); ++i) {
    const std::string path = fmt::format("targets.{}", i);
    TargetSpec t = read_target_entry(rd, targets[i], path, dir);
    for (const auto& other : p.targets)
      if (other.pattern.name == t.pattern.name)
        rd.fail(targets[i], path, fmt::format("pattern '{}' is given twice", t.pattern.name));
    p.targets.push_back(std::move(t));
  }

  if (const YAML::Node params = root["parameters"]) {
    if (!params.IsSequence() || params.size() == 0)
      rd.fail(params, "parameters", "expected a non-empty list of {key: KEY.PATH, min: A, max: B, start: S}");
    for (std::size_t i = 0; i < params.size(); ++i) {
      const std::string path = fmt::format("parameters.{}", i);
      Parameter q = read_parameter(rd, params[i], path);
      for (const auto& other : p.parameters)
        if (other.key == q.key) rd.fail(params[i], path, fmt::format("{}: is given twice", q.key));
      p.parameters.push_back(std::move(q));
    }
  }

  if (const YAML::Node set = root["set"]) {
    rd.expect_map(set, "set");
    for (const auto& kv : set) {
      const std::string key = kv.first.Scalar();
      const std::string value = kv.second.IsScalar() ? kv.second.Scalar() : YAML::Dump(kv.second);
      p.fixed.push_back(Override{key, value, rd.where(kv.second, "set." + key) + ": set." + key});
    }
  }

  if (const YAML::Node b = root["budget"])
    p.budget = static_cast<int>(rd.integer(b, "budget", 1, kMaxBudget));

  if (const YAML::Node s = root["seeds"]) p.seeds = rd.seeds(s, "seeds");

  if (const YAML::Node a = root["algorithm"]) {
    p.algorithm = rd.text(a, "algorithm");
    if (std::find_if(std::begin(kAlgorithms), std::end(kAlgorithms),
                     [&](const char* k) { return p.algorithm == k; }) == std::end(kAlgorithms))
      rd.fail(a, "algorithm", fmt::format("'{}': expected bobyqa, neldermead, sbplx or cobyla", p.algorithm));
  }
  return p;
}

Problem load_problem(const std::string& path) {
  return parse_problem(read_text_file(path), path, fs::path(path).parent_path().string());
}

Parameter parse_fit(const std::string& text) {
  const std::size_t eq = text.find('=');
  if (eq == std::string::npos || eq == 0)
    throw InputError(
        fmt::format("--fit {}: expected KEY=MIN:MAX or KEY=MIN:MAX@START, e.g. --fit "
                    "caregiver.attunement.mean=0.5:0.9@0.7",
                    text));
  Parameter q;
  q.key = text.substr(0, eq);
  q.origin = "--fit " + text;
  const std::string rest = text.substr(eq + 1);
  const std::size_t at = rest.find('@');
  const std::string range = rest.substr(0, at);
  const std::size_t colon = range.find(':');
  if (colon == std::string::npos)
    throw InputError(
        fmt::format("--fit {}: {}: expected MIN:MAX after '=', e.g. --fit caregiver.attunement.mean=0.5:0.9",
                    text, q.key));
  q.min = parse_number(range.substr(0, colon), "min", text);
  q.max = parse_number(range.substr(colon + 1), "max", text);
  if (at != std::string::npos) q.start = parse_number(rest.substr(at + 1), "start", text);
  if (const std::string why = parameter_problem(q); !why.empty())
    throw InputError(fmt::format("--fit {}: {}: {}", text, q.key, why));
  return q;
}

void add_parameter(Problem& p, Parameter parameter) {
  for (auto& q : p.parameters)
    if (q.key == parameter.key) {
      q = std::move(parameter);
      return;
    }
  p.parameters.push_back(std::move(parameter));
}

// ---------------------------------------------------------------------------------------------
// The loss

double one_sided_scale(const Target& t, double scale) {
  if (!std::isnan(scale)) return scale;
  const double bound = one_sided_bound(t);
  if (std::isnan(bound) || bound == 0) return kNaN;
  return 0.1 * std::fabs(bound);
}

double residual(const Target& t, double simulated, double one_sided_scale) {
  if (t.direction != 0 || std::isnan(simulated)) return kNaN;
  const bool low = std::isfinite(t.low), high = std::isfinite(t.high);
  if (low && high) {
    const double centre = std::isnan(t.value) ? 0.5 * (t.low + t.high) : t.value;
    const double half = 0.5 * (t.high - t.low);
    const double up = t.high > centre ? t.high - centre : half;
    const double down = centre > t.low ? centre - t.low : half;
    return simulated >= centre ? (simulated - centre) / up : (simulated - centre) / down;
  }
  if (low) return simulated >= t.low ? 0.0 : (simulated - t.low) / one_sided_scale;
  if (high) return simulated <= t.high ? 0.0 : (simulated - t.high) / one_sided_scale;
  return kNaN;
}

// ---------------------------------------------------------------------------------------------
// Checks before any run

std::vector<double> check(const Problem& p, const std::string& scenario_path, const Environment& env) {
  const std::string where = p.source.empty() ? std::string("calibrate") : p.source;
  if (p.targets.empty())
    throw InputError(fmt::format("{}: no targets (targets: a list of pattern files)", where));
  if (p.parameters.empty())
    throw InputError(fmt::format(
        "{}: no parameters to fit: give parameters: in the targets file or --fit KEY=MIN:MAX", where));
  for (const auto& t : p.targets)
    if (const std::string why = target_problem(t); !why.empty()) throw InputError(t.origin + ": " + why);
  if (std::find_if(std::begin(kAlgorithms), std::end(kAlgorithms),
                   [&](const char* k) { return p.algorithm == k; }) == std::end(kAlgorithms))
    throw InputError(
        fmt::format("algorithm '{}': expected bobyqa, neldermead, sbplx or cobyla", p.algorithm));
  if (p.budget < min_budget(p) || p.budget > kMaxBudget)
    throw InputError(fmt::format(
        "budget {}: {} with {} parameter{} needs at least {} evaluations{} (and at most {})", p.budget,
        p.algorithm, p.parameters.size(), p.parameters.size() == 1 ? "" : "s", min_budget(p),
        p.algorithm == "bobyqa" ? " (its first model needs 2n + 1)" : "", kMaxBudget));
  if (p.seeds.empty()) throw InputError(fmt::format("{}: no seeds", where));
  if (const auto twice = repeated_seed(p.seeds))  // --seeds (the file's are checked as read)
    throw InputError(fmt::format("{}: seeds: seed {} is given twice (its runs would count twice in the loss)",
                                 where, *twice));
  std::set<std::string> keys;
  for (const auto& q : p.parameters) {
    if (const std::string why = parameter_problem(q); !why.empty())
      throw InputError(fmt::format("{}: {}: {}", q.origin, q.key, why));
    if (!keys.insert(q.key).second) throw InputError(fmt::format("{}: {}: is given twice", q.origin, q.key));
    for (const auto& f : p.fixed)
      if (f.path == q.key)
        throw InputError(fmt::format("{}: {}: is also fixed by {}; a key is either fitted or set", q.origin,
                                     q.key, f.origin.empty() ? "--set" : f.origin));
  }

  // Each parameter alone at its bounds, its start and a value between: the loader says what is
  // wrong (an unknown key, a value out of range, a whole number), naming the parameter's origin.
  const std::string text = read_text_file(scenario_path);
  auto load = [&](const std::vector<Override>& extra) {
    std::vector<Override> o = p.fixed;
    o.insert(o.end(), extra.begin(), extra.end());
    return parse_scenario(text, scenario_path, o, env.spec);
  };
  const Scenario base = load({});
  const ModelSpec* spec = spec_for(env.spec, base.model);
  (void)env.model(base.model);  // the model exists (InputError otherwise)
  YAML::Node raw = parse_yaml(text, scenario_path);
  apply_overrides(raw, p.fixed);
  const YAML::Node resolved = YAML::Load(to_yaml(base, *spec));
  std::vector<double> start;
  for (const auto& q : p.parameters) {
    auto at = [&](double v, const char* what) {
      return load({Override{q.key, value_text(v),
                            fmt::format("{} ({}={}, its {})", q.origin, q.key, value_text(v), what)}});
    };
    const Scenario lo = at(q.min, "min");
    const Scenario hi = at(q.max, "max");
    (void)at(q.min + 0.382 * (q.max - q.min), "value between min and max");
    if (to_yaml(lo, *spec) == to_yaml(hi, *spec))
      throw InputError(fmt::format(
          "{}: {}: changes nothing in the resolved scenario between {} and {} (does every profile set it "
          "itself?)",
          q.origin, q.key, value_text(q.min), value_text(q.max)));
    double s = q.start;
    if (std::isnan(s)) {
      double own = value_at(raw, q.key);
      if (std::isnan(own)) own = value_at(resolved, q.key);
      s = own >= q.min && own <= q.max ? own : 0.5 * (q.min + q.max);
    }
    (void)at(s, "start");
    start.push_back(s);
  }
  std::vector<Override> all;
  for (std::size_t i = 0; i < start.size(); ++i)
    all.push_back(Override{p.parameters[i].key, value_text(start[i]),
                           fmt::format("{} (every parameter at its start)", p.parameters[i].origin)});
  (void)load(all);
  return start;
}

// ---------------------------------------------------------------------------------------------
// The search

std::string format_progress(const Problem& p, const Progress& g) {
  std::string head;
  switch (g.stage) {
    case Progress::start:
      head = "start";
      break;
    case Progress::search:
      head = fmt::format("{:>{}}/{}", g.evaluation, fmt::format("{}", g.of).size(), g.of);
      break;
    case Progress::uncertainty:
      head = fmt::format("uncertainty {}/{}", g.evaluation, g.of);
      break;
    case Progress::replicate:
      head = fmt::format("replicate {}/{}", g.evaluation, g.of);
      break;
  }
  std::string out = fmt::format("calibrate  {}  loss {}", head, num(g.loss));
  if (g.stage == Progress::search) out += fmt::format("  best {}", num(g.best));
  for (std::size_t i = 0; i < g.x.size() && i < p.parameters.size(); ++i)
    out += fmt::format("  {}={}", p.parameters[i].key, num(g.x[i]));
  return out;
}

namespace {

std::string stop_text(nlopt::result r, const Problem& p) {
  switch (r) {
    case nlopt::MAXEVAL_REACHED:
      return fmt::format("the budget of {} evaluations is spent", p.budget);
    case nlopt::XTOL_REACHED:
    case nlopt::SUCCESS:
      return "converged: the search's steps shrank below 0.1% of each range";
    case nlopt::FTOL_REACHED:
    case nlopt::STOPVAL_REACHED:
      return "converged: the loss stopped improving";
    default:
      return fmt::format("{} ended (NLopt result {})", nlopt_name(algorithm_of(p.algorithm)),
                         static_cast<int>(r));
  }
}

struct Search {
  Evaluator* ev = nullptr;
  const Problem* problem = nullptr;
  const Environment* env = nullptr;
  const ProgressFn* progress = nullptr;
  nlopt::opt* opt = nullptr;
  int calls = 0;
  std::vector<double> best_u;
  double best = kNaN;
  bool interrupted = false;
  int uncomputable = 0;
  std::exception_ptr error;

  std::vector<double> x_of(const std::vector<double>& u) const {
    std::vector<double> x(u.size());
    for (std::size_t i = 0; i < u.size(); ++i) {
      const Parameter& q = problem->parameters[i];
      x[i] = std::clamp(q.min + u[i] * (q.max - q.min), q.min, q.max);
    }
    return x;
  }
};

double objective(const std::vector<double>& u, std::vector<double>& /*grad*/, void* data) {
  auto* s = static_cast<Search*>(data);
  if (s->env->stop && s->env->stop->load()) s->interrupted = true;
  if (s->interrupted || s->error) throw nlopt::forced_stop();
  try {
    const int before = s->ev->points();
    const Point& pt = s->ev->at(s->x_of(u));
    if (s->ev->points() != before && pt.uncomputable) ++s->uncomputable;
    ++s->calls;
    if (std::isnan(s->best) || pt.loss < s->best) s->best = pt.loss, s->best_u = u;
    if (*s->progress)
      (*s->progress)(Progress{Progress::search, s->calls, s->problem->budget, pt.loss, s->best, s->x_of(u)});
    return pt.loss;
  } catch (const Interrupted&) {
    s->interrupted = true;
  } catch (...) {
    s->error = std::current_exception();
  }
  throw nlopt::forced_stop();
}

}  // namespace

Result calibrate(const Problem& p, const std::string& scenario_path, const Environment& env,
                 const ProgressFn& progress) {
  using clock = std::chrono::steady_clock;
  const auto t0 = clock::now();
  const std::vector<double> x0 = check(p, scenario_path, env);
  const std::size_t n = x0.size();
  Evaluator ev(p, scenario_path, env);
  Result res;
  res.scenario = scenario_path;
  res.model = ev.scenario(p.fixed).model;

  // The start: every pattern must be measurable on the scenario's runs.
  const Point& p0 = ev.at(x0);
  if (!p0.failure.empty()) throw InputError(p0.failure);
  for (std::size_t k = 0; k < ev.slots().size(); ++k) {
    const Slot& slot = ev.slots()[k];
    const TargetSpec& t = p.targets[slot.target];
    for (const Value& v : p0.per_seed[k])
      if (!v.missing.empty())
        throw InputError(fmt::format("{}: pattern '{}' cannot be measured on runs of {}: {}", t.origin,
                                     t.pattern.name, scenario_path, v.missing));
    if (std::isnan(p0.value[k]))
      throw InputError(fmt::format(
          "{}: pattern '{}', component '{}': not computable on runs of {} at the start values (no rows, "
          "or undefined: e.g. a correlation with a column that does not vary); choose another start "
          "or scenario",
          t.origin, t.pattern.name, ev.component_of(slot), scenario_path));
  }
  if (progress) progress(Progress{Progress::start, 0, 0, p0.loss, p0.loss, x0});

  // The search, in scaled coordinates.
  std::vector<double> u(n);
  for (std::size_t i = 0; i < n; ++i)
    u[i] = (x0[i] - p.parameters[i].min) / (p.parameters[i].max - p.parameters[i].min);
  nlopt::opt opt(algorithm_of(p.algorithm), static_cast<unsigned>(n));
  Search s;
  s.ev = &ev, s.problem = &p, s.env = &env, s.progress = &progress, s.opt = &opt;
  s.best_u = u, s.best = p0.loss;
  opt.set_lower_bounds(0.0);
  opt.set_upper_bounds(1.0);
  opt.set_maxeval(p.budget);
  opt.set_xtol_abs(1e-3);
  opt.set_initial_step(0.2);
  opt.set_min_objective(objective, &s);
  double f = kNaN;
  std::vector<double> u_opt = u;
  try {
    const nlopt::result r = opt.optimize(u_opt, f);
    res.stopped = stop_text(r, p);
  } catch (const nlopt::forced_stop&) {
    res.stopped = "interrupted";
  } catch (const nlopt::roundoff_limited&) {
    res.stopped = "NLopt stopped: roundoff-limited (the loss changes less than rounding can resolve)";
  } catch (const std::runtime_error& e) {
    if (!s.error)
      throw Error(fmt::format("NLopt {} failed: {}", nlopt_name(algorithm_of(p.algorithm)), e.what()));
  }
  if (s.error) std::rethrow_exception(s.error);
  res.interrupted = s.interrupted;
  res.search_evaluations = s.calls;
  res.search_points = ev.points() - 1;
  if (s.uncomputable > 0)
    res.notes.push_back(fmt::format(
        "at {} point{} of the search a value could not be computed (or the scenario did not load); each "
        "such value counted as r = {}",
        s.uncomputable, s.uncomputable == 1 ? "" : "s", kUncomputableResidual));

  const std::vector<double> best_x = s.x_of(s.best_u);
  const Point best = ev.at(best_x);
  res.loss_start = p0.loss;
  res.loss_fitted = best.loss;
  for (std::size_t i = 0; i < n; ++i) {
    ParameterResult pr;
    pr.parameter = p.parameters[i];
    pr.start = x0[i];
    pr.fitted = best_x[i];
    pr.at_bound = s.best_u[i] < 1e-3 || s.best_u[i] > 1 - 1e-3;
    if (pr.at_bound)
      res.notes.push_back(fmt::format(
          "{} is at its {} bound ({}): the targets push it that way; widen the bounds if they allow, and "
          "read its standard error as if the bound were not there",
          pr.parameter.key, s.best_u[i] < 0.5 ? "lower" : "upper", value_text(pr.fitted)));
    res.parameters.push_back(pr);
  }

  // Uncertainty: the Jacobian of the residuals by central differences (step 5% of each range,
  // one-sided at a bound), with the same seeds; covariance (JᵀWJ)⁻¹ where a residual of 1 is one
  // standard deviation of the target's published uncertainty.
  const std::vector<Slot>& slots = ev.slots();
  if (!res.interrupted && env.uncertainty) {
    const int before = ev.points();
    std::vector<std::vector<double>> jac(slots.size(), std::vector<double>(n, 0.0));
    std::vector<bool> usable(slots.size(), true);
    std::string lower_seen;  // about the lowest such point, so the user can restart from it
    double lowest = best.loss;
    int done = 0;
    for (std::size_t i = 0; i < n && !res.interrupted; ++i) {
      std::vector<double> up = s.best_u, down = s.best_u;
      up[i] = std::min(1.0, s.best_u[i] + res.step);
      down[i] = std::max(0.0, s.best_u[i] - res.step);
      const Point* sides[2] = {nullptr, nullptr};
      try {
        for (int side = 0; side < 2; ++side) {
          sides[side] = &ev.at(s.x_of(side == 0 ? up : down));
          if (progress)
            progress(Progress{Progress::uncertainty, ++done, static_cast<int>(2 * n), sides[side]->loss, kNaN,
                              s.x_of(side == 0 ? up : down)});
        }
      } catch (const Interrupted&) {
        res.interrupted = true;
        break;
      }
      for (const Point* side : sides)
        if (side->loss < lowest) {
          lowest = side->loss;
          lower_seen = fmt::format(
              "a point evaluated for the standard errors has a lower loss ({} at {} = {}) than the fit: "
              "the search had not converged; raise the budget, or start from there",
              num(side->loss), p.parameters[i].key, num(s.x_of(side == sides[0] ? up : down)[i]));
        }
      for (std::size_t k = 0; k < slots.size(); ++k) {
        const double a = sides[0]->r[k], b = sides[1]->r[k];
        if (std::isnan(a) || std::isnan(b)) usable[k] = false;
        jac[k][i] = (a - b) / (up[i] - down[i]);  // per unit of the scaled coordinate
      }
    }
    res.uncertainty_evaluations = ev.points() - before;
    if (!lower_seen.empty()) res.notes.push_back(lower_seen);
    if (!res.interrupted) {
      std::vector<std::vector<double>> info(n, std::vector<double>(n, 0.0));
      for (std::size_t k = 0; k < slots.size(); ++k) {
        if (slots[k].weight == 0) continue;
        if (!usable[k]) {
          res.notes.push_back(
              fmt::format("{} {}: not computable near the fit, left out of the standard errors",
                          ev.pattern_of(slots[k]), ev.component_of(slots[k])));
          continue;
        }
        for (std::size_t i = 0; i < n; ++i)
          for (std::size_t j = 0; j < n; ++j) info[i][j] += slots[k].weight * jac[k][i] * jac[k][j];
      }
      std::vector<double> values;
      std::vector<std::vector<double>> vectors;
      symmetric_eigen(info, values, vectors);
      const double largest = *std::max_element(values.begin(), values.end());
      const double tolerance = largest > 0 ? 1e-8 * largest : 0.0;
      std::vector<std::vector<double>> cov(n, std::vector<double>(n, 0.0));
      std::vector<double> unexplained(n, 0.0);
      for (std::size_t e = 0; e < n; ++e) {
        if (largest > 0 && values[e] > tolerance) {
          for (std::size_t i = 0; i < n; ++i)
            for (std::size_t j = 0; j < n; ++j) cov[i][j] += vectors[i][e] * vectors[j][e] / values[e];
          continue;
        }
        std::vector<std::string> involved;
        for (std::size_t i = 0; i < n; ++i) {
          unexplained[i] += vectors[i][e] * vectors[i][e];
          if (std::fabs(vectors[i][e]) > 0.1) involved.push_back(p.parameters[i].key);
        }
        if (involved.size() == 1)
          res.notes.push_back(fmt::format(
              "{} is not identified: the targets do not change when it moves by {:.0f}% of its range at the "
              "fit, so no standard error can be given (fit it with other targets, or fix it)",
              involved.front(), 100 * res.step));
        else
          res.notes.push_back(fmt::format(
              "{} are not identified separately: the targets change with a combination of them, not with "
              "each (the Jacobian is rank-deficient); the fitted values are one of many equally good",
              fmt::format("{}", fmt::join(involved, ", "))));
      }
      res.covariance.assign(n, std::vector<double>(n, kNaN));
      for (std::size_t i = 0; i < n; ++i) {
        const double ri = p.parameters[i].max - p.parameters[i].min;
        res.parameters[i].identified = unexplained[i] < 0.01;
        for (std::size_t j = 0; j < n; ++j) {
          const double rj = p.parameters[j].max - p.parameters[j].min;
          if (unexplained[i] < 0.01 && unexplained[j] < 0.01) res.covariance[i][j] = cov[i][j] * ri * rj;
        }
        if (res.parameters[i].identified) res.parameters[i].se = std::sqrt(res.covariance[i][i]);
      }
      for (std::size_t i = 0; i < n; ++i)
        for (std::size_t j = i + 1; j < n; ++j) {
          const double rho = res.covariance[i][j] / std::sqrt(res.covariance[i][i] * res.covariance[j][j]);
          if (std::fabs(rho) > 0.9)
            res.notes.push_back(fmt::format("{} and {} are strongly correlated in the fit (ρ = {:.2f})",
                                            p.parameters[i].key, p.parameters[j].key, rho));
        }
    }
  }

  // Replicates: the fitted scenario with other seeds, for the simulation noise of each measure.
  std::vector<std::vector<double>> reps(slots.size());
  if (!res.interrupted && env.replicates > 0) {
    const std::uint64_t after = *std::max_element(p.seeds.begin(), p.seeds.end());
    for (int k = 0; k < env.replicates && !res.interrupted; ++k) {
      const std::uint64_t seed = after + 1 + static_cast<std::uint64_t>(k);
      try {
        const Point pt = ev.run(best_x, {seed});
        res.replicate_seeds.push_back(seed);
        ++res.replicate_runs;
        for (std::size_t j = 0; j < slots.size(); ++j) reps[j].push_back(pt.value[j]);
        if (progress) progress(Progress{Progress::replicate, k + 1, env.replicates, pt.loss, kNaN, best_x});
      } catch (const Interrupted&) {
        res.interrupted = true;
      }
    }
  }
  res.runs = ev.runs();

  for (std::size_t k = 0; k < slots.size(); ++k) {
    ComponentResult c;
    c.pattern = ev.pattern_of(slots[k]);
    c.component = ev.component_of(slots[k]);
    c.target = ev.target_of(slots[k]);
    c.weight = slots[k].weight;
    c.scale = slots[k].scale;
    c.start = p0.value[k], c.fitted = best.value[k];
    c.residual_start = p0.r[k], c.residual_fitted = best.r[k];
    c.pass_start = passes(c.target, p0.per_seed[k], nullptr);
    c.pass = passes(c.target, best.per_seed[k], &c.reason);
    if (!reps[k].empty()) {
      double sum = 0;
      for (double v : reps[k]) sum += v;
      c.replicate_mean = sum / static_cast<double>(reps[k].size());
      if (reps[k].size() > 1) {
        double ss = 0;
        for (double v : reps[k]) ss += (v - c.replicate_mean) * (v - c.replicate_mean);
        c.replicate_sd = std::sqrt(ss / static_cast<double>(reps[k].size() - 1));
      }
    }
    if (c.weight == 0)
      res.notes.push_back(
          fmt::format("{} {}: a direction target is judged, not fitted (it gives no scale to fit to)",
                      c.pattern, c.component));
    res.components.push_back(std::move(c));
  }
  res.elapsed_s = std::chrono::duration<double>(clock::now() - t0).count();
  return res;
}

double loss_at(const Problem& p, const std::string& scenario_path, const Environment& env,
               const std::vector<double>& x) {
  Evaluator ev(p, scenario_path, env);
  return ev.run(x, p.seeds).loss;
}

std::vector<Override> fitted_overrides(const Problem& p, const Result& r) {
  std::vector<Override> out;
  for (std::size_t i = 0; i < r.parameters.size(); ++i)
    out.push_back(Override{p.parameters[i].key, value_text(r.parameters[i].fitted), "the fit"});
  return out;
}

// ---------------------------------------------------------------------------------------------
// Presentation

namespace {

std::size_t width(const std::string& s) {  // display width of UTF-8 text
  std::size_t n = 0;
  for (unsigned char ch : s) n += (ch & 0xC0) != 0x80;
  return n;
}

std::string table(const std::vector<std::vector<std::string>>& rows) {
  std::vector<std::size_t> w;
  for (const auto& row : rows) {
    w.resize(std::max(w.size(), row.size()), 0);
    for (std::size_t i = 0; i < row.size(); ++i) w[i] = std::max(w[i], width(row[i]));
  }
  std::string out;
  for (const auto& row : rows) {
    std::string line;
    for (std::size_t i = 0; i < row.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size()) line += std::string(w[i] - width(row[i]) + 2, ' ');
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line + "\n";
  }
  return out;
}

std::string one_line(std::string s) {
  std::replace(s.begin(), s.end(), '\n', ' ');
  while (!s.empty() && s.back() == ' ') s.pop_back();
  return s;
}

std::string bounds_text(const Parameter& q) { return fmt::format("[{}, {}]", num(q.min), num(q.max)); }

std::string fixed_text(const Problem& p) {
  std::string out;
  for (const auto& o : p.fixed) out += (out.empty() ? "" : ", ") + o.path + "=" + one_line(o.value);
  return out;
}

std::string residual_text(double r) { return std::isnan(r) ? "-" : fmt::format("{:+.2f}", r); }

using sim::json_number;
using sim::json_string;

std::string evaluations_text(const Problem& p, const Result& r) {
  std::string out =
      fmt::format("1 at the start, {} by the search (budget {}; {} new point{}", r.search_evaluations,
                  p.budget, r.search_points, r.search_points == 1 ? "" : "s");
  out += "; a repeated point is not run again)";
  if (r.uncertainty_evaluations > 0)
    out += fmt::format(", {} for the standard errors (central differences, step {:.0f}% of each range)",
                       r.uncertainty_evaluations, 100 * r.step);
  if (r.replicate_runs > 0) out += fmt::format(", {} replicate runs", r.replicate_runs);
  out += fmt::format("; {} simulation{} in all (each point runs {} seed{})", r.runs, r.runs == 1 ? "" : "s",
                     p.seeds.size(), p.seeds.size() == 1 ? "" : "s");
  return out;
}

}  // namespace

std::string format_report(const Problem& p, const Result& r) {
  std::string out = fmt::format("calibrate: {} (model {}) against {}\n", r.scenario, r.model,
                                p.source.empty() ? "-" : p.source);
  out += fmt::format("algorithm {} (NLopt {}), budget {}, seeds {}", p.algorithm,
                     nlopt_name(algorithm_of(p.algorithm)), p.budget, fmt::join(p.seeds, ", "));
  if (!p.fixed.empty()) out += "; fixed: " + fixed_text(p);
  out += fmt::format("\nstopped: {}{}; {:.1f} s\n", r.stopped,
                     r.interrupted ? " (the best point so far is reported; nothing is written)" : "",
                     r.elapsed_s);
  out += fmt::format(
      "loss {} at the start, {} at the fit (sum of weight × r², r = ±1 at the edges of a "
      "target's accept region)\n\n",
      num(r.loss_start), num(r.loss_fitted));

  std::vector<std::vector<std::string>> rows = {{"parameter", "bounds", "start", "fitted", "± se", ""}};
  for (const auto& q : r.parameters) {
    std::string note = q.at_bound ? "at a bound" : "";
    if (!q.identified) note += (note.empty() ? "" : "; ") + std::string("not identified");
    rows.push_back({q.parameter.key, bounds_text(q.parameter), num(q.start), num(q.fitted),
                    std::isnan(q.se) ? "-" : num(q.se), note});
  }
  out += table(rows) + "\n";

  const bool reps = r.replicate_runs > 0;
  rows = {{"pattern", "component", "weight", "target", "start", "fitted", "r start", "r fit"}};
  if (reps) rows.front().push_back(fmt::format("{} other seeds", r.replicate_runs));
  rows.front().push_back("result");
  std::string last;
  for (const auto& c : r.components) {
    std::vector<std::string> row = {c.pattern == last ? "" : c.pattern,
                                    c.component,
                                    num(c.weight),
                                    c.target.text(),
                                    num(c.start),
                                    num(c.fitted),
                                    residual_text(c.residual_start),
                                    residual_text(c.residual_fitted)};
    if (reps)
      row.push_back(std::isnan(c.replicate_sd)
                        ? num(c.replicate_mean)
                        : fmt::format("{} ± {}", num(c.replicate_mean), num(c.replicate_sd)));
    row.push_back(c.pass ? "pass" : "FAIL: " + c.reason);
    rows.push_back(std::move(row));
    last = c.pattern;
  }
  out += table(rows);
  if (reps)
    out += fmt::format(
        "(other seeds: mean ± sd of each measure over seeds {} at the fit: the simulation noise)\n",
        fmt::join(r.replicate_seeds, ", "));
  out += "\nevaluations: " + evaluations_text(p, r) + "\n";
  if (!r.notes.empty()) {
    out += "notes:\n";
    for (const auto& n : r.notes) out += "  - " + n + "\n";
  }
  return out;
}

std::string format_json(const Problem& p, const Result& r) {
  std::string out = std::string(kJsonMark) + ", ";
  out += fmt::format(
      "\"scenario\": {}, \"model\": {}, \"targets_file\": {}, \"algorithm\": {}, \"budget\": {}, "
      "\"seeds\": [{}], \"fixed\": [",
      json_string(r.scenario), json_string(r.model), json_string(p.source), json_string(p.algorithm),
      p.budget, fmt::join(p.seeds, ", "));
  for (std::size_t i = 0; i < p.fixed.size(); ++i)
    out += fmt::format("{}{}", i ? ", " : "", json_string(p.fixed[i].path + "=" + p.fixed[i].value));
  out += fmt::format(
      "],\n \"stopped\": {}, \"interrupted\": {}, \"elapsed_s\": {}, \"loss_start\": {}, "
      "\"loss_fitted\": {},\n \"evaluations\": {{\"start\": 1, \"search\": {}, \"search_points\": {}, "
      "\"uncertainty\": {}, \"replicates\": {}, \"runs\": {}}}, \"step\": {},\n \"parameters\": [",
      json_string(r.stopped), r.interrupted ? "true" : "false", json_number(r.elapsed_s),
      json_number(r.loss_start), json_number(r.loss_fitted), r.search_evaluations, r.search_points,
      r.uncertainty_evaluations, r.replicate_runs, r.runs, json_number(r.step));
  for (std::size_t i = 0; i < r.parameters.size(); ++i) {
    const auto& q = r.parameters[i];
    out += fmt::format(
        "{}\n  {{\"key\": {}, \"min\": {}, \"max\": {}, \"start\": {}, \"fitted\": {}, \"se\": {}, "
        "\"at_bound\": {}, \"identified\": {}}}",
        i ? "," : "", json_string(q.parameter.key), json_number(q.parameter.min),
        json_number(q.parameter.max), json_number(q.start), json_number(q.fitted), json_number(q.se),
        q.at_bound ? "true" : "false", q.identified ? "true" : "false");
  }
  out += "],\n \"covariance\": [";
  for (std::size_t i = 0; i < r.covariance.size(); ++i) {
    out += i ? ", [" : "[";
    for (std::size_t j = 0; j < r.covariance[i].size(); ++j)
      out += fmt::format("{}{}", j ? ", " : "", json_number(r.covariance[i][j]));
    out += "]";
  }
  out += "],\n \"components\": [";
  for (std::size_t i = 0; i < r.components.size(); ++i) {
    const auto& c = r.components[i];
    out += fmt::format(
        "{}\n  {{\"pattern\": {}, \"component\": {}, \"weight\": {}, \"target\": {{\"text\": {}, "
        "\"value\": {}, \"low\": {}, \"high\": {}, \"direction\": {}}}, \"scale\": {}, \"start\": {}, "
        "\"fitted\": {}, \"residual_start\": {}, \"residual_fitted\": {}, \"pass_start\": {}, "
        "\"pass\": {}, \"reason\": {}, \"replicate_mean\": {}, \"replicate_sd\": {}}}",
        i ? "," : "", json_string(c.pattern), json_string(c.component), json_number(c.weight),
        json_string(c.target.text()), json_number(c.target.value), json_number(c.target.low),
        json_number(c.target.high), c.target.direction, json_number(c.scale), json_number(c.start),
        json_number(c.fitted), json_number(c.residual_start), json_number(c.residual_fitted),
        c.pass_start ? "true" : "false", c.pass ? "true" : "false", json_string(c.reason),
        json_number(c.replicate_mean), json_number(c.replicate_sd));
  }
  out += "],\n \"notes\": [";
  for (std::size_t i = 0; i < r.notes.size(); ++i)
    out += fmt::format("{}{}", i ? ", " : "", json_string(r.notes[i]));
  return out + "]}\n";
}

std::string fitted_yaml(const Problem& p, const Result& r, const Environment& env,
                        const std::string& program) {
  std::vector<Override> o = p.fixed;
  const std::vector<Override> fitted = fitted_overrides(p, r);
  o.insert(o.end(), fitted.begin(), fitted.end());
  Scenario s = parse_scenario(read_text_file(r.scenario), r.scenario, o, env.spec);
  if (s.name.empty()) s.name = fs::path(r.scenario).stem().string();
  const ModelSpec* spec = spec_for(env.spec, s.model);
  std::string out = fmt::format("{} ({})\n", kYamlMark, one_line(program));
  out += fmt::format("# scenario: {}{}\n", one_line(r.scenario),
                     p.fixed.empty() ? "" : "; fixed: " + one_line(fixed_text(p)));
  std::string targets;
  for (const auto& t : p.targets)
    targets +=
        (targets.empty() ? "" : ", ") + fmt::format("{} ({})", t.pattern.name, one_line(t.pattern.cite));
  out += fmt::format("# targets{}: {}\n", p.source.empty() ? "" : " (" + one_line(p.source) + ")", targets);
  out += "# fitted (start -> fit ± standard error, bounds):\n";
  for (const auto& q : r.parameters)
    out +=
        fmt::format("#   {}: {} -> {}{} {}{}\n", one_line(q.parameter.key), num(q.start),
                    value_text(q.fitted), std::isnan(q.se) ? "" : " ± " + num(q.se), bounds_text(q.parameter),
                    q.at_bound      ? " (at a bound)"
                    : !q.identified ? " (not identified)"
                                    : "");
  out += fmt::format(
      "# loss {} at the start, {} at the fit; seeds {}; algorithm {}; budget {}; {} simulations\n",
      num(r.loss_start), num(r.loss_fitted), fmt::join(p.seeds, ", "), p.algorithm, p.budget, r.runs);
  out += "# Below: the scenario fully resolved with the fitted values (the form attune check prints).\n";
  return out + to_yaml(s, *spec);
}

}  // namespace attune::sim::calibration
