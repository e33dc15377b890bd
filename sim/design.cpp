// Designed experiments (sim/design.hpp): the `sweep:` section read into a list of points.
//
// Reading is separate from generation: the generators below work on the unit hypercube and know
// nothing of YAML; read_design validates the section, calls one of them and maps unit values to
// the factors' bounds.
#include "sim/design.hpp"

#include <Random123/philox.h>
#include <fmt/format.h>

#include <algorithm>
#include <boost/random/sobol.hpp>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <stdexcept>
#include <string_view>

#include "sim/errors.hpp"
#include "sim/random.hpp"

namespace attune::sim {

namespace {

// More rows than this is a typo, not an experiment (and would exhaust memory).
constexpr std::size_t kMaxPoints = 10'000'000;

// Successive 32-bit words of one counter-based stream: block `counter` gives eight of them.
class Words {
 public:
  explicit Words(const Stream& stream) : stream_(stream) {}

  std::uint32_t next() {
    if (used_ == 8) {
      block_ = stream_.at(counter_++);
      used_ = 0;
    }
    const std::uint64_t w = block_.w[used_ / 2];
    const std::uint32_t r = used_ % 2 == 0 ? low32(w) : high32(w);
    ++used_;
    return r;
  }

  // Uniform on {0, ..., n-1}, n >= 1, without bias: Lemire's multiply-and-reject.
  std::uint32_t below(std::uint32_t n) {
    std::uint64_t m = std::uint64_t{next()} * n;
    if (static_cast<std::uint32_t>(m) < n) {
      const std::uint32_t threshold = (0u - n) % n;  // 2^32 mod n
      while (static_cast<std::uint32_t>(m) < threshold) m = std::uint64_t{next()} * n;
    }
    return static_cast<std::uint32_t>(m >> 32);
  }

