#include "sim/cli/compare_command.hpp"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <set>

#include "sim/cli/simulation.hpp"
#include "sim/errors.hpp"
#include "sim/hdf5_file.hpp"
#include "sim/json_text.hpp"

namespace attune::app {
namespace {

namespace cmp = sim::compare;

// Columns that identify a row rather than measure something.
const std::set<std::string> kIdentifiers{"infant_id", "caregiver_id", "run_id", "point_id", "replicate",
                                         "seed",      "phase_index",  "day",    "session"};

std::vector<std::string> split(const std::string& s) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= s.size()) {
    const std::size_t comma = std::min(s.find(',', start), s.size());
    std::string item = s.substr(start, comma - start);
    item.erase(0, item.find_first_not_of(" \t"));
    item.erase(item.find_last_not_of(" \t") + 1);
    if (!item.empty()) out.push_back(item);
    start = comma + 1;
  }
  return out;
}

std::string list_text(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ", ") + s;
  return out.empty() ? "(none)" : out;
}

bool contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

std::size_t distinct(const sim::Column& c) { return cmp::default_levels(c).size(); }

// The arm names of the `arms` attribute (a list of arms, or {paired, list}), in order.
std::vector<std::string> arm_order(const std::map<std::string, std::string>& attrs) {
  std::vector<std::string> out;
  const auto it = attrs.find("arms");
  if (it == attrs.end() || it->second.empty()) return out;
  try {
    YAML::Node node = YAML::Load(it->second);
    if (node.IsMap() && node["list"]) node = node["list"];
    if (!node.IsSequence()) return out;
    for (std::size_t i = 0; i < node.size(); ++i)
      out.push_back(node[i].IsMap() && node[i]["name"] ? node[i]["name"].as<std::string>()
                                                       : fmt::format("arm{}", i));
  } catch (const YAML::Exception&) {
    return {};  // unreadable: fall back to the order of appearance
  }
  return out;
}

// Copies each sweep factor in `names` from /runs into `infants` (by run_id); returns the levels.
std::vector<std::vector<std::string>> join_factors(const std::string& file, sim::Table& infants,
                                                   const std::vector<std::string>& names) {
  if (names.empty()) return {};
  const sim::Table runs = sim::read_table(file, "runs");
  const sim::Table design = sim::read_table(file, "design");
  const sim::Column* run_col = runs.find("run_id");
  const sim::Column* inf_run = infants.find("run_id");
  if (!run_col || !inf_run)
    throw sim::InputError(fmt::format("{}: a sweep file without run_id columns", file));
  std::map<std::int64_t, std::size_t> row_of;
  for (std::size_t r = 0; r < run_col->ints.size(); ++r) row_of[run_col->ints[r]] = r;
  std::vector<std::vector<std::string>> levels;
  for (const auto& name : names) {
    const sim::Column* from = runs.find(name);
    if (!from) throw sim::InputError(fmt::format("{}: /runs has no factor column {}", file, name));
    sim::Column& to = infants.add(name, from->kind, from->text_width);
    for (std::int64_t id : inf_run->ints) {
      const auto it = row_of.find(id);
      if (it == row_of.end())
        throw sim::InputError(fmt::format("{}: /infants names run {} that /runs lacks", file, id));
      if (from->kind == sim::Column::text) to.texts.push_back(from->texts[it->second]);
      if (from->kind == sim::Column::float64) to.reals.push_back(from->reals[it->second]);
      if (from->kind == sim::Column::int64) to.ints.push_back(from->ints[it->second]);
    }
    const sim::Column* d = design.find(name);
    levels.push_back(cmp::default_levels(d ? *d : to));  // numbers ascending, text as designed
  }
  return levels;
}

// Rows of `t` where `column` is `value`.
sim::Table where(const sim::Table& t, const sim::Column& column, const std::string& value) {
  sim::Table out;
  for (const auto& c : t.columns) out.add(c.name, c.kind, c.text_width);
  for (std::size_t r = 0; r < t.rows(); ++r) {
    if (cmp::cell_text(column, r) != value) continue;
    for (std::size_t i = 0; i < t.columns.size(); ++i) {
      const sim::Column& c = t.columns[i];
      sim::Column& o = out.columns[i];
      if (c.kind == sim::Column::int64) o.ints.push_back(c.ints[r]);
      if (c.kind == sim::Column::float64) o.reals.push_back(c.reals[r]);
      if (c.kind == sim::Column::text) o.texts.push_back(c.texts[r]);
    }
  }
  return out;
}

