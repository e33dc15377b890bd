#include "sim/validation.hpp"

#include <fmt/format.h>

#include <fmt/ranges.h>

#include <algorithm>
#include <array>
#include <boost/math/distributions/normal.hpp>
#include <boost/math/distributions/students_t.hpp>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <map>
#include <memory>
#include <numeric>
#include <set>
#include <tuple>

#include "sim/compare.hpp"
#include "sim/errors.hpp"
#include "sim/json_text.hpp"
#include "sim/yaml_reader.hpp"

namespace attune::sim::validation {
namespace {

namespace fs = std::filesystem;

// ---------------------------------------------------------------------------------------------
// Reading pattern files

const std::vector<std::string_view> kTopKeys = {"name",        "level",    "cite",  "source",
                                                "description", "scenario", "quick", "seeds",
                                                "measure",     "target",   "notes"};
const std::vector<std::string_view> kTargetKeys = {"value",   "tolerance", "accept", "at_least",
                                                   "at_most", "direction", "p_below"};

struct KindInfo {
  const char* name;
  Measure::Kind kind;
  std::vector<std::string_view> keys;
  bool multi;  // several components, named by the target's keys
};

const std::vector<KindInfo>& kinds() {
  static const std::vector<KindInfo> all = {
      {"mean", Measure::mean, {"kind", "name", "table", "column", "where", "scale"}, false},
      {"class_shares", Measure::class_shares, {"kind", "where"}, true},
      {"point_biserial", Measure::point_biserial, {"kind", "name", "column", "classes", "where"}, false},
      {"phase_contrast", Measure::phase_contrast, {"kind", "protocol", "contrasts", "where"}, true},
      {"sample_peak_time", Measure::sample_peak_time, {"kind", "name", "protocol", "phase", "where"}, false},
      {"group_contrast",
       Measure::group_contrast,
       {"kind", "group_by", "group", "reference", "protocol", "phase", "where"},
       true},
      {"kappa", Measure::kappa, {"kind", "name"}, false},
  };
  return all;
}

const KindInfo& kind_info(Measure::Kind k) {
  for (const auto& i : kinds())
    if (i.kind == k) return i;
  return kinds().front();
}

std::string required_text(const Reader& rd, const YAML::Node& map, const std::string& path, const char* key) {
  const YAML::Node n = map[key];
  if (!n) rd.fail(map, path, fmt::format("missing key '{}'", key));
  std::string v = rd.text(n, Reader::join(path, key));
  if (v.empty()) rd.fail(n, Reader::join(path, key), "must not be empty");
  return v;
}

Target read_target(const Reader& rd, const YAML::Node& node, const std::string& path) {
  rd.expect_map(node, path);
  rd.check_keys(node, path, kTargetKeys);
  Target t;
  auto num = [&](const char* key) { return rd.number(node[key], Reader::join(path, key)); };
  if (node["direction"]) {
    const std::string d = rd.text(node["direction"], Reader::join(path, "direction"));
    if (d != "greater" && d != "less")
      rd.fail(node["direction"], Reader::join(path, "direction"),
              fmt::format("'{}': expected greater or less", d));
    t.direction = d == "greater" ? 1 : -1;
    if (!node["p_below"]) rd.fail(node, path, "a direction needs p_below (its significance level)");
    t.alpha = num("p_below");
    if (!(t.alpha > 0 && t.alpha < 1))
      rd.fail(node["p_below"], Reader::join(path, "p_below"), "must be in (0, 1)");
    for (const char* other : {"value", "tolerance", "accept", "at_least", "at_most"})
      if (node[other]) rd.fail(node[other], Reader::join(path, other), "does not go with a direction");
    return t;
  }
  if (node["p_below"]) rd.fail(node["p_below"], Reader::join(path, "p_below"), "only goes with a direction");
  if (node["value"]) t.value = num("value");
  if (node["tolerance"]) {
    if (!node["value"]) rd.fail(node["tolerance"], Reader::join(path, "tolerance"), "needs a value");
    const double tol = num("tolerance");
    if (tol < 0) rd.fail(node["tolerance"], Reader::join(path, "tolerance"), "must be ≥ 0");
    t.low = t.value - tol, t.high = t.value + tol;
  }
  if (node["accept"]) {
    const YAML::Node a = node["accept"];
    const std::string ap = Reader::join(path, "accept");
    if (node["tolerance"]) rd.fail(a, ap, "give either tolerance or accept, not both");
    if (!a.IsSequence() || a.size() != 2) rd.fail(a, ap, "expected [low, high]");
    t.low = rd.number(a[0], ap + ".0"), t.high = rd.number(a[1], ap + ".1");
    if (t.low > t.high) rd.fail(a, ap, "low is above high");
  }
  if (node["at_least"]) t.low = num("at_least");
  if (node["at_most"]) t.high = num("at_most");
  if (std::isinf(t.low) && std::isinf(t.high))
    rd.fail(node, path,
            "no accept region: give value and tolerance, accept, at_least/at_most, or direction and p_below");
  if (!std::isnan(t.value) && (t.value < t.low || t.value > t.high))
    rd.fail(node, path, "the published value is outside its own accept region");
  return t;
}

std::vector<Filter> read_where(const Reader& rd, const YAML::Node& node, const std::string& path) {
  std::vector<Filter> out;
  if (!node) return out;
  rd.expect_map(node, path);
  for (const auto& kv : node) {
    Filter f;
    f.column = kv.first.Scalar();
    const std::string p = Reader::join(path, f.column);
    if (kv.second.IsSequence()) {
      for (std::size_t i = 0; i < kv.second.size(); ++i)
        f.values.push_back(rd.text(kv.second[i], fmt::format("{}.{}", p, i)));
      if (f.values.empty()) rd.fail(kv.second, p, "an empty list matches no rows");
    } else {
      f.values.push_back(rd.text(kv.second, p));
    }
    out.push_back(std::move(f));
  }
  return out;
}

// `column: NAME`, or `column: {MODEL: NAME, ...}` where the models name it differently.
void read_column(const Reader& rd, const YAML::Node& node, const std::string& path, Measure& m) {
  const YAML::Node c = node["column"];
  const std::string cp = Reader::join(path, "column");
  if (!c) rd.fail(node, path, "this measure needs 'column'");
  if (c.IsMap()) {
    for (const auto& kv : c)
      m.column_for.emplace_back(kv.first.Scalar(), rd.text(kv.second, Reader::join(cp, kv.first.Scalar())));
    if (m.column_for.empty()) rd.fail(c, cp, "expected a column name or {model: column}");
    m.column = m.column_for.front().second;
  } else {
    m.column = rd.text(c, cp);
  }
}

Measure read_measure(const Reader& rd, const YAML::Node& node, const std::string& path) {
  rd.expect_map(node, path);
  Measure m;
  const std::string kind = required_text(rd, node, path, "kind");
  const KindInfo* info = nullptr;
  for (const auto& k : kinds())
    if (kind == k.name) info = &k;
  if (!info) {
    std::string list;
    for (const auto& k : kinds()) list += (list.empty() ? "" : ", ") + std::string(k.name);
    rd.fail(node["kind"], Reader::join(path, "kind"),
            fmt::format("unknown measure '{}' (known: {})", kind, list));
  }
  m.kind = info->kind;
  rd.check_keys(node, path, info->keys);
  auto text = [&](const char* key, bool required, std::string& out) {
    if (node[key])
      out = rd.text(node[key], Reader::join(path, key));
    else if (required)
      rd.fail(node, path, fmt::format("a {} measure needs '{}'", kind, key));
  };
  m.where = read_where(rd, node["where"], Reader::join(path, "where"));
  text("name", false, m.name);
  switch (m.kind) {
    case Measure::mean:
      text("table", false, m.table);
      if (m.table != "infants" && m.table != "phases" && m.table != "samples")
        rd.fail(node["table"], Reader::join(path, "table"),
                fmt::format("'{}': expected infants, phases or samples", m.table));
      read_column(rd, node, path, m);
      if (node["scale"]) m.scale = rd.number(node["scale"], Reader::join(path, "scale"));
      break;
    case Measure::class_shares:
      break;
    case Measure::point_biserial:
      read_column(rd, node, path, m);
      text("classes", false, m.classes);
      break;
    case Measure::phase_contrast: {
      text("protocol", true, m.protocol);
      const YAML::Node c = node["contrasts"];
      const std::string cp = Reader::join(path, "contrasts");
      if (!c) rd.fail(node, path, "a phase_contrast measure needs 'contrasts'");
      if (!c.IsSequence() || c.size() == 0)
        rd.fail(c, cp, "expected a list of {name, column, phase, reference}");
      for (std::size_t i = 0; i < c.size(); ++i) {
        const std::string ip = fmt::format("{}.{}", cp, i);
        rd.expect_map(c[i], ip);
        rd.check_keys(c[i], ip, {"name", "column", "phase", "reference"});
        PhaseContrast pc{required_text(rd, c[i], ip, "name"), required_text(rd, c[i], ip, "column"),
                         required_text(rd, c[i], ip, "phase"), required_text(rd, c[i], ip, "reference")};
        for (const auto& other : m.contrasts)
          if (other.name == pc.name)
            rd.fail(c[i]["name"], ip + ".name", fmt::format("'{}' is named twice", pc.name));
        m.contrasts.push_back(pc);
      }
      break;
    }
    case Measure::sample_peak_time:
      text("protocol", true, m.protocol);
      text("phase", true, m.phase);
      break;
    case Measure::group_contrast:
      text("group_by", true, m.group_by);
      text("group", true, m.group);
      text("reference", true, m.reference);
      text("protocol", false, m.protocol);
      text("phase", false, m.phase);
      break;
    case Measure::kappa:
      break;
  }
  return m;
}

}  // namespace

const std::string& Measure::column_of(const std::string& model) const {
  for (const auto& [m, c] : column_for)
    if (m == model) return c;
  return column;
}

const std::string* Pattern::scenario_for(const std::string& model) const {
  for (const auto& [m, path] : scenarios)
    if (m == model) return &path;
  return nullptr;
}

Pattern parse_pattern(const std::string& text, const std::string& source, const std::string& dir) {
  const YAML::Node root = parse_yaml(text, source);
  const Reader rd(source, {});
  rd.expect_map(root, "");
  rd.check_keys(root, "", kTopKeys);
  Pattern p;
  p.file = source;
  p.name = required_text(rd, root, "", "name");
  p.level = required_text(rd, root, "", "level");
  if (std::find(std::begin(kLevels), std::end(kLevels), p.level) == std::end(kLevels))
    rd.fail(root["level"], "level", fmt::format("'{}': expected micro, meso, macro or observed", p.level));
  p.cite = required_text(rd, root, "", "cite");
  p.source = required_text(rd, root, "", "source");
  p.description = root["description"] ? rd.text(root["description"], "description") : "";

  const YAML::Node sc = root["scenario"];
  if (!sc) rd.fail(root, "", "missing key 'scenario' (a scenario file per model)");
  rd.expect_map(sc, "scenario");
  for (const auto& kv : sc) {
    const std::string model = kv.first.Scalar();
    const std::string rel = rd.text(kv.second, Reader::join("scenario", model));
    const fs::path full = fs::path(dir) / rel;
    if (!fs::exists(full))
      rd.fail(kv.second, Reader::join("scenario", model), fmt::format("no such file '{}'", full.string()));
    p.scenarios.emplace_back(model, full.lexically_normal().string());
  }

  if (const YAML::Node q = root["quick"]) {
    rd.expect_map(q, "quick");
    for (const auto& kv : q) {
      const std::string key = kv.first.Scalar();
      const std::string value = kv.second.IsScalar() ? kv.second.Scalar() : YAML::Dump(kv.second);
      p.quick.push_back(Override{key, value, fmt::format("{}: quick.{}", source, key)});
    }
  }

  p.seeds = root["seeds"] ? rd.seeds(root["seeds"], "seeds") : std::vector<std::uint64_t>{1, 2, 3};

  // Why a model fails the pattern, as far as its authors know: shown with a failing result only,
  // so that a note can never stand beside a pass it no longer explains.
  if (const YAML::Node n = root["notes"]) {
    rd.expect_map(n, "notes");
    for (const auto& kv : n) {
      const std::string model = kv.first.Scalar();
      // A note for a model the pattern has no scenario for can never be shown: a typo, most likely.
      if (!p.scenario_for(model)) {
        std::string known;
        for (const auto& sc_model : p.scenarios) known += (known.empty() ? "" : ", ") + sc_model.first;
        rd.fail(
            kv.first, Reader::join("notes", model),
            fmt::format("no scenario for model '{}' in this pattern (models with one: {})", model, known));
      }
      p.notes.emplace_back(model, rd.text(kv.second, Reader::join("notes", model)));
    }
  }

  if (!root["measure"]) rd.fail(root, "", "missing key 'measure'");
  p.measure = read_measure(rd, root["measure"], "measure");

  const YAML::Node t = root["target"];
  if (!t) rd.fail(root, "", "missing key 'target'");
  rd.expect_map(t, "target");
  const KindInfo& info = kind_info(p.measure.kind);
  if (!info.multi) {
    const Measure::Kind k = p.measure.kind;
    const std::string name = !p.measure.name.empty()          ? p.measure.name
                             : k == Measure::kappa            ? "kappa"
                             : k == Measure::point_biserial   ? "r"
                             : k == Measure::sample_peak_time ? "peak_min"
                             : p.measure.column_for.empty()   ? p.measure.column
                                                              : "mean";
    p.components.push_back(Component{name, read_target(rd, t, "target")});
  } else {
    std::vector<std::string_view> allowed;
    if (p.measure.kind == Measure::phase_contrast) {
      for (const auto& c : p.measure.contrasts) allowed.push_back(c.name);
      rd.check_keys(t, "target", allowed);
    }
    for (const auto& kv : t) {
      const std::string name = kv.first.Scalar();
      if (p.measure.kind == Measure::class_shares && name.size() != 1)
        rd.fail(kv.first, Reader::join("target", name), "expected a class letter (B, A, C, D)");
      p.components.push_back(Component{name, read_target(rd, kv.second, Reader::join("target", name))});
    }
    if (p.components.empty()) rd.fail(t, "target", "no component to judge");
  }
  return p;
}

Pattern load_pattern(const std::string& path) {
  return parse_pattern(read_text_file(path), path, fs::path(path).parent_path().string());
}

std::vector<Pattern> load_patterns(const std::string& dir) {
  if (!fs::is_directory(dir))
    throw InputError(fmt::format("{}: no such directory (the validation patterns)", dir));
  std::vector<std::string> files;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.is_regular_file() && e.path().extension() == ".yaml") files.push_back(e.path().string());
  std::sort(files.begin(), files.end());
  std::vector<Pattern> out;
  out.reserve(files.size());
  for (const auto& f : files) out.push_back(load_pattern(f));
  auto rank = [](const Pattern& p) {
    return std::find(std::begin(kLevels), std::end(kLevels), p.level) - std::begin(kLevels);
  };
  std::stable_sort(out.begin(), out.end(),
                   [&](const Pattern& a, const Pattern& b) { return rank(a) < rank(b); });
  for (std::size_t i = 1; i < out.size(); ++i)
    for (std::size_t j = 0; j < i; ++j)
      if (out[i].name == out[j].name)
        throw InputError(
            fmt::format("{}: name '{}' is also the name of {}", out[i].file, out[i].name, out[j].file));
  return out;
}

