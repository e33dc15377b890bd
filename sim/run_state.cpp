#include "sim/run_state.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <functional>
#include <limits>
#include <map>

#include "sim/errors.hpp"

namespace attune::sim {

void copy_daily_record(const RunImage& img, const std::string& field, std::size_t rows, OutputFile* output,
                       std::size_t f,
                       const std::function<void(std::size_t, std::size_t, const double*)>& each) {
  const auto days = static_cast<std::size_t>(img.next_day);
  const std::string name = "record/daily/" + field;
  const std::size_t block = std::max<std::size_t>(1, kCopyValues / std::max<std::size_t>(1, days));
  std::vector<float> buffer;
  for (std::size_t r0 = 0;; r0 += block) {
    std::size_t total = 0, cols = 0;
    const std::vector<double> part = read_matrix_rows(img.source, name, r0, block, total, cols);
    if (total != rows || cols != days)
      throw InputError(
          fmt::format("{}: the checkpoint's daily series {} ({} × {}) do not fit this run ({} × {})",
                      img.source, field, total, cols, rows, days));
    if (part.empty()) return;
    const std::size_t n = part.size() / days;
    if (output) {
      buffer.assign(part.begin(), part.end());
      output->write_daily_rows(f, 0, img.next_day, buffer.data(), img.next_day, r0, n);
    }
    if (each) each(r0, n, part.data());
  }
}

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
  if (img.ranks > 1) {
    out.attribute("ranks", img.ranks);
    out.attribute("rank", img.rank);
    out.attribute("first_unit", img.first_unit);
    out.attribute("block_days", static_cast<std::uint64_t>(img.block_days));
    for (std::size_t f = 0; f < img.daily_block.size(); ++f)
      out.write_matrix("record/block/" + daily_fields[f], img.daily_block[f],
                       static_cast<std::size_t>(std::max(1, img.block_days)));
  }
  if (output && img.next_day > 0) {
    // The daily series so far, copied a block of rows at a time: a checkpoint of a large run
    // needs no memory for the whole series.
    const auto days = static_cast<std::size_t>(img.next_day);
    const std::size_t block = std::max<std::size_t>(1, kCopyValues / days);
    std::vector<float> buffer;
    std::vector<double> wide;
    for (std::size_t f = 0; f < daily_fields.size(); ++f) {
      const std::string name = "record/daily/" + daily_fields[f];
      const std::size_t rows = output->daily_rows(f);
      out.create_matrix(name, rows, days);
      for (std::size_t r0 = 0; r0 < rows; r0 += block) {
        const std::size_t n = std::min(block, rows - r0);
        buffer.resize(n * days);
        output->read_daily_rows(f, 0, img.next_day, r0, n, buffer.data());
        wide.assign(buffer.begin(), buffer.end());
        out.write_matrix_rows(name, wide.data(), r0, n);
      }
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
  // Every number is checked before it sizes or indexes anything: a state file may be damaged.
  auto count = [&](const char* key, std::uint64_t max) {
    const std::string& text = need(key);
    std::uint64_t v = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc() || end != text.data() + text.size() || text.empty() || v > max)
      throw InputError(
          fmt::format("{}: the state's '{}' is '{}', not a whole number from 0 to {}", path, key, text, max));
    return v;
  };
  RunImage img;
  img.model = need("model");
  img.scenario = need("scenario");
  img.seed = count("seed", std::numeric_limits<std::uint64_t>::max());
  img.stage = count("stage", 1'000'000);
  img.next_day = static_cast<int>(count("next_day", 100'000));
  img.units = static_cast<std::size_t>(count("units", 1'000'000'000));
  img.infants = read_matrix(path, "state/infants", img.infant_width);
  img.relationships = read_matrix(path, "state/relationships", img.relationship_width);
  std::size_t cols = 0;
  img.caregiver_values = read_matrix(path, "state/caregivers", cols);
  const std::vector<double> current = read_matrix(path, "state/current", cols);
  const auto damaged = [&](const std::string& what) {
    return InputError(fmt::format("{}: damaged state file: {}", path, what));
  };
  if (img.infant_width == 0 || img.infant_width > 4096 || img.relationship_width == 0 ||
      img.relationship_width > 4096)
    throw damaged("implausible state widths");
  if (img.infants.size() / img.infant_width != img.units || img.infants.size() % img.infant_width != 0 ||
      current.size() / 2 != img.units || current.size() % 2 != 0 ||
      img.relationships.size() % img.relationship_width != 0 ||
      (img.units > 0 && img.caregiver_values.size() % img.units != 0))
    throw damaged(fmt::format("its tables do not agree with its {} infants", img.units));
  const std::size_t relationships = img.relationships.size() / img.relationship_width;
  auto whole = [](double v, double max) {
    return std::isfinite(v) && v >= 0 && v <= max && v == std::floor(v);
  };
  for (std::size_t u = 0; u < img.units; ++u) {
    if (!whole(current[2 * u], 9.0e15) || !whole(current[2 * u + 1], static_cast<double>(relationships) - 1))
      throw damaged(fmt::format("infant {}'s caregiver or relationship is not a valid index", u));
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
    for (double c : img.protocol_classes.back())
      if (!whole(c, 127)) throw damaged("a protocol classification is not a letter");
    const auto& samples = img.protocol_samples.back();
    if (samples.size() % 6 != 0) throw damaged("protocol samples of the wrong shape");
    for (std::size_t j = 0; j < samples.size(); j += 6)
      if (!whole(samples[j], static_cast<double>(img.units) - 1) || !whole(samples[j + 1], 1e6))
        throw damaged("a protocol sample's infant or phase is not a valid index");
  }
  if (attrs.count("ranks")) {
    img.ranks = count("ranks", 1'000'000);
    img.rank = count("rank", img.ranks - 1);
    img.first_unit = count("first_unit", 1'000'000'000'000);
    img.block_days = static_cast<int>(count("block_days", 1'000'000));
    for (const auto& field : list_group(path, "record/block")) {
      img.block_fields.push_back(field);
      img.daily_block.push_back(read_matrix(path, "record/block/" + field, cols));
      if (img.block_days > 0 && cols != static_cast<std::size_t>(img.block_days))
        throw damaged("a daily block of the wrong width");
    }
  }
  // The daily series are read when resuming, a block of rows at a time (copy_daily_record).
  img.source = path;
  img.daily_fields = list_group(path, "record/daily");
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