// --outcomes (or the defaults) checked against the table; class letters select class shares.
void choose_outcomes(const std::string& file, const std::string& model, const sim::Table& t,
                     const std::string& wanted, bool protocol, cmp::Spec& spec) {
  const auto summary = summary_spec(model);
  const bool classified = t.find(summary.class_column) != nullptr;
  std::vector<std::string> letters;
  for (const auto& [letter, name] : summary.classes) letters.emplace_back(1, letter);
  std::vector<std::string> numeric;  // what --outcomes may name besides the classes
  for (const auto& c : t.columns)
    if (c.kind != sim::Column::text && !kIdentifiers.count(c.name) && !contains(spec.by, c.name))
      numeric.push_back(c.name);
  std::vector<std::string> allowed = numeric;
  if (classified) {
    allowed.insert(allowed.begin(), summary.class_column);
    allowed.insert(allowed.begin() + 1, letters.begin(), letters.end());
  }
  spec.outcomes.clear();
  spec.categories = letters;
  if (split(wanted).empty()) {
    if (classified) spec.outcomes.push_back(summary.class_column);
    for (const auto& name : numeric)  // a run's outcomes (not the drawn parameters); every protocol measure
      if (protocol || contains(summary.mean_columns, name)) spec.outcomes.push_back(name);
    return;
  }
  std::vector<std::string> chosen_letters;
  bool all_classes = false;
  for (const auto& name : split(wanted)) {
    if (classified && contains(letters, name)) {
      if (!contains(chosen_letters, name)) chosen_letters.push_back(name);
    } else if (classified && name == summary.class_column) {
      all_classes = true;
    } else if (contains(numeric, name)) {
      if (!contains(spec.outcomes, name)) spec.outcomes.push_back(name);
      continue;
    } else {
      throw sim::InputError(fmt::format("{}: --outcomes: '{}' is not an outcome of this file; allowed: {}",
                                        file, name, list_text(allowed)));
    }
    if (!contains(spec.outcomes, summary.class_column))
      spec.outcomes.insert(spec.outcomes.begin(), summary.class_column);
  }
  if (!all_classes && !chosen_letters.empty()) spec.categories = chosen_letters;
}

// Identifier columns of `t` that pair a row with the same unit's rows in other groups.
std::vector<std::string> pairing_columns(const sim::Table& t) {
  std::vector<std::string> out;
  for (const char* name : {"run_id", "infant_id", "caregiver_id"})
    if (t.find(name)) out.emplace_back(name);
  return out;
}

cmp::Result compare_in(const std::string& file, const sim::Table& t, const cmp::Spec& spec) {
  try {
    return cmp::compare(t, spec);
  } catch (const sim::InputError& e) {
    throw sim::InputError(fmt::format("{}: {}", file, e.what()));
  }
}

ComparePlan compare_phases(const CompareArgs& a, ComparePlan plan) {
  const auto attrs = sim::read_attributes(a.file);
  const std::string model = attrs.count("model") ? attrs.at("model") : "reference";
  plan.table = "protocol/phases";
  plan.paired = true;
  const sim::Table t = sim::read_table(a.file, "/protocol/phases");
  for (const char* name : {"protocol", "phase"})
    if (!t.find(name))
      throw sim::InputError(fmt::format("{}: /protocol/phases has no column {}", a.file, name));
  cmp::Spec spec;
  spec.by = {"phase"};
  spec.pair_by = pairing_columns(t);
  spec.resamples = a.resamples;
  if (const sim::Column* arm = t.find("arm"); arm && distinct(*arm) > 1) spec.strata = {"arm"};
  choose_outcomes(a.file, model, t, a.outcomes, true, spec);
  const sim::Column& protocol = *t.find("protocol");
  for (const auto& name : cmp::default_levels(protocol)) {
    const sim::Table part = where(t, protocol, name);
    // Phases in protocol order (phase_index), the first being the reference.
    const sim::Column& phase = *part.find("phase");
    const sim::Column* index = part.find("phase_index");
    std::map<std::int64_t, std::string> by_index;
    if (index && index->kind == sim::Column::int64)
      for (std::size_t r = 0; r < part.rows(); ++r)
        by_index.emplace(index->ints[r], cmp::cell_text(phase, r));
    std::vector<std::string> levels;
    for (const auto& [i, p] : by_index)
      if (!contains(levels, p)) levels.push_back(p);
    for (const auto& p : cmp::default_levels(phase))
      if (!contains(levels, p)) levels.push_back(p);
    spec.levels = {levels};
    plan.parts.emplace_back(name, compare_in(a.file, part, spec));
  }
  if (plan.parts.empty()) throw sim::InputError(fmt::format("{}: /protocol/phases has no rows", a.file));
  return plan;
}

}  // namespace