// ---------------------------------------------------------------------------------------------
// Measures

namespace {

std::string cite_of(const Pattern& p) { return p.cite; }
std::string citation_of(const Pattern& p) { return p.source; }

const Column& need(const Table& t, const std::string& table, const std::string& name) {
  const Column* c = t.find(name);
  if (!c) throw Unmeasurable(fmt::format("the model records no '{}' in /{}", name, table));
  return *c;
}

double number_at(const Column& c, std::size_t row, const std::string& table) {
  if (c.kind == Column::int64) return static_cast<double>(c.ints[row]);
  if (c.kind == Column::float64) return c.reals[row];
  throw Unmeasurable(fmt::format("'{}' in /{} is text, not a number", c.name, table));
}

std::vector<std::size_t> rows_where(const Table& t, const std::string& table,
                                    const std::vector<Filter>& where) {
  std::vector<const Column*> cols;
  cols.reserve(where.size());
  for (const auto& f : where) cols.push_back(&need(t, table, f.column));
  std::vector<std::size_t> out;
  for (std::size_t r = 0; r < t.rows(); ++r) {
    bool ok = true;
    for (std::size_t i = 0; i < where.size() && ok; ++i) {
      const std::string v = compare::cell_text(*cols[i], r);
      ok = std::find(where[i].values.begin(), where[i].values.end(), v) != where[i].values.end();
    }
    if (ok) out.push_back(r);
  }
  return out;
}

const Table& table_named(const RunResult& r, const std::string& name) {
  if (name == "phases") return r.phases;
  if (name == "samples") return r.samples;
  return r.infants;
}

double mean_of(const std::vector<double>& x) {
  return x.empty() ? kNaN : std::accumulate(x.begin(), x.end(), 0.0) / static_cast<double>(x.size());
}

double var_of(const std::vector<double>& x) {
  if (x.size() < 2) return kNaN;
  const double m = mean_of(x);
  double s = 0;
  for (double v : x) s += (v - m) * (v - m);
  return s / static_cast<double>(x.size() - 1);
}

double t_two_sided(double t, double df) {
  if (!std::isfinite(t) || !(df > 0)) return kNaN;
  return 2.0 * boost::math::cdf(boost::math::complement(boost::math::students_t(df), std::fabs(t)));
}

double z_two_sided(double z) {
  if (!std::isfinite(z)) return kNaN;
  return 2.0 * boost::math::cdf(boost::math::complement(boost::math::normal(), std::fabs(z)));
}

// Welch's t test of a − b.
Value welch(const std::vector<double>& a, const std::vector<double>& b) {
  Value v;
  v.n = a.size() + b.size();
  if (a.size() < 2 || b.size() < 2) return v;
  v.value = compare::mean_contrast({a, b}, {1.0, -1.0}, 0).difference;
  const double qa = var_of(a) / static_cast<double>(a.size()), qb = var_of(b) / static_cast<double>(b.size());
  const double se = std::sqrt(qa + qb);
  const double df =
      (qa + qb) * (qa + qb) /
      (qa * qa / static_cast<double>(a.size() - 1) + qb * qb / static_cast<double>(b.size() - 1));
  v.p = se > 0 ? t_two_sided(v.value / se, df) : kNaN;
  return v;
}

// Which row of `p`'s protocol phases starts where: the onset (s since the protocol's start).
double phase_onset(const Scenario& s, const std::string& protocol, const std::string& phase) {
  for (const Protocol& p : s.experiment.protocols) {
    if (p.name != protocol) continue;
    double t = 0;
    for (const Phase& ph : p.phases) {
      if (ph.name == phase) return t;
      t += ph.duration_s;
    }
    throw InputError(fmt::format("{}: protocol '{}' has no phase '{}'", s.source, protocol, phase));
  }
  throw InputError(fmt::format("{}: no protocol '{}'", s.source, protocol));
}

using UnitKey = std::pair<std::int64_t, std::string>;  // (infant_id, arm)

// Per infant (and arm): the largest sampled cortisol from the onset on, minus the last sample
// before it.
std::map<UnitKey, double> cortisol_rises(const Measure& m, const Scenario& s, const RunResult& r) {
  const double onset = phase_onset(s, m.protocol, m.phase);
  const Table& t = r.samples;
  std::vector<Filter> where = m.where;
  where.push_back({"protocol", {m.protocol}});
  const auto rows = rows_where(t, "protocol/samples", where);
  const Column& id = need(t, "protocol/samples", "infant_id");
  const Column& arm = need(t, "protocol/samples", "arm");
  const Column& ts = need(t, "protocol/samples", "t_s");
  const Column& z = need(t, "protocol/samples", "cortisol");
  std::map<UnitKey, double> base_t, base, peak;
  for (std::size_t row : rows) {
    const UnitKey k{id.ints[row], arm.texts[row]};
    const double time = ts.reals[row], v = z.reals[row];
    if (time < onset) {
      if (!base_t.count(k) || time > base_t[k]) base_t[k] = time, base[k] = v;
    } else {
      peak[k] = peak.count(k) ? std::max(peak[k], v) : v;
    }
  }
  std::map<UnitKey, double> out;
  for (const auto& [k, b] : base)
    if (peak.count(k)) out[k] = peak[k] - b;
  return out;
}

}  // namespace