 private:
  Stream stream_;
  Block block_{};
  std::uint64_t counter_ = 0;
  int used_ = 8;
};

// A random permutation of 0..n-1 (Fisher–Yates, drawing from the back).
std::vector<std::uint32_t> permutation(std::size_t n, Words& words) {
  std::vector<std::uint32_t> p(n);
  for (std::size_t i = 0; i < n; ++i) p[i] = static_cast<std::uint32_t>(i);
  for (std::size_t i = n; i > 1; --i) std::swap(p[i - 1], p[words.below(static_cast<std::uint32_t>(i))]);
  return p;
}

// ---------------------------------------------------------------------------------------------
// Reading the section.

struct Factor {
  std::string name;
  YAML::Node node;  // its definition, for messages and sources
  std::string path;
  // factorial: the levels and where each came from
  std::vector<std::string> levels;
  std::vector<ValueSource> level_sources;
  // sampling designs
  double lower = 0, upper = 0;
  bool log_scale = false;
};

// A scenario key: dot-separated names of letters, digits and '_'.
bool is_dotted_key(std::string_view key) {
  if (key.empty() || key.front() == '.' || key.back() == '.') return false;
  char prev = '.';
  for (char c : key) {
    const bool word = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    if (!word && !(c == '.' && prev != '.')) return false;
    prev = c;
  }
  return true;
}

// A number as the YAML text that reads back to exactly the same double.
std::string number_text(double v) { return fmt::format("{}", v); }

// Range arithmetic leaves tails such as 0.30000000000000004; 15 significant digits remove them
// and stay within 1e-15 of the computed value.
double tidy(double v) { return std::stod(fmt::format("{:.15g}", v)); }

// A YAML scalar as the override text that reads back the same: numbers printed shortest, plain
// scalars as written, quoted scalars quoted again (so that "1e3" stays a string).
std::string scalar_text(const YAML::Node& node) {
  if (node.Tag() == "!") {
    YAML::Emitter out;
    out << YAML::DoubleQuoted << node.Scalar();
    return out.c_str();
  }
  double v = 0;
  if (YAML::convert<double>::decode(node, v) && std::isfinite(v)) return number_text(v);
  return node.Scalar();
}

std::string flow_text(const YAML::Node& node) {
  YAML::Emitter out;
  out << YAML::Flow << node;
  return out.c_str();
}

std::vector<std::string_view> keys_for(DesignKind kind) {
  switch (kind) {
    case DesignKind::factorial:
      return {"design", "replicates", "factors"};
    case DesignKind::points:
      return {"design", "replicates", "points"};
    case DesignKind::latin_hypercube:
    case DesignKind::sobol:
    case DesignKind::saltelli:
      return {"design", "replicates", "factors", "samples"};
    case DesignKind::morris:
      return {"design", "replicates", "factors", "samples", "levels"};
    case DesignKind::csv:
      return {"design", "replicates", "file"};
  }
  return {};
}

constexpr DesignKind kKinds[] = {DesignKind::factorial, DesignKind::points,   DesignKind::latin_hypercube,
                                 DesignKind::sobol,     DesignKind::saltelli, DesignKind::morris,
                                 DesignKind::csv};

// The factors map, in the order written; each entry still to be read by the design's rules.
std::vector<Factor> factor_list(const Reader& rd, const YAML::Node& sweep) {
  const YAML::Node node = sweep["factors"];
  if (!node) rd.fail(sweep, "sweep.factors", "missing: the design needs factors (scenario key: values)");
  if (!node.IsMap() || node.size() == 0)
    rd.fail(node, "sweep.factors", "expected a non-empty mapping of scenario keys to their values");
  std::vector<Factor> out;
  std::set<std::string> seen;
  for (const auto& kv : node) {
    Factor f;
    f.name = kv.first.Scalar();
    f.path = "sweep.factors." + f.name;
    f.node = kv.second;
    if (!is_dotted_key(f.name))
      rd.fail(kv.first, f.path, "not a scenario key (dot-separated names of letters, digits and '_')");
    if (!seen.insert(f.name).second) rd.fail(kv.first, f.path, "factor given twice");
    out.push_back(f);
  }
  return out;
}

double required_number(const Reader& rd, const YAML::Node& map, const std::string& path, const char* key) {
  const YAML::Node n = map[key];
  if (!n) rd.fail(map, path + "." + key, fmt::format("missing '{}'", key));
  return rd.number(n, path + "." + key);
}

bool read_scale(const Reader& rd, const YAML::Node& map, const std::string& path) {
  const YAML::Node n = map["scale"];
  if (!n) return false;
  const std::string s = rd.text(n, path + ".scale");
  if (s != "linear" && s != "log")
    rd.fail(n, path + ".scale", fmt::format("unknown scale '{}' (allowed: linear, log)", s));
  return s == "log";
}

// A factorial factor: a list of values, or {from, to, step | count, scale}.
void read_levels(const Reader& rd, Factor& f) {
  const YAML::Node& node = f.node;
  if (node.IsSequence()) {
    if (node.size() == 0) rd.fail(node, f.path, "empty list: a factor needs at least one value");
    for (std::size_t i = 0; i < node.size(); ++i) {
      if (!node[i].IsScalar())
        rd.fail(node[i], fmt::format("{}.{}", f.path, i), "expected a single value (a number or a word)");
      f.levels.push_back(scalar_text(node[i]));
      f.level_sources.push_back({rd.where(node[i], f.path)});
    }
    return;
  }
  if (!node.IsMap())
    rd.fail(node, f.path,
            "expected a list of values ([0.3, 0.5]) or a range ({from: a, to: b, step: s} or "
            "{from: a, to: b, count: n})");
  rd.check_keys(node, f.path, {"from", "to", "step", "count", "scale"});
  const double from = required_number(rd, node, f.path, "from");
  const double to = required_number(rd, node, f.path, "to");
  const bool log = read_scale(rd, node, f.path);
  const YAML::Node step_node = node["step"];
  const YAML::Node count_node = node["count"];
  if (step_node && count_node) rd.fail(count_node, f.path + ".count", "give step or count, not both");
  if (!step_node && !count_node) rd.fail(node, f.path, "missing step or count");
  std::vector<double> values;
  if (log) {
    if (!count_node) rd.fail(step_node, f.path + ".step", "a log-scale range needs count, not step");
    if (from <= 0)
      rd.fail(node["from"], f.path + ".from", fmt::format("{} must be > 0 on a log scale", from));
    if (to <= 0) rd.fail(node["to"], f.path + ".to", fmt::format("{} must be > 0 on a log scale", to));
  }
  if (count_node) {
    const auto count = static_cast<std::size_t>(rd.integer(count_node, f.path + ".count", 1, kMaxPoints));
    for (std::size_t k = 0; k < count; ++k) {
      if (k == 0) {
        values.push_back(from);
      } else if (k + 1 == count) {
        values.push_back(to);
      } else {
        const double u = static_cast<double>(k) / static_cast<double>(count - 1);
        values.push_back(tidy(log ? std::exp(std::log(from) + u * (std::log(to) - std::log(from)))
                                  : from + u * (to - from)));
      }
    }
  } else {
    const std::string path = f.path + ".step";
    const double step = rd.number(step_node, path);
    if (step == 0 || (to > from && step < 0) || (to < from && step > 0))
      rd.fail(step_node, path,
              fmt::format("{} does not lead from {} to {} (step must be > 0, or < 0 when to < from)", step,
                          from, to));
    const double tolerance = 1e-9 * std::abs(step);
    const double span = std::abs(to - from) + tolerance;
    if (span / std::abs(step) >= static_cast<double>(kMaxPoints))
      rd.fail(step_node, path, fmt::format("the range has more than {} values", kMaxPoints));
    for (std::size_t k = 0;; ++k) {
      const double v = from + static_cast<double>(k) * step;
      if (std::abs(v - from) > span) break;
      values.push_back(std::abs(v - to) <= tolerance ? to : tidy(v));
    }
  }
  const std::string where = rd.where(node, f.path);
  for (double v : values) {
    f.levels.push_back(number_text(v));
    f.level_sources.push_back({where});
  }
}

// A sampled factor: {min: a, max: b, scale: linear | log}.
void read_bounds(const Reader& rd, Factor& f) {
  if (!f.node.IsMap()) rd.fail(f.node, f.path, "expected bounds {min: a, max: b} (optionally scale: log)");
  rd.check_keys(f.node, f.path, {"min", "max", "scale"});
  f.lower = required_number(rd, f.node, f.path, "min");
  f.upper = required_number(rd, f.node, f.path, "max");
  f.log_scale = read_scale(rd, f.node, f.path);
  if (f.lower >= f.upper)
    rd.fail(f.node["max"], f.path + ".max",
            fmt::format("max {} must be greater than min {}", f.upper, f.lower));
  if (f.log_scale && f.lower <= 0)
    rd.fail(f.node["min"], f.path + ".min", fmt::format("{} must be > 0 on a log scale", f.lower));
}

// Unit value u in [0,1] to the factor's range; the ends map exactly to min and max.
double from_unit(double u, const Factor& f) {
  if (u <= 0) return f.lower;
  if (u >= 1) return f.upper;
  const double v = f.log_scale ? std::exp(std::log(f.lower) + u * (std::log(f.upper) - std::log(f.lower)))
                               : f.lower + u * (f.upper - f.lower);
  return std::clamp(v, f.lower, f.upper);
}

void read_factorial(const Reader& rd, const YAML::Node& sweep, Design& d) {
  std::vector<Factor> factors = factor_list(rd, sweep);
  std::size_t total = 1;
  for (Factor& f : factors) {
    read_levels(rd, f);
    total *= f.levels.size();
    if (total > kMaxPoints)
      rd.fail(sweep["factors"], "sweep.factors",
              fmt::format("the full factorial has more than {} points", kMaxPoints));
    d.factors.push_back(f.name);
  }
  // Nested loops in the order written: the last factor varies fastest.
  d.values.assign(total, std::vector<std::string>(factors.size()));
  d.sources.assign(total, std::vector<ValueSource>(factors.size()));
  for (std::size_t p = 0; p < total; ++p) {
    std::size_t rest = p;
    for (std::size_t j = factors.size(); j-- > 0;) {
      const std::size_t n = factors[j].levels.size();
      d.values[p][j] = factors[j].levels[rest % n];
      d.sources[p][j] = factors[j].level_sources[rest % n];
      rest /= n;
    }
  }
}

// One explicit point: its keys flattened to dotted paths down to single values.
void flatten(const Reader& rd, const YAML::Node& node, const std::string& key, const std::string& path,
             std::vector<std::pair<std::string, YAML::Node>>& out) {
  if (node.IsMap()) {
    for (const auto& kv : node) {
      const std::string sub = Reader::join(key, kv.first.Scalar());
      const std::string sub_path = Reader::join(path, kv.first.Scalar());
      if (!is_dotted_key(sub))
        rd.fail(kv.first, sub_path, "not a scenario key (dot-separated names of letters, digits and '_')");
      flatten(rd, kv.second, sub, sub_path, out);
    }
    return;
  }
  if (!node.IsDefined() || node.IsNull()) rd.fail(node, path, "expected a value");
  out.emplace_back(key, node);
}

void read_points(const Reader& rd, const YAML::Node& sweep, Design& d) {
  const YAML::Node list = sweep["points"];
  if (!list) rd.fail(sweep, "sweep.points", "missing: explicit points need a list of partial scenarios");
  if (!list.IsSequence() || list.size() == 0)
    rd.fail(list, "sweep.points", "expected a non-empty list of partial scenarios (- key: value ...)");
  if (list.size() > kMaxPoints) rd.fail(list, "sweep.points", fmt::format("more than {} points", kMaxPoints));
  std::map<std::string, std::size_t> column;
  for (std::size_t i = 0; i < list.size(); ++i) {
    const std::string path = fmt::format("sweep.points.{}", i);
    rd.expect_map(list[i], path);
    std::vector<std::pair<std::string, YAML::Node>> entries;
    flatten(rd, list[i], "", path, entries);
    std::vector<std::string> row(d.factors.size());
    std::vector<ValueSource> src(d.factors.size());
    std::set<std::string> seen;
    for (const auto& [key, value] : entries) {
      const std::string value_path = path + "." + key;
      if (!seen.insert(key).second) rd.fail(value, value_path, "set twice in this point");
      auto [it, added] = column.emplace(key, d.factors.size());
      if (added) {
        d.factors.push_back(key);
        for (auto& r : d.values) r.emplace_back();
        for (auto& s : d.sources) s.emplace_back();
        row.emplace_back();
        src.emplace_back();
      }
      row[it->second] = value.IsScalar() ? scalar_text(value) : flow_text(value);
      src[it->second] = {rd.where(value, value_path)};
    }
    d.values.push_back(std::move(row));
    d.sources.push_back(std::move(src));
  }
}

void read_sampled(const Reader& rd, const YAML::Node& sweep, std::uint64_t seed, Design& d) {
  std::vector<Factor> factors = factor_list(rd, sweep);
  for (Factor& f : factors) {
    read_bounds(rd, f);
    d.factors.push_back(f.name);
    d.lower.push_back(f.lower);
    d.upper.push_back(f.upper);
    d.log_scale.push_back(f.log_scale);
  }
  const std::size_t dims = factors.size();
  const YAML::Node samples = sweep["samples"];
  if (!samples) rd.fail(sweep, "sweep.samples", "missing: how many samples to draw");
  d.samples = rd.integer(samples, "sweep.samples", 1, static_cast<std::int64_t>(kMaxPoints));
  const auto n = static_cast<std::size_t>(d.samples);
  // Rows per sample: 1, or D+2 (Saltelli), or D+1 (Morris).
  std::size_t rows_per = 1;
  if (d.kind == DesignKind::saltelli) rows_per = dims + 2;
  if (d.kind == DesignKind::morris) rows_per = dims + 1;
  if (n * rows_per > kMaxPoints)
    rd.fail(samples, "sweep.samples",
            fmt::format("{} samples give {} points; at most {}", n, n * rows_per, kMaxPoints));
  const std::size_t sobol_dims = d.kind == DesignKind::saltelli ? 2 * dims : dims;
  // A copy: passing the static member by reference would need a definition Boost does not give
  // (an undefined symbol in unoptimised and sanitizer builds).
  const std::size_t max_sobol_dims = boost::random::default_sobol_table::max_dimension;
  if ((d.kind == DesignKind::sobol || d.kind == DesignKind::saltelli) && sobol_dims > max_sobol_dims)
    rd.fail(sweep["factors"], "sweep.factors",
            fmt::format("too many factors for a Sobol sequence ({} dimensions; at most {})", sobol_dims,
                        max_sobol_dims));

  std::vector<std::vector<double>> unit;
  switch (d.kind) {
    case DesignKind::latin_hypercube:
      unit = latin_hypercube(n, dims, seed);
      break;
    case DesignKind::sobol:
      unit = sobol_points(n, dims);
      break;
    case DesignKind::saltelli:
      unit = saltelli(n, dims, &d.roles);
      break;
    case DesignKind::morris: {
      d.morris_levels = 4;
      if (const YAML::Node levels = sweep["levels"]) {
        d.morris_levels = static_cast<int>(rd.integer(levels, "sweep.levels", 2, 1000));
        if (d.morris_levels % 2 != 0)
          rd.fail(levels, "sweep.levels",
                  fmt::format("{} levels: Morris needs an even number, so that the step p/(2(p-1)) "
                              "lands on the grid",
                              d.morris_levels));
      }
      unit = morris(n, dims, d.morris_levels, seed, &d.trajectory);
      break;
    }
    default:
      break;
  }
  std::vector<ValueSource> where(dims);
  for (std::size_t j = 0; j < dims; ++j) where[j] = {rd.where(factors[j].node, factors[j].path)};
  d.values.reserve(unit.size());
  for (const auto& u : unit) {
    std::vector<std::string> row(dims);
    for (std::size_t j = 0; j < dims; ++j) row[j] = number_text(from_unit(u[j], factors[j]));
    d.values.push_back(std::move(row));
    d.sources.push_back(where);
  }
}

// ---------------------------------------------------------------------------------------------
// CSV designs.

std::string trim(std::string_view s) {
  const auto b = s.find_first_not_of(" \t");
  if (b == std::string_view::npos) return "";
  return std::string(s.substr(b, s.find_last_not_of(" \t") - b + 1));
}

// One CSV record (RFC 4180 quoting within the line; quoted fields may not span lines).
// Returns false on an unterminated quote.
bool split_csv(std::string_view line, std::vector<std::string>& cells) {
  cells.clear();
  std::size_t i = 0;
  while (true) {
    std::string cell;
    std::size_t j = i;
    while (j < line.size() && (line[j] == ' ' || line[j] == '\t')) ++j;
    if (j < line.size() && line[j] == '"') {
      for (++j;; ++j) {
        if (j >= line.size()) return false;
        if (line[j] == '"') {
          if (j + 1 < line.size() && line[j + 1] == '"') {
            cell.push_back('"');
            ++j;
          } else {
            break;
          }
        } else {
          cell.push_back(line[j]);
        }
      }
      ++j;
      while (j < line.size() && line[j] != ',') ++j;  // text after the closing quote is ignored
    } else {
      j = line.find(',', i);
      if (j == std::string_view::npos) j = line.size();
      cell = trim(line.substr(i, j - i));
    }
    cells.push_back(std::move(cell));
    if (j >= line.size()) return true;
    i = j + 1;
  }
}

// A cell that is a whole number, as a number.
bool whole_number(const std::string& s, std::int64_t& v) {
  if (s.empty()) return false;
  std::size_t used = 0;
  try {
    const long long x = std::stoll(s, &used);
    if (used != s.size()) return false;
    v = x;
    return true;
  } catch (const std::exception&) {
    return false;
  }
}

std::string csv_value(const std::string& cell) {
  double v = 0;
  std::size_t used = 0;
  try {
    v = std::stod(cell, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  const bool hex = cell.find_first_of("xX") != std::string::npos;
  if (used == cell.size() && !hex && std::isfinite(v)) return number_text(v);
  return cell;
}

void read_csv(const Reader& rd, const YAML::Node& sweep, const std::string& base_dir, Design& d) {
  const YAML::Node file = sweep["file"];
  if (!file) rd.fail(sweep, "sweep.file", "missing: the CSV file that holds the design");
  const std::string name = rd.text(file, "sweep.file");
  if (name.empty()) rd.fail(file, "sweep.file", "expected a file name");
  namespace fs = std::filesystem;
  // Messages name the file as found from the working folder ("./d.csv" shown as "d.csv").
  const std::string shown =
      (base_dir.empty() ? fs::path(name) : fs::path(base_dir) / name).lexically_normal().string();
  std::error_code ec;
  if (!fs::is_regular_file(shown, ec))
    rd.fail(file, "sweep.file",
            fmt::format(
                "cannot read '{}': {}", shown,
                fs::exists(shown, ec) ? "not a regular file (a folder, device or pipe)" : "no such file"));
  if (fs::file_size(shown, ec) > kMaxTextFile)
    rd.fail(file, "sweep.file", fmt::format("'{}' is larger than {} MiB", shown, kMaxTextFile >> 20));
  std::ifstream in(shown, std::ios::binary);
  if (!in) rd.fail(file, "sweep.file", fmt::format("cannot read '{}'", shown));
  auto at = [&](std::size_t line, std::size_t col) { return fmt::format("{}:{}:{}", shown, line, col); };

  std::vector<std::string> cells;
  std::vector<std::string> header;
  std::size_t header_line = 0;
  std::ptrdiff_t id_column = -1;
  std::map<std::int64_t, std::size_t> id_line;
  std::string line;
  for (std::size_t line_no = 1; std::getline(in, line); ++line_no) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line_no == 1 && line.rfind("\xEF\xBB\xBF", 0) == 0) line.erase(0, 3);  // a UTF-8 byte order mark
    if (trim(line).empty()) continue;
    if (!split_csv(line, cells))
      throw ScenarioError(at(line_no, cells.size() + 1), "", "unterminated quoted cell");

    if (header.empty()) {
      header_line = line_no;
      std::map<std::string, std::size_t> seen;
      for (std::size_t c = 0; c < cells.size(); ++c) {
        const std::string& col = cells[c];
        if (col.empty())
          throw ScenarioError(at(line_no, c + 1), "",
                              fmt::format("bad header: column {} has no name (each column is a scenario "
                                          "key, or point_id; pandas writes its index this way: use "
                                          "index=False)",
                                          c + 1));
        if (!is_dotted_key(col))
          throw ScenarioError(at(line_no, c + 1), "",
                              fmt::format("bad header: column {} ('{}') is not a scenario key (dot-separated "
                                          "names of letters, digits and '_')",
                                          c + 1, col));
        if (auto [it, added] = seen.emplace(col, c + 1); !added)
          throw ScenarioError(
              at(line_no, c + 1), "",
              fmt::format("bad header: column {} ({}) repeats column {}", c + 1, col, it->second));
        if (col == "point_id") {
          id_column = static_cast<std::ptrdiff_t>(c);
        } else {
          d.factors.push_back(col);
        }
      }
      if (d.factors.empty())
        throw ScenarioError(at(line_no, 1), "", "bad header: no factor columns (only point_id)");
      header = cells;
      continue;
    }

    if (cells.size() != header.size())
      throw ScenarioError(at(line_no, std::min(cells.size(), header.size()) + 1), "",
                          fmt::format("line {} has {} cells; the header (line {}) has {} columns", line_no,
                                      cells.size(), header_line, header.size()));
    if (d.values.size() >= kMaxPoints)
      throw ScenarioError(at(line_no, 1), "", fmt::format("more than {} points", kMaxPoints));
    std::vector<std::string> row;
    std::vector<ValueSource> src;
    for (std::size_t c = 0; c < cells.size(); ++c) {
      const std::string& cell = cells[c];
      if (static_cast<std::ptrdiff_t>(c) == id_column) {
        std::int64_t id = 0;
        if (!whole_number(cell, id) || id < 0)
          throw ScenarioError(at(line_no, c + 1), "point_id",
                              fmt::format("'{}' in column {} is not a whole number >= 0", cell, c + 1));
        if (auto [it, added] = id_line.emplace(id, line_no); !added)
          throw ScenarioError(at(line_no, c + 1), "point_id",
                              fmt::format("{} in column {} repeats line {}", id, c + 1, it->second));
        d.point_ids.push_back(id);
        continue;
      }
      if (cell.empty())
        throw ScenarioError(at(line_no, c + 1), header[c],
                            fmt::format("empty cell in column {} ({})", c + 1, header[c]));
      row.push_back(csv_value(cell));
      src.push_back({at(line_no, c + 1)});
    }
    d.values.push_back(std::move(row));
    d.sources.push_back(std::move(src));
  }
  if (in.bad()) rd.fail(file, "sweep.file", fmt::format("error while reading '{}'", shown));
  if (header.empty()) throw ScenarioError(at(1, 1), "", "empty file: expected a header row of factor names");
  if (d.values.empty())
    throw ScenarioError(at(header_line, 1), "", "no design points: the header is not followed by any rows");
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Generators on the unit hypercube.

std::vector<std::vector<double>> latin_hypercube(std::size_t n, std::size_t dims, std::uint64_t seed) {
  std::vector<std::vector<double>> out(n, std::vector<double>(dims));
  for (std::size_t j = 0; j < dims; ++j) {
    // One stream per factor: the permutation's draws first, then one jitter per point.
    Words words(Stream(seed, 0, Purpose::design, j));
    const std::vector<std::uint32_t> stratum = permutation(n, words);
    for (std::size_t i = 0; i < n; ++i)
      out[i][j] = (static_cast<double>(stratum[i]) + uniform_co(words.next())) / static_cast<double>(n);
  }
  return out;
}

// Boost's sobol_engine with 32-bit output (Joe–Kuo direction numbers, new-joe-kuo-6.21201) skips
// the all-zeros point, as SALib does: the first point is (0.5, ..., 0.5). Each output divided by
// 2^32 is exact.
std::vector<std::vector<double>> sobol_points(std::size_t n, std::size_t dims) {
  std::vector<std::vector<double>> out(n, std::vector<double>(dims));
  if (dims == 0) return out;
  boost::random::sobol_engine<std::uint32_t, 32> eng(dims);
  for (auto& row : out)
    for (double& x : row) x = static_cast<double>(eng()) * kTwoPow32Inv;
  return out;
}

// SALib (saltelli.sample, calc_second_order=False) draws a 2D-dimensional Sobol sequence and, in
// recent versions, skips its first 2^k points; here only the all-zeros point is skipped (by
// Boost), which keeps the first rows equal to the published sequence.
std::vector<std::vector<double>> saltelli(std::size_t n, std::size_t dims, std::vector<std::string>* roles) {
  const std::vector<std::vector<double>> base = sobol_points(n, 2 * dims);
  std::vector<std::vector<double>> out;
  out.reserve(n * (dims + 2));
  if (roles) roles->clear();
  for (const auto& row : base) {
    const std::vector<double> a(row.begin(), row.begin() + static_cast<std::ptrdiff_t>(dims));
    const std::vector<double> b(row.begin() + static_cast<std::ptrdiff_t>(dims), row.end());
    out.push_back(a);
    if (roles) roles->push_back("A");
    for (std::size_t i = 0; i < dims; ++i) {
      out.push_back(a);
      out.back()[i] = b[i];
      if (roles) roles->push_back(fmt::format("AB{}", i + 1));
    }
    out.push_back(b);
    if (roles) roles->push_back("B");
  }
  return out;
}

// Morris (1991): on the grid {0, 1/(p-1), ..., 1} with Δ = p/(2(p-1)), i.e. p/2 grid steps (p even),
// a random base point whose every coordinate can move up by Δ, random signs and a random order of
// factors. A factor moving down starts Δ above its base value, so every point stays in [0,1] and
// consecutive points differ in exactly one factor by exactly ±Δ. Work is in integer grid indices.
std::vector<std::vector<double>> morris(std::size_t n, std::size_t dims, int levels, std::uint64_t seed,
                                        std::vector<std::int64_t>* trajectory) {
  if (levels < 2 || levels % 2 != 0)
    throw std::invalid_argument(fmt::format("morris: levels must be even and >= 2, got {}", levels));
  const auto intervals = static_cast<std::uint32_t>(levels - 1);
  const auto jump = static_cast<std::uint32_t>(levels / 2);
  std::vector<std::vector<double>> out;
  out.reserve(n * (dims + 1));
  if (trajectory) trajectory->clear();
  for (std::size_t t = 0; t < n; ++t) {
    Words words(Stream(seed, 1, Purpose::design, t));
    std::vector<std::uint32_t> index(dims);
    std::vector<bool> up(dims);
    for (std::size_t j = 0; j < dims; ++j) {
      const std::uint32_t base = words.below(intervals - jump + 1);
      up[j] = (words.next() & 1u) != 0;
      index[j] = up[j] ? base : base + jump;
    }
    const std::vector<std::uint32_t> order = permutation(dims, words);
    auto emit = [&] {
      std::vector<double> row(dims);
      for (std::size_t j = 0; j < dims; ++j) row[j] = static_cast<double>(index[j]) / intervals;
      out.push_back(std::move(row));
      if (trajectory) trajectory->push_back(static_cast<std::int64_t>(t));
    };
    emit();
    for (std::uint32_t j : order) {
      index[j] = up[j] ? index[j] + jump : index[j] - jump;
      emit();
    }
  }
  return out;
}

std::uint64_t run_seed(std::uint64_t master, std::uint64_t point, std::uint64_t replicate) {
  r123::Philox4x64 philox;
  const r123::Philox4x64::ctr_type ctr{{point, replicate, static_cast<std::uint64_t>(Purpose::run_seed), 0}};
  const r123::Philox4x64::key_type key{{master, 0}};
  return philox(ctr, key).v[0];
}

std::string_view design_name(DesignKind kind) {
  switch (kind) {
    case DesignKind::factorial:
      return "factorial";
    case DesignKind::points:
      return "points";
    case DesignKind::latin_hypercube:
      return "latin_hypercube";
    case DesignKind::sobol:
      return "sobol";
    case DesignKind::saltelli:
      return "saltelli";
    case DesignKind::morris:
      return "morris";
    case DesignKind::csv:
      return "csv";
  }
  return "unknown";
}

Design read_design(const Reader& rd, const YAML::Node& sweep, const std::string& base_dir,
                   std::uint64_t seed) {
  if (!sweep.IsMap())
    rd.fail(sweep, "sweep", "expected a mapping (design: ..., factors: ..., replicates: ...)");
  Design d;
  if (const YAML::Node n = sweep["design"]) {
    const std::string name = rd.text(n, "sweep.design");
    bool known = false;
    std::string list;
    for (DesignKind k : kKinds) {
      if (design_name(k) == name) d.kind = k, known = true;
      list += (list.empty() ? "" : ", ") + std::string(design_name(k));
    }
    if (!known) rd.fail(n, "sweep.design", fmt::format("unknown design '{}' (allowed: {})", name, list));
  }
  const std::vector<std::string_view> allowed = keys_for(d.kind);
  rd.check_keys(sweep, "sweep", allowed, [&](const std::string& key) -> std::string {
    std::string owners;
    for (DesignKind k : kKinds) {
      const auto keys = keys_for(k);
      if (std::find(keys.begin(), keys.end(), key) != keys.end())
        owners += (owners.empty() ? "" : ", ") + std::string(design_name(k));
    }
    if (owners.empty()) return "";
    return fmt::format("; '{}' is for design: {} (this design is {})", key, owners, design_name(d.kind));
  });
  if (const YAML::Node n = sweep["replicates"])
    d.replicates = static_cast<int>(rd.integer(n, "sweep.replicates", 1, 1'000'000));

  switch (d.kind) {
    case DesignKind::factorial:
      read_factorial(rd, sweep, d);
      break;
    case DesignKind::points:
      read_points(rd, sweep, d);
      break;
    case DesignKind::latin_hypercube:
    case DesignKind::sobol:
    case DesignKind::saltelli:
    case DesignKind::morris:
      read_sampled(rd, sweep, seed, d);
      break;
    case DesignKind::csv:
      read_csv(rd, sweep, base_dir, d);
      break;
  }
  // The run table is held in memory and written whole: points × replicates is bounded too.
  if (d.runs() > kMaxPoints)
    rd.fail(sweep["replicates"] ? sweep["replicates"] : sweep, "sweep.replicates",
            fmt::format("{} points × {} replicates = {} runs; at most {} in one sweep (split it into "
                        "several sweeps)",
                        d.points(), d.replicates, d.runs(), kMaxPoints));
  if (d.point_ids.empty()) {
    d.point_ids.resize(d.values.size());
    for (std::size_t i = 0; i < d.values.size(); ++i) d.point_ids[i] = static_cast<std::int64_t>(i);
  }
  return d;
}

}  // namespace attune::sim