ComparePlan compare_file(const CompareArgs& a) {
  const auto attrs = sim::read_attributes(a.file);
  if (!attrs.count("schema_version"))
    throw sim::InputError(fmt::format("{}: not an attune file (no schema_version attribute)", a.file));
  const bool sweep = attrs.count("kind") && attrs.at("kind") == "sweep";
  const std::string model = attrs.count("model") ? attrs.at("model") : "reference";
  const bool paired_file = attrs.count("paired") && attrs.at("paired") == "true";
  const bool has_protocol = contains(sim::list_group(a.file, "protocol"), "phases");
  ComparePlan plan;
  plan.file = a.file;
  const std::vector<std::string> by = split(a.by);
  if (by.size() > 2)
    throw sim::InputError(fmt::format("--by {}: give one name or two (FACTOR1,FACTOR2)", a.by));
  if (by.size() == 2 && by[0] == by[1])
    throw sim::InputError(fmt::format("--by {}: the same name twice", a.by));
  if (by.size() == 1 && by[0] == "phase") {
    if (!has_protocol)
      throw sim::InputError(
          fmt::format("{}: --by phase: the file has no protocol table (/protocol/phases); "
                      "run a scenario with a protocols: section",
                      a.file));
    return compare_phases(a, std::move(plan));
  }

  plan.table = "infants";
  sim::Table t = sim::read_table(a.file, "infants");
  std::vector<std::string> factors;
  if (sweep)
    for (const auto& c : sim::read_table(a.file, "design").columns)
      if (c.name != "point_id" && c.name != "role" && c.name != "trajectory") factors.push_back(c.name);
  std::vector<std::string> allowed;
  for (const auto& c : t.columns)
    if (c.kind == sim::Column::text && c.name != summary_spec(model).class_column) allowed.push_back(c.name);
  allowed.insert(allowed.end(), factors.begin(), factors.end());
  if (has_protocol) allowed.emplace_back("phase");

  cmp::Spec spec;
  spec.resamples = a.resamples;
  spec.by = by;
  if (spec.by.empty()) {
    const sim::Column* arm = t.find("arm");
    spec.by = {arm && distinct(*arm) > 1 ? "arm" : !factors.empty() ? factors.front() : "profile"};
  }
  for (const auto& b : spec.by)
    if (!contains(allowed, b) || (b == "phase" && spec.by.size() > 1))
      throw sim::InputError(fmt::format("{}: --by {}: {}; allowed: {}", a.file, b,
                                        b == "phase" ? "phase goes alone" : "no such column or factor",
                                        list_text(allowed)));
  std::vector<std::string> joined;
  for (const auto& b : spec.by)
    if (contains(factors, b) && !t.find(b)) joined.push_back(b);
  const auto joined_levels = join_factors(a.file, t, joined);
  for (const auto& b : spec.by) {
    std::vector<std::string> levels;
    if (contains(joined, b))
      levels = joined_levels[static_cast<std::size_t>(std::find(joined.begin(), joined.end(), b) -
                                                      joined.begin())];
    if (b == "arm") {
      levels = arm_order(attrs);
      if (!levels.empty())
        for (const auto& v : cmp::default_levels(*t.find("arm")))
          if (!contains(levels, v)) levels.push_back(v);
    }
    spec.levels.push_back(levels);
  }
  if (paired_file && t.find("arm")) {
    if (spec.by == std::vector<std::string>{"arm"}) {
      spec.pair_by = pairing_columns(t);
      plan.paired = true;
    } else if (contains(spec.by, "arm")) {
      throw sim::InputError(
          fmt::format("{}: --by {}: in a paired file the arms are compared alone (--by arm)", a.file, a.by));
    } else {
      spec.strata = {"arm"};  // each infant is in every arm: compare within each arm
    }
  }
  choose_outcomes(a.file, model, t, a.outcomes, false, spec);
  plan.parts.emplace_back("", compare_in(a.file, t, spec));
  return plan;
}

