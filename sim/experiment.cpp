#include "sim/experiment_reader.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <set>

namespace attune::sim {

bool Change::applies_to(std::size_t arm) const {
  return arms.empty() || std::find(arms.begin(), arms.end(), arm) != arms.end();
}

namespace {

bool flag(const Reader& rd, const YAML::Node& n, const std::string& path) {
  bool v = false;
  if (!n.IsScalar() || !YAML::convert<bool>::decode(n, v))
    rd.fail(n, path,
            fmt::format("expected true or false, got '{}'", n.IsScalar() ? n.Scalar() : "a collection"));
  return v;
}

std::string plain_name(const Reader& rd, const YAML::Node& n, const std::string& path) {
  std::string name = rd.text(n, path);
  if (name.empty() || name.size() > 24 ||
      name.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") !=
          std::string::npos)
    rd.fail(n, path, fmt::format("'{}' is not a valid name (1 to 24 letters, digits, '_' and '-')", name));
  return name;
}

std::size_t key_index(std::span<const ParamInfo> table, std::string_view key) {
  for (std::size_t i = 0; i < table.size(); ++i)
    if (table[i].key == key) return i;
  return table.size();
}

// A `set:` block: the same keys as --set, limited to caregiver.* and infant.*; caregiver keys apply
// to every profile.
ParamChange read_set(const Reader& rd, const YAML::Node& node, const std::string& path,
                     const YAML::Node& root, const ModelSpec& spec, const VariantParser& variant) {
  rd.expect_map(node, path);
  std::vector<Override> overrides;
  ParamChange change;
  const std::size_t profiles =
      root["profiles"] && root["profiles"].IsSequence() ? root["profiles"].size() : 0;
  for (const auto& kv : node) {
    const std::string key = kv.first.Scalar();
    const std::string at = path + "." + key;
    const auto dot = key.find('.');
    const std::string head = key.substr(0, dot), tail = dot == std::string::npos ? "" : key.substr(dot + 1);
    const std::string value = YAML::Dump(kv.second);
    const std::string origin = rd.where(kv.second, at);
    if (head == "caregiver" && key_index(spec.params.caregiver, tail) < spec.params.caregiver.size()) {
      change.caregiver_keys.push_back(key_index(spec.params.caregiver, tail));
      overrides.push_back({key, value, origin});
      for (std::size_t p = 0; p < profiles; ++p)
        overrides.push_back({fmt::format("profiles.{}.caregiver.{}", p, tail), value, origin});
    } else if (head == "infant" && key_index(spec.params.infant, tail) < spec.params.infant.size()) {
      change.infant_keys.push_back(key_index(spec.params.infant, tail));
      overrides.push_back({key, value, origin});
    } else {
      rd.fail(kv.first, at,
              "set takes caregiver.KEY and infant.KEY (the keys of --set that describe people; see "
              "`attune params`), e.g. caregiver.attunement: 0.8");
    }
  }
  if (overrides.empty()) rd.fail(node, path, "an empty set: give at least one KEY: VALUE");
  const Scenario v = variant(overrides);
  for (const Profile& p : v.profiles) change.by_profile.push_back(p.caregiver);
  change.infant = v.infant;
  return change;
}

int day_in(const Reader& rd, const YAML::Node& n, const std::string& path, const Scenario& s) {
  return static_cast<int>(rd.integer(n, path, 0, s.schedule.days - 1));
}

void read_arms(const Reader& rd, const YAML::Node& node, const YAML::Node& root, Scenario& s,
               const ModelSpec& spec, const VariantParser& variant) {
  Experiment& e = s.experiment;
  // Bound once: assigning one YAML::Node to another rewrites the node it refers to (and throws
  // when the right side is a missing key), it does not rebind.
  const YAML::Node list = node.IsMap() ? node["list"] : node;
  if (node.IsMap()) {
    rd.check_keys(node, "arms", {"paired", "list"});
    if (auto n = node["paired"]) e.paired = flag(rd, n, "arms.paired");
    if (!list) rd.fail(node, "arms", "give the arms under 'list:' (- name: ..., set: {...})");
  }
  const std::string path = node.IsMap() ? "arms.list" : "arms";
  if (!list.IsSequence() || list.size() < 2)
    rd.fail(list, path,
            "expected a list of at least two arms (- name: control, - name: treated, set: {...})");
  std::set<std::string> names;
  for (std::size_t i = 0; i < list.size(); ++i) {
    const YAML::Node a = list[i];
    const std::string at = fmt::format("{}.{}", path, i);
    rd.expect_map(a, at);
    rd.check_keys(a, at, {"name", "weight", "from_day", "set", "description"});
    Arm arm{fmt::format("arm{}", i), 1.0, 0};
    if (auto n = a["name"]) arm.name = plain_name(rd, n, at + ".name");
    if (!names.insert(arm.name).second)
      rd.fail(a["name"], at + ".name", fmt::format("arm name '{}' is used twice", arm.name));
    if (auto n = a["weight"]) {
      arm.weight = rd.number(n, at + ".weight");
      if (arm.weight <= 0)
        rd.fail(n, at + ".weight", fmt::format("{} must be > 0 (weights are relative shares)", arm.weight));
    }
    if (auto n = a["from_day"]) arm.from_day = day_in(rd, n, at + ".from_day", s);
    if (auto n = a["set"]) {
      Change c;
      c.name = arm.name;
      c.day = arm.from_day;
      c.arms = {i};
      c.params = read_set(rd, n, at + ".set", root, spec, variant);
      e.changes.push_back(std::move(c));
    } else if (a["from_day"]) {
      rd.fail(a["from_day"], at + ".from_day", "from_day without set: say what changes from that day");
    }
    e.arms.push_back(arm);
  }
  e.arms_yaml = YAML::Dump(node);
}

void read_interventions(const Reader& rd, const YAML::Node& node, const YAML::Node& root, Scenario& s,
                        const ModelSpec& spec, const VariantParser& variant) {
  Experiment& e = s.experiment;
  if (!node.IsSequence() || node.size() == 0)
    rd.fail(node, "interventions", "expected a list of interventions (- day: 120, set: {...})");
  for (std::size_t i = 0; i < node.size(); ++i) {
    const YAML::Node v = node[i];
    const std::string at = fmt::format("interventions.{}", i);
    rd.expect_map(v, at);
    rd.check_keys(v, at, {"name", "description", "day", "arms", "set", "caregiver", "new_caregiver"});
    Change c;
    c.name = v["name"] ? plain_name(rd, v["name"], at + ".name") : fmt::format("intervention{}", i);
    if (!v["day"]) rd.fail(v, at, "give the day it starts (day: 0 to time.days - 1)");
    c.day = day_in(rd, v["day"], at + ".day", s);
    if (auto n = v["arms"]) {
      if (e.arms.empty()) rd.fail(n, at + ".arms", "there are no arms: define them under 'arms:' first");
      if (!n.IsSequence()) rd.fail(n, at + ".arms", "expected a list of arm names, e.g. [treated]");
      for (std::size_t k = 0; k < n.size(); ++k) {
        const std::string name = rd.text(n[k], fmt::format("{}.arms.{}", at, k));
        std::size_t a = 0;
        while (a < e.arms.size() && e.arms[a].name != name) ++a;
        if (a == e.arms.size()) {
          std::string list;
          for (const Arm& arm : e.arms) list += (list.empty() ? "" : ", ") + arm.name;
          rd.fail(n[k], fmt::format("{}.arms.{}", at, k), fmt::format("no arm '{}' (arms: {})", name, list));
        }
        c.arms.push_back(a);
      }
    }
    if (auto n = v["set"]) c.params = read_set(rd, n, at + ".set", root, spec, variant);
    if (auto n = v["caregiver"]) {
      const std::string how = rd.text(n, at + ".caregiver");
      if (how == "replace")
        c.newcomer = Change::Newcomer::replace;
      else if (how == "add")
        c.newcomer = Change::Newcomer::add;
      else
        rd.fail(n, at + ".caregiver",
                fmt::format("'{}' is not allowed (allowed: replace — a new caregiver in place of the current "
                            "ones, add — a new caregiver beside them)",
                            how));
      c.newcomer_caregiver.clear();
      for (const auto& info : spec.params.caregiver)
        c.newcomer_caregiver.push_back(Distribution::default_for(info));
      if (auto m = v["new_caregiver"])
        read_caregiver(rd, m, at + ".new_caregiver", spec, c.newcomer_caregiver);
    } else if (v["new_caregiver"]) {
      rd.fail(v["new_caregiver"], at + ".new_caregiver",
              "say whether she replaces or joins the current caregivers: caregiver: replace | add");
    }
    if (c.params.empty() && c.newcomer == Change::Newcomer::none)
      rd.fail(v, at, "an intervention needs set: {...} or caregiver: replace | add");
    e.changes.push_back(std::move(c));
  }
  e.interventions_yaml = YAML::Dump(node);
}

Phase read_phase(const Reader& rd, const YAML::Node& n, const std::string& at, const Schedule& sched) {
  rd.expect_map(n, at);
  rd.check_keys(n, at,
                {"name", "duration_s", "caregiver", "stranger", "soothing", "engagement_changes", "resonance",
                 "arousal_pulse", "arousal_input", "stressor_rate", "sample_every_s", "reunion"});
  Phase p;
  if (!n["name"]) rd.fail(n, at, "give the phase a name");
  p.name = plain_name(rd, n["name"], at + ".name");
  if (!n["duration_s"]) rd.fail(n, at, "give its duration_s (seconds)");
  const ParamInfo positive{"", "", "", "", 0, 0, 86400, true};
  p.duration_s = rd.number_in(n["duration_s"], at + ".duration_s", positive);
  const double steps = p.duration_s / sched.dt;
  if (std::fabs(steps - std::round(steps)) > 1e-9 * steps)
    rd.fail(n["duration_s"], at + ".duration_s",
            fmt::format("{} s is not a whole number of steps of dt = {} s", p.duration_s, sched.dt));
  if (auto m = n["caregiver"]) {
    const std::string how = rd.text(m, at + ".caregiver");
    if (how == "absent") {
      p.caregiver_present = false;
    } else if (how == "still_face") {
      p.soothing = p.engagement_changes = p.resonance = false;
    } else if (how != "present") {
      rd.fail(m, at + ".caregiver",
              fmt::format("'{}' is not allowed (allowed: present, absent, still_face)", how));
    }
  }
  if (auto m = n["stranger"]) p.stranger_present = flag(rd, m, at + ".stranger");
  if (auto m = n["soothing"]) p.soothing = flag(rd, m, at + ".soothing");
  if (auto m = n["engagement_changes"]) p.engagement_changes = flag(rd, m, at + ".engagement_changes");
  if (auto m = n["resonance"]) p.resonance = flag(rd, m, at + ".resonance");
  const ParamInfo nonneg{"", "", "", "", 0, 0, 1e6};
  if (auto m = n["arousal_pulse"]) p.arousal_pulse = rd.number_in(m, at + ".arousal_pulse", nonneg);
  if (auto m = n["arousal_input"]) p.arousal_input = rd.number_in(m, at + ".arousal_input", nonneg);
  if (auto m = n["stressor_rate"]) p.stressor_rate = rd.number_in(m, at + ".stressor_rate", nonneg);
  if (auto m = n["sample_every_s"]) {
    p.sample_every_s = rd.number_in(m, at + ".sample_every_s", positive);
    const double k = p.sample_every_s / sched.dt;
    if (std::fabs(k - std::round(k)) > 1e-9 * k)
      rd.fail(m, at + ".sample_every_s", fmt::format("not a whole number of steps of dt = {} s", sched.dt));
  }
  if (auto m = n["reunion"]) p.reunion = flag(rd, m, at + ".reunion");
  if (p.reunion && !p.caregiver_present)
    rd.fail(n["reunion"], at + ".reunion", "a reunion phase needs the caregiver present");
  return p;
}

void read_protocols(const Reader& rd, const YAML::Node& node, Scenario& s, const ModelSpec& spec) {
  if (!node.IsSequence())
    rd.fail(node, "protocols", "expected a list of protocols (- name: ..., day: ..., phases: [...])");
  // An empty list is no protocol: `--set protocols=[]` runs a scenario without its procedures
  // (a short run of a scenario whose protocols fall after its end, say).
  const Schedule& sched = s.schedule;
  const double slot = 86400.0 / sched.sessions_per_day;
  std::set<std::string> names;
  std::set<int> days;
  for (std::size_t i = 0; i < node.size(); ++i) {
    const YAML::Node n = node[i];
    const std::string at = fmt::format("protocols.{}", i);
    rd.expect_map(n, at);
    rd.check_keys(
        n, at,
        {"name", "description", "day", "session", "carry_over", "caregiver_index", "stranger", "phases"});
    Protocol p;
    if (!n["name"]) rd.fail(n, at, "give the protocol a name");
    p.name = plain_name(rd, n["name"], at + ".name");
    if (!names.insert(p.name).second)
      rd.fail(n["name"], at + ".name", fmt::format("protocol '{}' is given twice", p.name));
    if (!n["day"]) rd.fail(n, at, "give the day (the infant's age in days, 0 to time.days - 1)");
    p.day = day_in(rd, n["day"], at + ".day", s);
    if (auto m = n["session"])
      p.session = static_cast<int>(rd.integer(m, at + ".session", 0, sched.sessions_per_day - 1));
    if (!days.insert(p.day).second)
      rd.fail(n["day"], at + ".day",
              fmt::format("another protocol is already on day {}; one protocol a day", p.day));
    if (auto m = n["carry_over"]) p.carry_over = flag(rd, m, at + ".carry_over");
    if (auto m = n["caregiver_index"])
      p.caregiver = static_cast<int>(rd.integer(m, at + ".caregiver_index", 0, 15));
    std::vector<Distribution> stranger;
    for (const auto& info : spec.params.caregiver) stranger.push_back(Distribution::default_for(info));
    if (auto m = n["stranger"]) read_caregiver(rd, m, at + ".stranger", spec, stranger);
    for (std::size_t k = 0; k < stranger.size(); ++k) {
      if (stranger[k].kind != DistKind::fixed && n["stranger"] &&
          n["stranger"][std::string(spec.params.caregiver[k].key)])
        rd.fail(n["stranger"][std::string(spec.params.caregiver[k].key)],
                fmt::format("{}.stranger.{}", at, spec.params.caregiver[k].key),
                "the stranger is one standardized adult: give a number, not a distribution");
      p.stranger.push_back(stranger[k].mean());
    }
    const YAML::Node phases = n["phases"];
    if (!phases || !phases.IsSequence() || phases.size() == 0)
      rd.fail(phases ? phases : n, at + ".phases",
              "expected a list of phases (- name: play, duration_s: 120)");
    std::set<std::string> phase_names;
    for (std::size_t k = 0; k < phases.size(); ++k) {
      p.phases.push_back(read_phase(rd, phases[k], fmt::format("{}.phases.{}", at, k), sched));
      if (!phase_names.insert(p.phases.back().name).second)
        rd.fail(phases[k]["name"], fmt::format("{}.phases.{}.name", at, k),
                fmt::format("phase '{}' is given twice", p.phases.back().name));
    }
    if (p.duration_s() > slot)
      rd.fail(phases, at + ".phases",
              fmt::format(
                  "the phases last {} s, longer than the {} s between sessions (86400 / {} sessions per day)",
                  p.duration_s(), slot, sched.sessions_per_day));
    s.experiment.protocols.push_back(std::move(p));
  }
}

}  // namespace

void read_experiment(const Reader& rd, const YAML::Node& root, Scenario& s, const ModelSpec& spec,
                     const VariantParser& variant) {
  if (auto n = root["arms"]) read_arms(rd, n, root, s, spec, variant);
  if (auto n = root["interventions"]) read_interventions(rd, n, root, s, spec, variant);
  std::stable_sort(s.experiment.changes.begin(), s.experiment.changes.end(),
                   [](const Change& a, const Change& b) { return a.day < b.day; });
  if (auto n = root["protocols"]) read_protocols(rd, n, s, spec);
  if (auto n = root["initial_state"]) s.experiment.initial_state = rd.text(n, "initial_state");
}

}  // namespace attune::sim