std::vector<Value> measure(const Pattern& p, const Scenario& s, const RunResult& r) {
  const Measure& m = p.measure;
  std::vector<Value> out;
  switch (m.kind) {
    case Measure::mean: {
      const std::string table = m.table == "infants" ? "infants" : "protocol/" + m.table;
      const Table& t = table_named(r, m.table);
      const Column& c = need(t, table, m.column_of(s.model));
      std::vector<double> x;
      for (std::size_t row : rows_where(t, table, m.where)) {
        const double v = number_at(c, row, table);
        if (std::isfinite(v)) x.push_back(v);
      }
      out.push_back(Value{mean_of(x) * m.scale, kNaN, x.size()});
      break;
    }
    case Measure::class_shares: {
      const Column& c = need(r.infants, "infants", "classification");
      const auto rows = rows_where(r.infants, "infants", m.where);
      for (const auto& comp : p.components) {
        std::size_t k = 0;
        for (std::size_t row : rows) k += !c.texts[row].empty() && c.texts[row][0] == comp.name[0];
        out.push_back(
            Value{rows.empty() ? kNaN : 100.0 * static_cast<double>(k) / static_cast<double>(rows.size()),
                  kNaN, rows.size()});
      }
      break;
    }
    case Measure::point_biserial: {
      const Column& x = need(r.infants, "infants", m.column_of(s.model));
      const Column& y = need(r.infants, "infants", "classification");
      std::vector<double> a, b;
      for (std::size_t row : rows_where(r.infants, "infants", m.where)) {
        const double v = number_at(x, row, "infants");
        if (!std::isfinite(v) || y.texts[row].empty()) continue;
        a.push_back(v);
        b.push_back(m.classes.find(y.texts[row][0]) != std::string::npos ? 1.0 : 0.0);
      }
      Value v;
      v.n = a.size();
      if (a.size() > 2) {
        const double ma = mean_of(a), mb = mean_of(b);
        double sab = 0, saa = 0, sbb = 0;
        for (std::size_t i = 0; i < a.size(); ++i)
          sab += (a[i] - ma) * (b[i] - mb), saa += (a[i] - ma) * (a[i] - ma),
              sbb += (b[i] - mb) * (b[i] - mb);
        if (saa > 0 && sbb > 0) {
          v.value = sab / std::sqrt(saa * sbb);
          const double df = static_cast<double>(a.size() - 2);
          v.p = std::fabs(v.value) < 1 ? t_two_sided(v.value * std::sqrt(df / (1 - v.value * v.value)), df)
                                       : 0.0;
        }
      }
      out.push_back(v);
      break;
    }
    case Measure::phase_contrast: {
      const std::string table = "protocol/phases";
      const Table& t = r.phases;
      std::vector<Filter> where = m.where;
      where.push_back({"protocol", {m.protocol}});
      const auto rows = rows_where(t, table, where);
      const Column& id = need(t, table, "infant_id");
      const Column& cg = need(t, table, "caregiver_id");
      const Column& arm = need(t, table, "arm");
      const Column& phase = need(t, table, "phase");
      for (const auto& comp : p.components) {
        const PhaseContrast* pc = nullptr;
        for (const auto& c : m.contrasts)
          if (c.name == comp.name) pc = &c;
        const Column* colp = t.find(pc->column);
        if (!colp) {
          Value missing;
          missing.missing = fmt::format("the model records no '{}' in /{}", pc->column, table);
          out.push_back(missing);
          continue;
        }
        const Column& col = *colp;
        using Key = std::tuple<std::int64_t, std::int64_t, std::string>;
        std::map<Key, double> group, reference;
        for (std::size_t row : rows) {
          const Key k{id.ints[row], cg.ints[row], arm.texts[row]};
          if (phase.texts[row] == pc->phase) group[k] = number_at(col, row, table);
          if (phase.texts[row] == pc->reference) reference[k] = number_at(col, row, table);
        }
        if (group.empty() || reference.empty())
          throw InputError(fmt::format("{}: protocol '{}' has no phase '{}' or '{}' in {}", p.file,
                                       m.protocol, pc->phase, pc->reference, s.source));
        std::vector<double> d;
        for (const auto& [k, v] : group) {
          const auto it = reference.find(k);
          if (it != reference.end() && std::isfinite(v) && std::isfinite(it->second))
            d.push_back(v - it->second);
        }
        Value v;
        v.n = d.size();
        v.value = mean_of(d);
        const double sd = std::sqrt(var_of(d));
        if (d.size() > 1 && sd > 0)
          v.p = t_two_sided(v.value / (sd / std::sqrt(static_cast<double>(d.size()))),
                            static_cast<double>(d.size() - 1));
        else if (d.size() > 1 && v.value != 0)
          v.p = 0.0;  // every pair differs by the same amount
        out.push_back(v);
      }
      break;
    }
    case Measure::sample_peak_time: {
      const double onset = phase_onset(s, m.protocol, m.phase);
      std::vector<Filter> where = m.where;
      where.push_back({"protocol", {m.protocol}});
      const std::string table = "protocol/samples";
      const auto rows = rows_where(r.samples, table, where);
      const Column& ts = need(r.samples, table, "t_s");
      const Column& z = need(r.samples, table, "cortisol");
      const Column& id = need(r.samples, table, "infant_id");
      std::map<double, std::pair<double, std::size_t>> curve;  // t → (Σ cortisol, n)
      std::set<std::int64_t> infants;
      for (std::size_t row : rows) {
        if (ts.reals[row] < onset || !std::isfinite(z.reals[row])) continue;
        auto& c = curve[ts.reals[row]];
        c.first += z.reals[row], ++c.second;
        infants.insert(id.ints[row]);
      }
      Value v;
      v.n = infants.size();
      double best = -kInf;
      for (const auto& [time, c] : curve) {
        const double mean = c.first / static_cast<double>(c.second);
        if (mean > best) best = mean, v.value = (time - onset) / 60.0;
      }
      if (!curve.empty() && v.value == (curve.rbegin()->first - onset) / 60.0)
        v.note = "the mean curve still rises at the last sample";
      out.push_back(v);
      break;
    }
    case Measure::group_contrast: {
      const Table& t = r.infants;
      const auto rows = rows_where(t, "infants", m.where);
      const Column& by = need(t, "infants", m.group_by);
      if (by.kind != Column::text)
        throw InputError(fmt::format("{}: group_by '{}' is not a text column", p.file, m.group_by));
      const Column& id = need(t, "infants", "infant_id");
      const Column& arm = need(t, "infants", "arm");
      auto side = [&](std::size_t row) {
        const std::string& g = by.texts[row];
        // A class letter names every class that starts with it (D/A is D).
        auto is = [&](const std::string& want) {
          return g == want ||
                 (m.group_by == "classification" && !g.empty() && want.size() == 1 && g[0] == want[0]);
        };
        return is(m.group) ? 1 : is(m.reference) ? 0 : -1;
      };
      std::map<UnitKey, double> rises;
      for (const auto& comp : p.components) {
        if (comp.name == "cortisol_rise") {
          if (m.protocol.empty() || m.phase.empty())
            throw InputError(fmt::format("{}: cortisol_rise needs the measure's protocol and phase", p.file));
          if (rises.empty()) rises = cortisol_rises(m, s, r);
          std::vector<double> a, b;
          for (std::size_t row : rows) {
            const int g = side(row);
            const auto it = rises.find(UnitKey{id.ints[row], arm.texts[row]});
            if (g < 0 || it == rises.end() || !std::isfinite(it->second)) continue;
            (g == 1 ? a : b).push_back(it->second);
          }
          out.push_back(welch(a, b));
        } else if (comp.name.size() == 1 && std::isupper(static_cast<unsigned char>(comp.name[0]))) {
          const Column& cls = need(t, "infants", "classification");
          compare::Count a{0, 0}, b{0, 0};
          for (std::size_t row : rows) {
            const int g = side(row);
            if (g < 0) continue;
            compare::Count& c = g == 1 ? a : b;
            ++c.n;
            c.k += !cls.texts[row].empty() && cls.texts[row][0] == comp.name[0];
          }
          Value v;
          v.n = a.n + b.n;
          if (a.n > 0 && b.n > 0) {
            const compare::Effect e = compare::proportion_contrast({a, b}, {1.0, -1.0});
            v.value = e.log_odds_d;
            const double se = (e.lod_ci_high - e.lod_ci_low) / (2 * compare::kZ95);
            v.p = se > 0 ? z_two_sided(v.value / se) : kNaN;
          }
          out.push_back(v);
        } else {
          const Column& c = need(t, "infants", comp.name);
          std::vector<double> a, b;
          for (std::size_t row : rows) {
            const int g = side(row);
            const double v = number_at(c, row, "infants");
            if (g >= 0 && std::isfinite(v)) (g == 1 ? a : b).push_back(v);
          }
          out.push_back(welch(a, b));
        }
      }
      break;
    }
    case Measure::kappa:
      out.push_back(Value{r.agreement.kappa(), kNaN, static_cast<std::size_t>(r.agreement.n())});
      break;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Judging

namespace {

std::string num(double v) {
  if (std::isnan(v)) return "-";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  return fmt::format("{:.3g}", v);
}

std::string pval(double p) {
  if (std::isnan(p)) return "p -";
  if (p < 1e-4) return "p < 0.0001";
  return fmt::format("p = {:.2g}", p);
}

}  // namespace

std::string Target::text() const {
  if (direction != 0) return fmt::format("{} 0, p < {}", direction > 0 ? ">" : "<", num(alpha));
  std::string region;
  if (std::isinf(low))
    region = "≤ " + num(high);
  else if (std::isinf(high))
    region = "≥ " + num(low);
  else
    region = fmt::format("[{}, {}]", num(low), num(high));
  return std::isnan(value) ? region : fmt::format("{} {}", num(value), region);
}

bool meets(const Target& t, const Value& v, std::string* reason) {
  auto why = [&](std::string text) {
    if (reason) *reason = std::move(text);
    return false;
  };
  if (!v.missing.empty()) return why(v.missing);
  if (std::isnan(v.value)) return why("not computable (no rows, or undefined)");
  if (t.direction != 0) {
    if (v.value * t.direction <= 0)
      return why(
          fmt::format("wrong direction: {} (expected {} 0)", num(v.value), t.direction > 0 ? ">" : "<"));
    if (!(v.p < t.alpha))
      return why(
          fmt::format("right direction but not significant: {} (needs < {})", pval(v.p), num(t.alpha)));
    return true;
  }
  const std::string note = v.note.empty() ? "" : " (" + v.note + ")";
  if (v.value < t.low) return why(fmt::format("below {} by {}{}", num(t.low), num(t.low - v.value), note));
  if (v.value > t.high) return why(fmt::format("above {} by {}{}", num(t.high), num(v.value - t.high), note));
  return true;
}

const char* status_name(PatternResult::Status s) {
  return s == PatternResult::pass ? "pass" : s == PatternResult::fail ? "FAIL" : "not applicable";
}

// ---------------------------------------------------------------------------------------------
// Running

namespace {

struct Run {
  Scenario scenario;
  RunResult result;
};

std::string run_key(const std::string& model, const std::string& path, const std::vector<Override>& overrides,
                    std::uint64_t seed) {
  std::string k = model + "|" + path + "|" + std::to_string(seed);
  for (const auto& o : overrides) k += "|" + o.path + "=" + o.value;
  return k;
}

}  // namespace

std::vector<PatternResult> run_suite(const std::vector<Pattern>& patterns,
                                     const std::vector<std::string>& models, const Environment& env) {
  using clock = std::chrono::steady_clock;
  // Load and check every scenario first: a bad one stops the suite before anything runs.
  std::map<std::string, Scenario> loaded;
  for (const auto& model : models)
    for (const auto& p : patterns)
      if (const std::string* path = p.scenario_for(model)) {
        const auto overrides = env.quick ? p.quick : std::vector<Override>{};
        const std::string k = run_key(model, *path, overrides, 0);
        if (loaded.count(k)) continue;
        Scenario s = load_scenario(*path, overrides, env.spec);
        if (s.model != model)
          throw InputError(fmt::format("{}: scenario {} is for model '{}' (its `model:` key), not '{}'",
                                       p.file, *path, s.model, model));
        (void)env.model(model);
        loaded.emplace(k, std::move(s));
      }

  std::vector<PatternResult> out;
  for (const auto& model : models) {
    std::map<std::string, std::shared_ptr<const Run>> cache;
    for (const auto& p : patterns) {
      PatternResult pr;
      pr.pattern = &p;
      pr.model = model;
      const std::string* path = p.scenario_for(model);
      if (!path) {
        pr.status = PatternResult::not_applicable;
        pr.reason = fmt::format("no scenario for model '{}'", model);
        out.push_back(std::move(pr));
        continue;
      }
      const auto t0 = clock::now();
      const auto overrides = env.quick ? p.quick : std::vector<Override>{};
      const std::vector<std::uint64_t>& seeds = env.seeds.empty() ? p.seeds : env.seeds;
      pr.seeds = env.quick ? std::vector<std::uint64_t>{seeds.front()} : seeds;
      for (const auto& c : p.components)
        pr.components.push_back(ComponentResult{c.name, c.target, {}, kNaN, kNaN, 0, false, {}});
      std::string unmeasurable;
      for (std::uint64_t seed : pr.seeds) {
        const std::string k = run_key(model, *path, overrides, seed);
        auto& run = cache[k];
        if (!run) {
          auto fresh = std::make_shared<Run>();
          fresh->scenario = loaded.at(run_key(model, *path, overrides, 0));
          fresh->scenario.seed = seed;
          RunSettings settings;
          settings.threads = env.threads;
          settings.stop = env.stop;
          const auto r0 = clock::now();
          fresh->result = simulate(env.model(model), fresh->scenario, settings);
          if (env.progress)
            env.progress(fmt::format("{}: {} seed {}: {:.1f} s", model, fs::path(*path).filename().string(),
                                     seed, std::chrono::duration<double>(clock::now() - r0).count()));
          run = std::move(fresh);
        }
        try {
          const auto values = measure(p, run->scenario, run->result);
          for (std::size_t i = 0; i < values.size(); ++i) pr.components[i].per_seed.push_back(values[i]);
        } catch (const Unmeasurable& e) {
          unmeasurable = e.what();
          break;
        }
      }
      pr.elapsed_s = std::chrono::duration<double>(clock::now() - t0).count();
      bool all = true;
      for (auto& c : pr.components) {
        if (!unmeasurable.empty()) {
          c.pass = false;
          c.reason = unmeasurable;
          all = false;
          continue;
        }
        std::vector<double> xs;
        std::string first_reason;
        for (const auto& v : c.per_seed) {
          xs.push_back(v.value);
          std::string why;
          if (meets(c.target, v, &why))
            ++c.seeds_passed;
          else if (first_reason.empty())
            first_reason = why;
        }
        c.mean = mean_of(xs);
        c.se = xs.size() > 1 ? std::sqrt(var_of(xs) / static_cast<double>(xs.size())) : kNaN;
        c.pass = c.seeds_passed == static_cast<int>(xs.size());
        if (!c.pass) {
          std::string why;
          Value at_mean{c.mean, kNaN, 0};
          at_mean.note = c.per_seed.front().note;
          if (c.target.direction == 0 && c.per_seed.front().missing.empty() &&
              !meets(c.target, at_mean, &why))
            first_reason = why + (xs.size() > 1 ? " (mean over seeds)" : "");
          c.reason = first_reason;
          if (xs.size() > 1 && c.per_seed.front().missing.empty())
            c.reason += fmt::format("; fails in {} of {} seeds", xs.size() - c.seeds_passed, xs.size());
          all = false;
        }
      }
      pr.status = all ? PatternResult::pass : PatternResult::fail;
      if (!unmeasurable.empty()) pr.reason = unmeasurable;
      out.push_back(std::move(pr));
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Presentation

namespace {

std::string simulated_text(const ComponentResult& c) {
  if (c.per_seed.empty()) return "-";
  if (!c.per_seed.front().missing.empty()) return "not measured";
  std::string s = num(c.mean);
  if (!std::isnan(c.se)) s += fmt::format(" ± {:.2g}", c.se);
  if (c.target.direction != 0) {
    double worst = 0;
    for (const auto& v : c.per_seed) worst = std::isnan(v.p) ? v.p : std::max(worst, v.p);
    s += " (" + std::string(c.per_seed.size() > 1 ? "largest " : "") + pval(worst) + ")";
  }
  return s;
}

using sim::json_number;
using sim::json_string;

std::string md_escape(const std::string& s) {
  std::string out;
  for (char ch : s) out += ch == '|' ? std::string("\\|") : std::string(1, ch);
  return out;
}

std::string column_text(const Measure& m) {
  if (m.column_for.empty()) return "`" + m.column + "`";
  std::string s;
  for (const auto& [model, c] : m.column_for)
    s += fmt::format("{}`{}` ({})", s.empty() ? "" : ", ", c, model);
  return s;
}

std::string measure_text(const Pattern& p) {
  const Measure& m = p.measure;
  std::string where;
  for (const auto& f : m.where) {
    std::string vals;
    for (const auto& v : f.values) vals += (vals.empty() ? "" : " or ") + v;
    where += fmt::format("{}{} = {}", where.empty() ? "" : ", ", f.column, vals);
  }
  const std::string rows = where.empty() ? "" : " (rows with " + where + ")";
  switch (m.kind) {
    case Measure::mean:
      return fmt::format("mean of {} in /{}{}{}", column_text(m),
                         m.table == "infants" ? "infants" : "protocol/" + m.table, rows,
                         m.scale != 1 ? fmt::format(", × {}", m.scale) : "");
    case Measure::class_shares:
      return "share of each class of `classification` in /infants, in percent" + rows;
    case Measure::point_biserial:
      return fmt::format("point-biserial r between {} and classification in {{{}}} over /infants{}",
                         column_text(m), m.classes, rows);
    case Measure::phase_contrast: {
      std::string s = fmt::format(
          "paired differences between phases of protocol `{}` (/protocol/phases, paired by "
          "infant; paired t test){}: ",
          m.protocol, rows);
      for (std::size_t i = 0; i < m.contrasts.size(); ++i)
        s += fmt::format("{}{} = `{}` in {} − {}", i ? "; " : "", m.contrasts[i].name, m.contrasts[i].column,
                         m.contrasts[i].phase, m.contrasts[i].reference);
      return s;
    }
    case Measure::sample_peak_time:
      return fmt::format(
          "minutes from the onset of phase `{}` of protocol `{}` to the peak of the mean sampled "
          "cortisol curve (/protocol/samples){}",
          m.phase, m.protocol, rows);
    case Measure::group_contrast:
      return fmt::format(
          "`{}` = {} against {} in /infants{}: class letters as log-odds d (Woolf), numbers as the "
          "difference of means (Welch){}",
          m.group_by, m.group, m.reference, rows,
          m.protocol.empty() ? ""
                             : fmt::format("; cortisol_rise = the highest sampled cortisol from the onset "
                                           "of `{}` on minus the last sample before it (protocol `{}`)",
                                           m.phase, m.protocol));
    case Measure::kappa:
      return "Cohen's kappa of the observed (reunion) and working-model classifications "
             "(/protocol/agreement)";
  }
  return "";
}

}  // namespace

std::string format_table(const std::vector<PatternResult>& results) {
  struct Line {
    std::string model, level, pattern, cite, component, target, simulated, result;
  };
  std::vector<Line> lines;
  for (const auto& r : results) {
    const Pattern& p = *r.pattern;
    if (r.status == PatternResult::not_applicable) {
      lines.push_back(
          {r.model, p.level, p.name, cite_of(p), "", "", "", "not applicable (" + r.reason + ")"});
      continue;
    }
    bool first = true;
    for (const auto& c : r.components) {
      Line l{first ? r.model : "",
             first ? p.level : "",
             first ? p.name : "",
             first ? cite_of(p) : "",
             c.name,
             c.target.text(),
             simulated_text(c),
             c.pass ? "pass" : "FAIL: " + c.reason};
      lines.push_back(std::move(l));
      first = false;
    }
  }
  std::array<std::size_t, 7> w{5, 5, 7, 6, 9, 6, 9};
  auto width = [](const std::string& s) {  // display width of UTF-8 text
    std::size_t n = 0;
    for (unsigned char ch : s) n += (ch & 0xC0) != 0x80;
    return n;
  };
  for (const auto& l : lines) {
    const std::string* f[] = {&l.model, &l.level, &l.pattern, &l.cite, &l.component, &l.target, &l.simulated};
    for (std::size_t i = 0; i < 7; ++i) w[i] = std::max(w[i], width(*f[i]));
  }
  auto pad = [&](const std::string& s, std::size_t n) {
    return s + std::string(n > width(s) ? n - width(s) : 0, ' ');
  };
  std::string out;
  const std::string head[] = {"model", "level", "pattern", "source", "component", "target", "simulated"};
  for (std::size_t i = 0; i < 7; ++i) out += pad(head[i], w[i]) + "  ";
  out += "result\n";
  std::string last_model;
  for (const auto& l : lines) {
    const std::string* f[] = {&l.model, &l.level, &l.pattern, &l.cite, &l.component, &l.target, &l.simulated};
    for (std::size_t i = 0; i < 7; ++i) out += pad(*f[i], w[i]) + "  ";
    out += l.result + "\n";
  }
  // Per model: how many patterns pass.
  std::map<std::string, std::array<int, 3>> tally;
  std::vector<std::string> order;
  for (const auto& r : results) {
    if (!tally.count(r.model)) order.push_back(r.model);
    ++tally[r.model][r.status];
  }
  for (const auto& m : order)
    out += fmt::format("{}: {} passed, {} failed, {} not applicable\n", m, tally[m][PatternResult::pass],
                       tally[m][PatternResult::fail], tally[m][PatternResult::not_applicable]);
  return out;
}

std::string format_json(const std::vector<PatternResult>& results, bool quick) {
  std::string out = fmt::format("{}, \"quick\": {}, \"patterns\": [", kJsonMark, quick ? "true" : "false");
  for (std::size_t i = 0; i < results.size(); ++i) {
    const auto& r = results[i];
    const Pattern& p = *r.pattern;
    out += fmt::format(
        "{}\n {{\"model\": {}, \"pattern\": {}, \"file\": {}, \"level\": {}, \"cite\": {}, \"source\": {}, "
        "\"status\": {}, \"reason\": {}, \"why\": {}, \"elapsed_s\": {}, \"seeds\": [",
        i ? "," : "", json_string(r.model), json_string(p.name), json_string(p.file), json_string(p.level),
        json_string(cite_of(p)), json_string(citation_of(p)),
        json_string(r.status == PatternResult::pass   ? "pass"
                    : r.status == PatternResult::fail ? "fail"
                                                      : "not_applicable"),
        json_string(r.reason), json_string(failure_note(r)), json_number(r.elapsed_s));
    for (std::size_t s = 0; s < r.seeds.size(); ++s) out += fmt::format("{}{}", s ? ", " : "", r.seeds[s]);
    out += "], \"components\": [";
    for (std::size_t j = 0; j < r.components.size(); ++j) {
      const auto& c = r.components[j];
      const Target& t = c.target;
      out += fmt::format(
          "{}\n  {{\"name\": {}, \"target\": {{\"text\": {}, \"value\": {}, \"low\": {}, \"high\": {}, "
          "\"direction\": {}, \"alpha\": {}}}, \"mean\": {}, \"se\": {}, \"pass\": {}, \"seeds_passed\": {}, "
          "\"reason\": {}, \"per_seed\": [",
          j ? "," : "", json_string(c.name), json_string(t.text()), json_number(t.value), json_number(t.low),
          json_number(t.high), t.direction, json_number(t.alpha), json_number(c.mean), json_number(c.se),
          c.pass ? "true" : "false", c.seeds_passed, json_string(c.reason));
      for (std::size_t s = 0; s < c.per_seed.size(); ++s)
        out += fmt::format("{}{{\"value\": {}, \"p\": {}, \"n\": {}}}", s ? ", " : "",
                           json_number(c.per_seed[s].value), json_number(c.per_seed[s].p), c.per_seed[s].n);
      out += "]}";
    }
    out += "]}";
  }
  return out + "]}\n";
}

std::string format_markdown(const std::vector<Pattern>& patterns, const std::vector<PatternResult>& results,
                            const std::vector<std::string>& models, bool quick, double elapsed_s,
                            double cpu_s) {
  std::string out;
  out += "# Validation: the published patterns each model is checked against\n\n";
  out += "<!-- Generated by `attune validate --markdown > docs/VALIDATION.md`; do not edit by hand. -->\n\n";
  out +=
      "A model earns trust by reproducing several independent published patterns at different levels\n"
      "(DESIGN.md principle 6; pattern-oriented modelling, Grimm et al. 2005). Each pattern is a YAML file\n"
      "in `validation/`: the scenario it runs for each model (`validation/scenarios/<model>/`, since\n"
      "parameter names differ between models), the measure computed from the run's result tables, the\n"
      "target with its accept region, and the source. **Targets and tolerances come from the literature\n"
      "and are never adjusted to make a model pass; what fails is reported here.**\n\n"
      "```sh\n"
      "attune validate                      # every pattern, every model, three seeds each\n"
      "attune validate --quick              # smaller populations, one seed (CI)\n"
      "attune validate --seeds 4,5,6        # the same patterns on other seeds\n"
      "attune validate --pattern still_face # only the patterns named\n"
      "attune validate --model mutual --json -o results.json   # or -o results.h5\n"
      "attune validate --markdown > docs/VALIDATION.md         # this file\n"
      "```\n\n"
      "The command exits 1 when a pattern fails for a model asked for, 2 for a bad pattern or scenario\n"
      "file (naming the file, line and key).\n\n"
      "## How a pattern is judged\n\n"
      "- A pattern's scenario is run once per seed (`seeds:`, default 1, 2, 3, or `--seeds`; `--quick`\n"
      "  uses the first seed and the pattern's `quick:` overrides). Patterns naming the same scenario\n"
      "  share its runs.\n"
      "- A component passes when its value is inside the accept region in **every** seed; a direction\n"
      "  target needs the right sign and p below the level in every seed. The table shows the mean over\n"
      "  seeds ± its standard error (sd/√seeds; none with one seed) and, for a failure, which side of the\n"
      "  region the mean is on and by how much, and in how many seeds it fails.\n"
      "- A pattern passes when all its components pass. A model that does not record what a measure\n"
      "  needs (a column such as positive affect) fails it: the mechanism is missing. A pattern with no\n"
      "  scenario for a model is *not applicable* to it.\n\n"
      "| measure | computed as |\n|---|---|\n"
      "| `mean` | mean of a column of /infants, /protocol/phases or /protocol/samples over the rows matching "
      "`where` (times `scale`) |\n"
      "| `class_shares` | percent of /infants rows in each class (first letter of `classification`) |\n"
      "| `point_biserial` | Pearson r between a numeric /infants column and membership of `classes` |\n"
      "| `phase_contrast` | per contrast, the mean paired difference of a /protocol/phases column between "
      "two phases (by infant), with the paired t test's two-sided p |\n"
      "| `sample_peak_time` | minutes from a phase's onset to the peak of the mean /protocol/samples "
      "cortisol curve |\n"
      "| `group_contrast` | two groups of a text column of /infants (`arm`, `classification`): a class "
      "letter as the log-odds d (ln OR·√3/π, Woolf's SE, z test; sim/compare), a number as the difference of "
      "means (Welch t test); `cortisol_rise` = highest sampled cortisol from a phase's onset minus the last "
      "sample before it |\n"
      "| `kappa` | Cohen's kappa of the observed (reunion) and working-model classifications, "
      "/protocol/agreement |\n\n";

  out +=
      fmt::format("## Results ({})\n\n", quick ? "`--quick`: one seed, smaller populations" : "full suite");
  out += "| level | pattern | target | source |";
  for (const auto& m : models) out += " " + m + " |";
  out += "\n|---|---|---|---|";
  for (std::size_t i = 0; i < models.size(); ++i) out += "---|";
  out += "\n";
  for (const auto& p : patterns) {
    std::string targets;
    for (const auto& c : p.components)
      targets += (targets.empty() ? "" : "; ") + c.name + ": " + c.target.text();
    out += fmt::format("| {} | [{}](#{}) | {} | {} |", p.level, p.name, p.name, md_escape(targets),
                       md_escape(cite_of(p)));
    for (const auto& m : models)
      for (const auto& r : results)
        if (r.pattern == &p && r.model == m) out += fmt::format(" {} |", status_name(r.status));
    out += "\n";
  }
  // A pattern that does not apply to a model (no scenario for it) is not counted against it.
  std::map<std::string, int> passed, applicable;
  for (const auto& r : results) {
    passed[r.model] += r.status == PatternResult::pass;
    applicable[r.model] += r.status != PatternResult::not_applicable;
  }
  out += "\n";
  for (const auto& m : models) {
    const std::size_t skipped = patterns.size() - static_cast<std::size_t>(applicable[m]);
    out += fmt::format("- `{}` passes {} of {} patterns{}.\n", m, passed[m], applicable[m],
                       skipped ? fmt::format(" ({} more not applicable)", skipped) : "");
  }
  out += fmt::format("\nThe run took {:.0f} s ({:.0f} s of CPU time, all threads together).\n\n", elapsed_s,
                     cpu_s);

  out += "## The patterns\n\n";
  for (const auto& p : patterns) {
    out += fmt::format("### {}\n\n", p.name);
    out += fmt::format("- **level**: {}\n- **file**: `{}`\n- **source**: {}\n- **measure**: {}\n", p.level,
                       p.file, citation_of(p), measure_text(p));
    out += "- **scenarios**:";
    for (const auto& [m, path] : p.scenarios) out += fmt::format(" {} `{}`;", m, path);
    const std::vector<std::uint64_t>* seeds = &p.seeds;  // as run (--seeds, --quick), else the file's
    for (const auto& r : results)
      if (r.pattern == &p && !r.seeds.empty()) seeds = &r.seeds;
    out += fmt::format(" seeds {}\n\n", fmt::join(*seeds, ", "));
    if (!p.description.empty()) out += p.description + (p.description.back() == '\n' ? "\n" : "\n\n");
    out += "| model | component | target | simulated | result |\n|---|---|---|---|---|\n";
    for (const auto& r : results) {
      if (r.pattern != &p) continue;
      if (r.status == PatternResult::not_applicable) {
        out += fmt::format("| {} | | | | not applicable ({}) |\n", r.model, r.reason);
        continue;
      }
      for (const auto& c : r.components)
        out +=
            fmt::format("| {} | {} | {} | {} | {} |\n", r.model, c.name, md_escape(c.target.text()),
                        md_escape(simulated_text(c)), c.pass ? "pass" : "**fail**: " + md_escape(c.reason));
    }
    out += "\n";
    for (const auto& r : results)
      if (const std::string why = r.pattern == &p ? failure_note(r) : std::string(); !why.empty())
        out += fmt::format("**Why `{}` fails it, as far as known:** {}\n\n", r.model, why);
  }
  return out;
}

std::string failure_note(const PatternResult& r) {
  if (r.status != PatternResult::fail) return {};
  for (const auto& [model, note] : r.pattern->notes)
    if (model == r.model) return note;
  return {};
}

Table results_table(const std::vector<PatternResult>& results) {
  Table t;
  auto text = [&](const char* name) -> Column& { return t.add(name, Column::text, 1); };
  Column& model = text("model");
  Column& pattern = text("pattern");
  Column& level = text("level");
  Column& cite = text("source");
  Column& component = text("component");
  Column& target = text("target");
  Column& status = text("status");
  Column& mean = t.add("mean", Column::float64);
  Column& se = t.add("se", Column::float64);
  Column& low = t.add("low", Column::float64);
  Column& high = t.add("high", Column::float64);
  Column& seeds = t.add("seeds", Column::int64);
  Column& passed = t.add("seeds_passed", Column::int64);
  Column& reason = text("reason");
  Column& why = text("why");  // the pattern file's note for a failing model (failure_note)
  for (const auto& r : results) {
    std::vector<ComponentResult> comps = r.components;
    if (comps.empty()) comps.push_back(ComponentResult{});
    for (const auto& c : comps) {
      model.texts.push_back(r.model);
      pattern.texts.push_back(r.pattern->name);
      level.texts.push_back(r.pattern->level);
      cite.texts.push_back(cite_of(*r.pattern));
      component.texts.push_back(c.name);
      target.texts.push_back(c.name.empty() ? "" : c.target.text());
      status.texts.push_back(r.status == PatternResult::not_applicable ? "not_applicable"
                             : c.pass                                  ? "pass"
                                                                       : "fail");
      mean.reals.push_back(c.mean);
      se.reals.push_back(c.se);
      low.reals.push_back(c.target.low);
      high.reals.push_back(c.target.high);
      seeds.ints.push_back(static_cast<std::int64_t>(c.per_seed.size()));
      passed.ints.push_back(c.seeds_passed);
      reason.texts.push_back(r.status == PatternResult::not_applicable ? r.reason : c.reason);
      why.texts.push_back(failure_note(r));
    }
  }
  for (auto& c : t.columns)
    if (c.kind == Column::text)
      for (const auto& s : c.texts) c.text_width = std::max(c.text_width, s.size());
  return t;
}

}  // namespace attune::sim::validation