// ---------------------------------------------------------------------------------------------
// Printing

namespace {

using sim::json_number;
using sim::json_string;

std::string stratum_of(const std::string& protocol, const cmp::OutcomeResult& o) {
  std::string s = protocol.empty() ? "" : "protocol=" + protocol;
  if (!o.stratum.empty()) s += (s.empty() ? "" : ", ") + o.stratum;
  return s;
}

const char* ci_method(const cmp::OutcomeResult& o, bool paired) {
  if (o.kind == cmp::OutcomeResult::proportion)
    return paired ? "newcombe_paired_10" : "newcombe_hybrid_score";
  return paired ? "paired_t" : "welch";
}

std::string num(double v, int width, int precision = 4) {
  if (!std::isfinite(v)) return fmt::format("{:>{}}", "-", width);
  return fmt::format("{:>{}.{}g}", v, width, precision);
}

std::string interval(double low, double high) {
  if (!std::isfinite(low) || !std::isfinite(high)) return fmt::format("{:<22}", "[-]");
  return fmt::format("{:<22}", fmt::format("[{:.4g}, {:.4g}]", low, high));
}

}  // namespace

std::string compare_json(const ComparePlan& plan) {
  const cmp::Result& first = plan.parts.front().second;
  std::string by;
  for (const auto& b : first.by) by += (by.empty() ? "" : ",") + b;
  std::string s = fmt::format("{{\"file\": {}, \"table\": {}, \"by\": {}, \"paired\": {}, \"groups\": [",
                              json_string(plan.file), json_string(plan.table), json_string(by), plan.paired);
  bool comma = false;
  for (const auto& [protocol, r] : plan.parts)
    for (const auto& g : r.groups) {
      s += fmt::format("{}\n  {{\"name\": {}, \"n\": {}", comma ? "," : "", json_string(g.group), g.n);
      if (!protocol.empty()) s += fmt::format(", \"stratum\": {}", json_string("protocol=" + protocol));
      s += "}";
      comma = true;
    }
  s += "],\n\"outcomes\": [";
  comma = false;
  for (const auto& [protocol, r] : plan.parts)
    for (const auto& o : r.outcomes) {
      const bool prop = o.kind == cmp::OutcomeResult::proportion;
      s += fmt::format(
          "{}\n {{\"outcome\": {}, \"column\": {}, \"stratum\": {}, \"kind\": \"{}\", \"ci_method\": \"{}\",",
          comma ? "," : "", json_string(o.outcome), json_string(o.column),
          json_string(stratum_of(protocol, o)), prop ? "proportion" : "mean", ci_method(o, r.paired));
      comma = true;
      s += "\n  \"groups\": [";
      for (std::size_t i = 0; i < o.groups.size(); ++i) {
        const auto& g = o.groups[i];
        std::string levels;
        for (const auto& l : g.levels) levels += (levels.empty() ? "" : ", ") + json_string(l);
        s += fmt::format(
            "{}\n   {{\"group\": {}, \"levels\": [{}], \"n\": {}, \"estimate\": {}, \"ci_low\": {}, "
            "\"ci_high\": {}}}",
            i ? "," : "", json_string(g.group), levels, g.n, json_number(g.value.estimate),
            json_number(g.value.low), json_number(g.value.high));
      }
      s += "],\n  \"contrasts\": [";
      for (std::size_t i = 0; i < o.contrasts.size(); ++i) {
        const auto& c = o.contrasts[i];
        const auto& e = c.effect;
        s += fmt::format(
            "{}\n   {{\"group\": {}, \"reference\": {}, \"type\": \"{}\", \"n\": {}, \"difference\": {}, "
            "\"ci_low\": {}, \"ci_high\": {}, \"effect_size\": {}, \"effect_size_name\": \"{}\", "
            "\"es_ci_low\": {}, \"es_ci_high\": {}",
            i ? "," : "", json_string(c.group), json_string(c.reference), c.type, c.n,
            json_number(e.difference), json_number(e.ci_low), json_number(e.ci_high),
            json_number(e.effect_size), e.effect_size_name, json_number(e.es_ci_low),
            json_number(e.es_ci_high));
        if (prop)
          s += fmt::format(
              ", \"log_odds_d\": {}, \"lod_ci_low\": {}, \"lod_ci_high\": {}, \"risk_ratio\": {}, "
              "\"rr_ci_low\": {}, \"rr_ci_high\": {}, \"corrected\": {}",
              json_number(e.log_odds_d), json_number(e.lod_ci_low), json_number(e.lod_ci_high),
              json_number(e.risk_ratio), json_number(e.rr_ci_low), json_number(e.rr_ci_high), e.corrected);
        s += "}";
      }
      s += "]}";
    }
  return s + "]}\n";
}

