#include "sim/run_state.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "sim/errors.hpp"

namespace attune::sim {

void write_state(const std::string& path, const RunImage& img, OutputFile* output,
                 const std::vector<std::string>& daily_fields) {
  OutputFile out(path, true);
  out.attribute("kind", std::string("state"));
  out.attribute("state_version", kStateVersion);
  out.attribute("model", img.model);
  out.attribute("scenario", img.scenario);
  out.attribute("seed", img.seed);
  out.attribute("stage", img.stage);
  out.attribute("next_day", static_cast<std::uint64_t>(img.next_day));
  out.attribute("units", static_cast<std::uint64_t>(img.units));
  out.write_matrix("state/infants", img.infants, img.infant_width);
  out.write_matrix("state/relationships", img.relationships, img.relationship_width);
  out.write_matrix("state/caregivers", img.caregiver_values,
                   img.units ? img.caregiver_values.size() / img.units : 1);
  std::vector<double> current;
  for (std::size_t u = 0; u < img.units; ++u)
    current.insert(current.end(), {static_cast<double>(img.caregiver_ids[u]),
                                   static_cast<double>(img.current_relationship[u])});
  out.write_matrix("state/current", current, 2);
  for (std::size_t k = 0; k < img.protocol_measures.size(); ++k) {
    out.write_matrix(fmt::format("record/protocol{}/measures", k), img.protocol_measures[k], 1);
    out.write_matrix(fmt::format("record/protocol{}/samples", k), img.protocol_samples[k], 1);
    out.write_matrix(fmt::format("record/protocol{}/classes", k), img.protocol_classes[k], 1);
  }
  if (output && img.next_day > 0) {
    const std::size_t rows = img.relationship_width ? img.relationships.size() / img.relationship_width : 0;
    std::vector<float> buffer(rows * static_cast<std::size_t>(img.next_day));
    for (std::size_t f = 0; f < daily_fields.size(); ++f) {
      output->read_daily(f, 0, img.next_day, buffer.data());
      out.write_matrix("record/daily/" + daily_fields[f], std::vector<double>(buffer.begin(), buffer.end()),
                       static_cast<std::size_t>(img.next_day));
    }
  }
  out.commit();
}

RunImage read_state(const std::string& path) {
  const auto attrs = read_attributes(path);
  auto need = [&](const char* key) -> const std::string& {
    const auto it = attrs.find(key);
    if (it == attrs.end())
      throw InputError(
          fmt::format("{}: not an attune state file (no '{}'); state files are written by "
                      "attune run --checkpoint-every or --save-state",
                      path, key));
    return it->second;
  };
  if (need("kind") != "state")
    throw InputError(fmt::format("{}: not an attune state file (it is a '{}' file)", path, need("kind")));
  if (need("state_version") != std::to_string(kStateVersion))
    throw InputError(fmt::format("{}: state format version {}; this attune reads version {}", path,
                                 need("state_version"), kStateVersion));
  RunImage img;
  img.model = need("model");
  img.scenario = need("scenario");
  img.seed = std::stoull(need("seed"));
  img.stage = std::stoull(need("stage"));
  img.next_day = static_cast<int>(std::stoll(need("next_day")));
  img.units = static_cast<std::size_t>(std::stoull(need("units")));
  img.infants = read_matrix(path, "state/infants", img.infant_width);
  img.relationships = read_matrix(path, "state/relationships", img.relationship_width);
  std::size_t cols = 0;
  img.caregiver_values = read_matrix(path, "state/caregivers", cols);
  const std::vector<double> current = read_matrix(path, "state/current", cols);
  if (img.infants.size() != img.units * img.infant_width || current.size() != 2 * img.units)
    throw InputError(fmt::format("{}: the state's tables do not agree with its {} infants", path, img.units));
  for (std::size_t u = 0; u < img.units; ++u) {
    img.caregiver_ids.push_back(static_cast<std::int64_t>(current[2 * u]));
    img.current_relationship.push_back(static_cast<std::size_t>(current[2 * u + 1]));
  }
  const auto records = list_group(path, "record");
  for (std::size_t k = 0;; ++k) {
    const std::string name = fmt::format("protocol{}", k);
    if (std::find(records.begin(), records.end(), name) == records.end()) break;
    img.protocol_measures.push_back(read_matrix(path, "record/" + name + "/measures", cols));
    img.protocol_samples.push_back(read_matrix(path, "record/" + name + "/samples", cols));
    img.protocol_classes.push_back(read_matrix(path, "record/" + name + "/classes", cols));
  }
  for (const auto& field : list_group(path, "record/daily")) {
    img.daily_fields.push_back(field);
    img.daily.push_back(read_matrix(path, "record/daily/" + field, cols));
  }
  return img;
}

void check_resumable(const RunImage& img, const Scenario& s, const ModelSpec& spec, const std::string& path) {
  if (img.model != s.model)
    throw InputError(
        fmt::format("{}: a checkpoint of model '{}', not of this scenario's model", path, img.model));
  if (img.scenario != to_yaml(s, spec))
    throw InputError(
        fmt::format("{}: this checkpoint was made by another scenario (or other --set/--seed); "
                    "resume with the same command, or start again with --force",
                    path));
}

}  // namespace attune::sim
