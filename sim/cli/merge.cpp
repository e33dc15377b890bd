// `attune merge`: shard files of one sweep (--shard I/N, e.g. a SLURM job array) into one file
// whose datasets equal those of the same sweep run in one process.
#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <limits>
#include <map>

#include "sim/cli/sweep.hpp"
#include "sim/errors.hpp"
#include "sim/hdf5_file.hpp"
#include "sim/run_order.hpp"
#include "sim/sweep_file.hpp"
#include "sim/sweep_tables.hpp"

namespace attune::app {

using sim::column;
using sim::same_table;
using sim::slice;
namespace {

// What merge keeps of a part: its /runs and where its done runs' summaries are; not the file
// (an open HDF5 file costs about 0.7 MB, so parts are opened again only to copy from them).
struct Part {
  std::string path;
  std::map<std::string, std::string> attrs;  // the first part's only, after it is checked
  Shard shard;
  sim::Table runs;
  std::vector<std::int64_t> summary_ids;  // /run_summary's run_id column
  std::string foreign;                    // why it does not belong with the first part, if it does not
};

void append_row(sim::Table& to, const sim::Table& from, std::size_t row) {
  for (std::size_t i = 0; i < from.columns.size(); ++i) {
    const auto& c = from.columns[i];
    auto& o = to.columns[i];
    if (c.kind == sim::Column::int64) o.ints.push_back(c.ints[row]);
    if (c.kind == sim::Column::float64) o.reals.push_back(c.reals[row]);
    if (c.kind == sim::Column::text) o.texts.push_back(c.texts[row]);
  }
}

// A whole-number attribute of a part (InputError naming the part when it is not one).
std::uint64_t number_attribute(const Part& p, const std::string& key) {
  const auto it = p.attrs.find(key);
  std::uint64_t v = 0;
  if (it == p.attrs.end() ||
      std::from_chars(it->second.data(), it->second.data() + it->second.size(), v).ptr !=
          it->second.data() + it->second.size() ||
      (key == "replicates" && (v == 0 || v > 1'000'000)))
    throw sim::InputError(fmt::format("{}: attribute '{}' is {}; the file is damaged or not a sweep's part",
                                      p.path, key, it == p.attrs.end() ? "missing" : "'" + it->second + "'"));
  return v;
}

}  // namespace

int merge_command(const std::vector<std::string>& paths, const std::string& output, bool force) {
  if (paths.empty()) throw sim::InputError("merge: no input files");
  sim::check_output_path(output, force, paths);
  std::vector<Part> parts;
  sim::Table design, infants_layout, summary_layout;  // the first part's
  for (const auto& path : paths) {
    Part p;
    p.path = path;
    const sim::H5Id file = sim::h5::open_file(path);  // first: the attribute reader's open shares it
    p.attrs = sim::read_attributes(path);
    if (!p.attrs.count("kind") || p.attrs.at("kind") != "sweep")
      throw sim::InputError(fmt::format("{}: not a sweep file (no kind = sweep attribute)", path));
    p.shard = parse_shard(p.attrs.count("shard") ? p.attrs.at("shard") : "");
    p.runs = sim::h5::read_table(file.get(), "runs", path);
    // Same experiment: scenario, design, seed and the design table itself (reported below, in
    // the order of the parts, once every part is known to be a sweep's).
    const sim::Table d = sim::h5::read_table(file.get(), "design", p.path);
    if (parts.empty()) {
      design = d;
      infants_layout = sim::h5::read_table(file.get(), "infants", path, 0, 0);
      summary_layout = sim::h5::read_table(file.get(), "run_summary", path, 0, 0);
    }
    const Part& first = parts.empty() ? p : parts.front();
    for (const char* key : {"scenario", "sweep", "seed", "design", "schema_version", "model"})
      if (p.foreign.empty() && (p.attrs.count(key) != first.attrs.count(key) ||
                                (p.attrs.count(key) && p.attrs.at(key) != first.attrs.at(key))))
        p.foreign = fmt::format("{}: comes from another scenario or design than {} (attribute '{}' differs)",
                                p.path, first.path, key);
    if (p.foreign.empty() && (d.rows() != design.rows() || d.columns.size() != design.columns.size()))
      p.foreign = fmt::format("{}: its /design differs from {}'s", p.path, first.path);
    if (p.foreign.empty() && p.shard.count != first.shard.count)
      p.foreign = fmt::format("{} is shard {} but {} is shard {}: parts of different splits", p.path,
                              p.shard.text(), first.path, first.shard.text());
    if (!parts.empty()) p.attrs.clear();
    if (p.foreign.empty()) p.summary_ids = sim::read_int_member(file.get(), "run_summary", "run_id", path);
    parts.push_back(std::move(p));
  }
  const Part& first = parts.front();
  for (const Part& p : parts)
    if (!p.foreign.empty()) throw sim::InputError(p.foreign);
  // Every shard exactly once, each finished.
  std::vector<const Part*> by_shard(first.shard.count, nullptr);
  for (const Part& p : parts) {
    if (const Part* twin = by_shard[p.shard.index])
      throw sim::InputError(fmt::format("{} and {} are both shard {}", twin->path, p.path, p.shard.text()));
    by_shard[p.shard.index] = &p;
    const auto& status = p.runs.find("status")->texts;
    const auto pending = std::count(status.begin(), status.end(), "pending");
    if (pending > 0)
      throw sim::InputError(
          fmt::format("{}: {} of its runs are pending; finish it with --resume first", p.path, pending));
  }
  std::string missing;
  for (std::size_t i = 0; i < by_shard.size(); ++i)
    if (!by_shard[i]) missing += fmt::format("{}{}/{}", missing.empty() ? "" : ", ", i, first.shard.count);
  if (!missing.empty()) throw sim::InputError(fmt::format("merge: missing shard(s) {}", missing));

  // Runs in run order, each from its part.
  struct Source {
    const Part* part;
    std::size_t row;
  };
  std::map<std::int64_t, Source> runs;
  for (const Part& p : parts) {
    const auto& ids = p.runs.find("run_id")->ints;
    for (std::size_t r = 0; r < ids.size(); ++r)
      if (!runs.emplace(ids[r], Source{&p, r}).second)
        throw sim::InputError(fmt::format("run {} appears twice ({} and another part)", ids[r], p.path));
  }
  const auto total = static_cast<std::int64_t>(design.rows()) *
                     static_cast<std::int64_t>(number_attribute(first, "replicates"));
  if (static_cast<std::int64_t>(runs.size()) != total || runs.begin()->first != 0 ||
      runs.rbegin()->first != total - 1)
    throw sim::InputError(
        fmt::format("merge: the parts hold {} runs; the design has {}", runs.size(), total));

  // /runs in run order, each run's slice of the merged /infants recomputed; where each run's
  // rows lie in its part.
  sim::Table merged_runs;
  for (const auto& c : first.runs.columns) merged_runs.add(c.name, c.kind, c.text_width);
  std::vector<sim::RunSource> sources;
  sources.reserve(parts.size());
  std::vector<sim::RunRows> rows;
  rows.reserve(runs.size());
  for (const Part& p : parts) sources.push_back({-1, p.path});
  std::vector<std::vector<std::int64_t>> summary_rows(parts.size());  // per part, by its /runs row
  for (std::size_t i = 0; i < parts.size(); ++i) {
    const Part& p = parts[i];
    const auto& ids = p.runs.find("run_id")->ints;
    const auto& status = p.runs.find("status")->texts;
    const auto& summary_ids = p.summary_ids;
    // Each done run's /run_summary row, found by its run_id (the last row of that run, should a
    // killed sweep have left an unrecorded copy before it).
    std::vector<std::pair<std::int64_t, std::int64_t>> by_id;
    by_id.reserve(summary_ids.size());
    for (std::size_t k = 0; k < summary_ids.size(); ++k)
      by_id.emplace_back(summary_ids[k], static_cast<std::int64_t>(k));
    std::sort(by_id.begin(), by_id.end());
    auto& at = summary_rows[i];
    at.assign(ids.size(), -1);
    for (std::size_t r = 0; r < ids.size(); ++r) {
      if (status[r] != "done") continue;
      auto it = std::upper_bound(by_id.begin(), by_id.end(),
                                 std::make_pair(ids[r], std::numeric_limits<std::int64_t>::max()));
      if (it == by_id.begin() || (--it)->first != ids[r])
        throw sim::InputError(fmt::format(
            "{}: run {} is done but has no /run_summary row (the file is damaged)", p.path, ids[r]));
      at[r] = it->second;
    }
  }
  std::int64_t next_row = 0;
  for (const auto& [id, src] : runs) {
    append_row(merged_runs, src.part->runs, src.row);
    const auto part = static_cast<std::size_t>(src.part - parts.data());
    const auto from = src.part->runs.find("infants_first_row")->ints[src.row];
    const auto n = src.part->runs.find("infants_rows")->ints[src.row];
    const bool done = src.part->runs.find("status")->texts[src.row] == "done";
    column(merged_runs, "infants_first_row").ints.back() = next_row;
    next_row += n;
    rows.push_back({part, static_cast<std::uint64_t>(from), done ? static_cast<std::uint64_t>(n) : 0,
                    done ? summary_rows[part][src.row] : -1});
  }
  sim::SweepFile::Contents c;
  for (const auto& [k, v] : first.attrs) {
    if (k == "shard") continue;
    if (k == "schema_version" || k == "seed" || k == "replicates")
      c.number_attributes[k] = number_attribute(first, k);
    else
      c.text_attributes[k] = v;
  }
  c.design = design;
  c.runs = merged_runs;
  c.infants = infants_layout;
  c.summary = summary_layout;
  // Written beside the target and renamed into place when complete: a failure (a damaged part,
  // a full disk) leaves no partial file at `output`.
  sim::FileBeside temp(output, "merge");
  auto out = sim::SweepFile::create(temp.path(), true, c);
  sim::copy_runs_in_order(*out, sources, rows);
  out.reset();
  if (!force && std::filesystem::exists(output))
    throw sim::InputError(fmt::format("{}: appeared while merging; use --force to overwrite it", output));
  temp.commit();
  fmt::print("merged {} parts ({} runs) into {}\n", parts.size(), runs.size(), output);
  return 0;
}

}  // namespace attune::app