std::string compare_text(const ComparePlan& plan) {
  const cmp::Result& first = plan.parts.front().second;
  std::string by;
  for (const auto& b : first.by) by += (by.empty() ? "" : " × ") + b;
  std::string s = fmt::format("{}: /{} by {}{}; 95% intervals; contrasts against the first group\n",
                              plan.file, plan.table, by, plan.paired ? " (paired by infant)" : "");
  for (const auto& [protocol, r] : plan.parts)
    for (const auto& o : r.outcomes) {
      // Two factors: a group is shown by its levels, "(0.5, 1.5)", the header naming the factors.
      std::map<std::string, std::string> label;
      for (const auto& g : o.groups) {
        std::string levels;
        for (const auto& l : g.levels) levels += (levels.empty() ? "" : ", ") + l;
        label[g.group] = g.levels.size() > 1 ? "(" + levels + ")" : g.group;
      }
      const bool prop = o.kind == cmp::OutcomeResult::proportion;
      const std::string stratum = stratum_of(protocol, o);
      std::size_t width = 8;
      for (const auto& g : o.groups) width = std::max(width, label[g.group].size());
      s += fmt::format("\n{}{} ({}){}\n", prop ? "class " : "", o.outcome,
                       prop ? "share, Wilson interval" : "mean, t interval",
                       stratum.empty() ? "" : "   [" + stratum + "]");
      s += fmt::format("  {:<{}} {:>7} {:>10}  {}\n", "group", width, "n", prop ? "share" : "mean", "95% CI");
      for (const auto& g : o.groups)
        s += fmt::format("  {:<{}} {:>7} {}  {}\n", label[g.group], width, g.n, num(g.value.estimate, 10),
                         interval(g.value.low, g.value.high));
      if (o.contrasts.empty()) continue;
      std::vector<std::string> names;
      width = 8;
      for (const auto& c : o.contrasts) {
        names.push_back(c.type == "interaction" ? label[c.group] + " interaction"
                                                : label[c.group] + " − " + label[c.reference]);
        width = std::max(width, names.back().size() - (c.type == "interaction" ? 0 : 2));  // "−": 3 bytes
      }
      s += fmt::format("  {:<{}} {:>7} {:>10}  {:<22} {:>8}  {:<22}", "contrast", width, "n", "difference",
                       "95% CI", o.contrasts.front().effect.effect_size_name, "95% CI");
      s += prop ? fmt::format(" {:>8}  {:<22} {:>10}\n", "RR", "95% CI", "log-odds d") : "\n";
      for (std::size_t i = 0; i < o.contrasts.size(); ++i) {
        const auto& e = o.contrasts[i].effect;
        s += fmt::format("  {:<{}} {:>7} {}  {} {}  {}", names[i], width, o.contrasts[i].n,
                         num(e.difference, 10), interval(e.ci_low, e.ci_high), num(e.effect_size, 8, 3),
                         interval(e.es_ci_low, e.es_ci_high));
        s += prop ? fmt::format(" {}  {} {}\n", num(e.risk_ratio, 8, 3), interval(e.rr_ci_low, e.rr_ci_high),
                                num(e.log_odds_d, 10, 3))
                  : "\n";
      }
    }
  return s;
}

namespace {

std::string without_trailing_spaces(const std::string& text) {
  std::string out;
  std::size_t start = 0;
  while (start < text.size()) {
    const std::size_t end = std::min(text.find('\n', start), text.size());
    std::string line = text.substr(start, end - start);
    line.erase(line.find_last_not_of(' ') + 1);
    out += line + (end < text.size() ? "\n" : "");
    start = end + 1;
  }
  return out;
}

}  // namespace

int compare_command(const CompareArgs& args) {
  if (args.resamples < 0)
    throw sim::InputError(fmt::format("--bootstrap {}: must be 0 or more", args.resamples));
  const ComparePlan plan = compare_file(args);
  fmt::print("{}", args.json ? compare_json(plan) : without_trailing_spaces(compare_text(plan)));
  std::fflush(stdout);
  return 0;
}

}  // namespace attune::app
