#include "sim/sweep.hpp"

#include <fmt/format.h>
#include <tbb/info.h>
#include <tbb/parallel_pipeline.h>
#include <tbb/task_arena.h>

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <memory>
#include <unordered_map>

#include "sim/errors.hpp"
#include "sim/progress.hpp"
#include "sim/run_order.hpp"
#include "sim/runner.hpp"
#include "sim/simulation.hpp"
#include "sim/sweep_file.hpp"
#include "sim/sweep_tables.hpp"
#include "sim/yaml_reader.hpp"

namespace attune::sim {
namespace {

namespace fs = std::filesystem;

std::string non_finite(const sim::Table& t) {
  const sim::Column* ids = t.find("infant_id");
  for (const auto& c : t.columns) {
    if (c.kind != sim::Column::float64) continue;
    for (std::size_t i = 0; i < c.reals.size(); ++i)
      if (!std::isfinite(c.reals[i]))
        return fmt::format("non-finite {} ({}) for infant {}", c.name, c.reals[i], ids ? ids->ints[i] : -1);
  }
  return "";
}

}  // namespace

std::shared_ptr<RunOutput> execute_run(const Model& model, const SweepPlan& plan, std::size_t run, int inner,
                                       const std::atomic<bool>& stop) {
  auto out = std::make_shared<RunOutput>();
  out->run = run;
  const auto reps = static_cast<std::size_t>(plan.design.replicates);
  const std::size_t point = run / reps;
  const int replicate = static_cast<int>(run % reps);
  try {
    const sim::Scenario s = run_scenario(plan, point, replicate);
    RunSettings settings;
    settings.threads = inner;  // sim::kSerial or sim::kCallerArena (see sweep_command)
    settings.stop = &stop;
    RunResult r = simulate(model, s, settings);
    out->dyad_steps = r.dyad_steps;
    out->failure = non_finite(r.infants);
    if (!out->failure.empty()) return out;
    out->summary = summary_row(r.infants, model, static_cast<std::int64_t>(run), plan.design.point_ids[point],
                               replicate);
    auto& id = out->infants.add("run_id", sim::Column::int64);
    id.ints.assign(r.infants.rows(), static_cast<std::int64_t>(run));
    for (auto& c : r.infants.columns) out->infants.columns.push_back(std::move(c));
  } catch (const sim::Interrupted&) {
    out->interrupted = true;
  } catch (const std::exception& e) {
    out->failure = e.what();
  }
  return out;
}

Shard parse_shard(const std::string& text) {
  if (text.empty()) return {};
  std::string spec = text;
  if (text == "slurm") {
    const char* id = std::getenv("SLURM_ARRAY_TASK_ID");
    const char* count = std::getenv("SLURM_ARRAY_TASK_COUNT");
    const char* min = std::getenv("SLURM_ARRAY_TASK_MIN");
    if (!id || !count)
      throw sim::InputError(
          "--shard slurm: SLURM_ARRAY_TASK_ID and SLURM_ARRAY_TASK_COUNT are not set (not in a job array?)");
    spec = fmt::format("{}/{}", std::stoll(id) - (min ? std::stoll(min) : 0), count);
  }
  const auto slash = spec.find('/');
  Shard s;
  try {
    std::size_t used = 0;
    const long long index = std::stoll(spec.substr(0, slash), &used);
    const long long count = slash == std::string::npos ? -1 : std::stoll(spec.substr(slash + 1));
    if (slash == std::string::npos || used != slash || count < 1 || index < 0 || index >= count)
      throw std::invalid_argument("");
    s.index = static_cast<std::size_t>(index);
    s.count = static_cast<std::size_t>(count);
  } catch (const std::exception&) {
    throw sim::InputError(
        fmt::format("--shard {}: expected I/N with 0 <= I < N (e.g. 0/4), or 'slurm'", text));
  }
  return s;
}

std::uint64_t SweepPlan::dyad_steps() const {
  std::uint64_t total = 0;
  for (const auto& p : points)
    total += static_cast<std::uint64_t>(p.dyads()) * static_cast<std::uint64_t>(p.schedule.steps_per_run());
  return total * static_cast<std::uint64_t>(design.replicates);
}

bool has_sweep(const std::string& path) {
  const YAML::Node root = sim::parse_yaml(sim::read_text_file(path), path);
  return root.IsMap() && root["sweep"];
}

SweepPlan plan_sweep(const std::string& path, const std::vector<Override>& overrides, const ModelSpec& spec) {
  const std::string text = sim::read_text_file(path);
  SweepPlan plan;
  plan.base = sim::load_scenario(path, overrides, spec);
  YAML::Node root = sim::parse_yaml(text, path);
  const sim::Reader reader(path, sim::apply_overrides(root, overrides));
  const YAML::Node sweep = root["sweep"];
  if (!sweep)
    throw sim::InputError(fmt::format("{}: has no 'sweep:' section (see docs/SCENARIOS.md, Sweeps)", path));
  if (plan.base.trace.any())
    throw sim::InputError(fmt::format(
        "{}: 'trace:' is recorded by attune run only; remove it for a sweep (or --set 'trace={{}}')", path));
  plan.sweep_yaml = YAML::Dump(sweep);
  const std::string dir = fs::path(path).parent_path().string();
  plan.design = sim::read_design(reader, sweep, dir.empty() ? "." : dir, plan.base.seed);
  for (std::size_t f = 0; f < plan.design.factors.size(); ++f) {
    const std::string& name = plan.design.factors[f];
    if (name != "seed" && name.rfind("sweep", 0) != 0) continue;
    std::string where = path;
    for (const auto& row : plan.design.sources)
      if (!row[f].where.empty()) where = row[f].where;
    throw sim::ScenarioError(where, name,
                             "is not a factor a sweep can vary (run seeds are derived from the master seed)");
  }
  // Every point is validated now, so that a bad value stops the sweep before any run.
  for (std::size_t p = 0; p < plan.design.points(); ++p) {
    std::vector<sim::Override> point = overrides;
    for (std::size_t f = 0; f < plan.design.factors.size(); ++f) {
      if (plan.design.values[p][f].empty()) continue;
      point.push_back({plan.design.factors[f], plan.design.values[p][f], plan.design.sources[p][f].where});
    }
    sim::Scenario s = sim::parse_scenario(text, path, point, spec);
    s.name = plan.base.name;
    plan.points.push_back(std::move(s));
  }
  return plan;
}

std::vector<std::size_t> shard_runs(const SweepPlan& plan, const Shard& shard) {
  std::vector<std::size_t> runs;
  for (std::size_t r = shard.index; r < plan.design.runs(); r += shard.count) runs.push_back(r);
  return runs;
}

Scenario run_scenario(const SweepPlan& plan, std::size_t point, int replicate) {
  sim::Scenario s = plan.points.at(point);
  // Top bit cleared: the seed is stored as a signed 64-bit integer in /runs.
  s.seed = sim::run_seed(plan.base.seed, point, static_cast<std::uint64_t>(replicate)) >> 1;
  return s;
}

namespace {

constexpr std::size_t kBufferBytes = std::size_t{4} << 20;  // rows held before an append

// Appends the rows of `from` to `to` (the same columns; `to` may be empty).
void append_rows(Table& to, const Table& from) {
  if (to.columns.empty())
    for (const auto& c : from.columns) to.add(c.name, c.kind, c.text_width);
  for (std::size_t i = 0; i < from.columns.size(); ++i) {
    const Column& c = from.columns[i];
    Column& o = to.columns[i];
    o.ints.insert(o.ints.end(), c.ints.begin(), c.ints.end());
    o.reals.insert(o.reals.end(), c.reals.begin(), c.reals.end());
    o.texts.insert(o.texts.end(), c.texts.begin(), c.texts.end());
  }
}

// Keeps the runs that /runs records as finished and whose rows all reached the disk (a crash
// between flushes can leave /runs ahead of /infants or /run_summary), marks the others pending
// again, and drops the rows past the last kept run's. Returns the runs kept; `infant_rows` gets
// the rows left in /infants (where the next run's rows go).
std::size_t keep_recorded_runs(SweepFile& file, const std::string& path, Table& runs, const Table& blank,
                               std::uint64_t& infant_rows) {
  const auto have_infants = static_cast<std::int64_t>(file.rows("infants"));
  const auto summary_ids = read_int_member(file.handle(), "run_summary", "run_id", path);
  std::unordered_map<std::int64_t, std::size_t> summary_of;  // the last row of each run
  for (std::size_t k = 0; k < summary_ids.size(); ++k) summary_of[summary_ids[k]] = k;
  auto& status = column(runs, "status").texts;
  auto& firsts = column(runs, "infants_first_row").ints;
  auto& counts = column(runs, "infants_rows").ints;
  const auto& ids = column(runs, "run_id").ints;
  std::int64_t infants_end = 0;
  std::size_t summaries_end = 0, kept = 0, lo = status.size(), hi = 0;
  for (std::size_t r = 0; r < status.size(); ++r) {
    if (status[r] == "pending") continue;
    bool ok = firsts[r] >= 0 && counts[r] >= 0 && firsts[r] + counts[r] <= have_infants;
    const auto summary = summary_of.find(ids[r]);
    if (status[r] == "done") ok = ok && summary != summary_of.end();
    if (ok) {
      ++kept;
      infants_end = std::max(infants_end, firsts[r] + counts[r]);
      if (status[r] == "done") summaries_end = std::max(summaries_end, summary->second + 1);
      continue;
    }
    for (const char* name : {"status", "reason"}) column(runs, name).texts[r] = blank.find(name)->texts[r];
    firsts[r] = counts[r] = 0;
    lo = std::min(lo, r);
    hi = r + 1;
  }
  if (lo < hi) file.write_row("runs", lo, slice(runs, lo, hi - lo));
  // Rows of runs that were being written when the process died are not recorded: drop them.
  // (Unrecorded rows between kept ones stay until the file is put into run order.)
  file.truncate("infants", static_cast<std::size_t>(infants_end));
  file.truncate("run_summary", summaries_end);
  infant_rows = static_cast<std::uint64_t>(infants_end);
  return kept;
}

// A finished file whose runs were written as they finished is rewritten in run order, as a
// single process would have written it: /infants and /run_summary copied in run order (in
// windows of a fixed memory budget, sim/run_order.hpp) into a new file beside it, which then
// replaces it. Killed meanwhile, the old file is intact and --resume does this again. Costs one
// copy of the rows (see docs/SWEEPS.md); skipped when the runs are already in order.
void put_in_run_order(std::unique_ptr<SweepFile>& file, const std::string& path, Table runs,
                      SweepFile::Contents like) {
  const auto& status = column(runs, "status").texts;
  auto& firsts = column(runs, "infants_first_row").ints;
  const auto& counts = column(runs, "infants_rows").ints;
  const auto& ids = column(runs, "run_id").ints;
  const auto summary_ids = read_int_member(file->handle(), "run_summary", "run_id", path);
  bool ordered = true;
  std::int64_t next = 0;
  std::size_t done = 0;
  for (std::size_t r = 0; r < status.size(); ++r) {
    ordered = ordered && firsts[r] == next;
    if (status[r] != "done") continue;
    next += counts[r];
    ordered = ordered && done < summary_ids.size() && summary_ids[done] == ids[r];
    ++done;
  }
  if (ordered && static_cast<std::int64_t>(file->rows("infants")) == next && summary_ids.size() == done)
    return;

  std::unordered_map<std::int64_t, std::int64_t> summary_of;  // the last row of each run
  for (std::size_t k = 0; k < summary_ids.size(); ++k)
    summary_of[summary_ids[k]] = static_cast<std::int64_t>(k);
  std::vector<RunRows> rows;
  next = 0;
  for (std::size_t r = 0; r < status.size(); ++r) {
    const bool is_done = status[r] == "done";
    rows.push_back({0, static_cast<std::uint64_t>(firsts[r]),
                    is_done ? static_cast<std::uint64_t>(counts[r]) : 0,
                    is_done ? summary_of.at(ids[r]) : -1});
    firsts[r] = next;
    next += is_done ? counts[r] : 0;
  }
  // Read through the writer's own handle: reopening the file would fail while a reader (an
  // `attune info`, h5py) has it open, and would drop the lock that keeps other writers out.
  file->flush();
  FileBeside temp(path, "order");
  like.runs = std::move(runs);
  auto out = SweepFile::create(temp.path(), true, like);
  copy_runs_in_order(*out, {{file->handle(), path}}, rows);
  out.reset();
  temp.commit();
  file.reset();
}

}  // namespace

SweepOutcome run_sweep(const Model& model, const SweepPlan& plan, const SweepSettings& settings) {
  const auto start = std::chrono::steady_clock::now();
  static const std::atomic<bool> never_stop{false};
  const std::atomic<bool>& stop = settings.stop != nullptr ? *settings.stop : never_stop;
  const int threads = settings.threads == 0 ? tbb::info::default_concurrency() : settings.threads;
  if (threads < 0)
    throw sim::InputError(fmt::format("--threads {}: must be 0 (all cores) or more", settings.threads));
  const sim::ModelSpec spec = sim::model_spec(model);
  const Shard shard = settings.shard;
  const std::vector<std::size_t> mine = shard_runs(plan, shard);  // this process's runs

  sim::Table runs = runs_table(plan, mine);
  const sim::Table design = design_table(plan.design);
  const std::string scenario_yaml = sim::to_yaml(plan.base, spec);

  std::unique_ptr<sim::SweepFile> file;
  std::size_t first = 0;  // finished runs kept from before
  std::uint64_t infant_rows = 0;
  sim::SweepFile::Contents like;  // the file's attributes and layouts (to rewrite it in run order)
  like.design = design;
  like.infants.add("run_id", sim::Column::int64);
  for (auto& col : infants_table_layout(model).columns) like.infants.columns.push_back(col);
  like.summary = summary_layout(model);
  const bool resuming = settings.resume && !settings.discard && fs::exists(settings.output);
  if (resuming) {
    const auto attrs = sim::read_attributes(settings.output);
    auto attr = [&](const char* k) { return attrs.count(k) ? attrs.at(k) : std::string(); };
    if (attr("kind") != "sweep" || attr("scenario") != scenario_yaml || attr("sweep") != plan.sweep_yaml ||
        attr("shard") != shard.text())
      throw sim::InputError(fmt::format(
          "{}: was not written by this scenario and design; give another output, or --force without --resume",
          settings.output));
    for (const auto& [k, v] : attrs) {
      if (k == "schema_version" || k == "seed" || k == "replicates") {
        char* end = nullptr;
        like.number_attributes[k] = std::strtoull(v.c_str(), &end, 10);
        if (v.empty() || *end != '\0')
          throw sim::InputError(
              fmt::format("{}: attribute '{}' is '{}'; the file is damaged", settings.output, k, v));
      } else
        like.text_attributes[k] = v;
    }
    file = sim::SweepFile::open(settings.output);
    if (!same_table(file->read("design"), design))
      throw sim::InputError(fmt::format("{}: its design differs from the scenario's", settings.output));
    runs = file->read("runs");
    first = keep_recorded_runs(*file, settings.output, runs, runs_table(plan, mine), infant_rows);
  } else if (!settings.discard) {
    if (settings.resume && settings.on_missing) settings.on_missing();
    const std::time_t now = std::time(nullptr);
    char stamp[32];
    std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&now));
    like.text_attributes = {{"kind", "sweep"},
                            {"attune_version", settings.version},
                            {"git_commit", settings.commit},
                            {"model", plan.base.model},
                            {"scenario", scenario_yaml},
                            {"scenario_source", plan.base.source},
                            {"sweep", plan.sweep_yaml},
                            {"design", std::string(sim::design_name(plan.design.kind))},
                            {"created_utc", stamp}};
    if (shard.count > 1) like.text_attributes["shard"] = shard.text();
    like.number_attributes = {{"schema_version", sim::kSchemaVersion},
                              {"seed", plan.base.seed},
                              {"replicates", static_cast<std::uint64_t>(plan.design.replicates)}};
    like.runs = runs;
    file = sim::SweepFile::create(settings.output, settings.force, like);
    like.runs = {};
  }
  if (file) file->start_streaming();

  const std::size_t total = mine.size();
  if (settings.on_start) settings.on_start(threads, first, total);

  auto& status = column(runs, "status").texts;
  std::vector<std::size_t> todo;  // the rows still pending, in run order
  for (std::size_t r = 0; r < total; ++r)
    if (status[r] == "pending") todo.push_back(r);
  sim::Progress progress("attune sweep", static_cast<double>(todo.size()), settings.progress);
  std::size_t next = 0, written = 0, failed = 0;
  std::uint64_t steps = 0;
  std::size_t dirty_lo = total, dirty_hi = 0;  // /runs rows changed since the last flush
  auto last_flush = std::chrono::steady_clock::now();
  for (std::size_t r = 0; r < total; ++r) failed += status[r] == "failed" ? 1 : 0;
  // Rows wait here, a few MiB at most, and go to the file in one append each: two HDF5 appends
  // per run cost more than a tiny run. They are written before the /runs rows that point at them.
  sim::Table infants_buffer, summary_buffer;
  auto drain = [&] {
    if (!file) return;
    file->append("infants", infants_buffer);
    file->append("run_summary", summary_buffer);
    infants_buffer = {};
    summary_buffer = {};
  };
  auto record = [&] {
    drain();
    if (file && dirty_lo < dirty_hi)
      file->write_row("runs", dirty_lo, slice(runs, dirty_lo, dirty_hi - dirty_lo));
    dirty_lo = total;
    dirty_hi = 0;
  };

  // /runs rows and the flush that makes everything durable go together, at most every 0.5 s or
  // 5% of the time so far: a flush per run costs more than a small run, and every flush leaves
  // the rewritten last chunk's old copy as dead space in the file (SWMR does not reuse it).
  auto flush_if_due = [&](bool now_anyway) {
    if (!file || dirty_lo >= dirty_hi) return;
    const auto now = std::chrono::steady_clock::now();
    if (!now_anyway && now - last_flush <= std::max<std::chrono::steady_clock::duration>(
                                               std::chrono::milliseconds(500), (now - start) / 20))
      return;
    record();
    file->flush();
    last_flush = now;
  };

  // Results come in the order runs finish (any order under MPI): each is appended at once with
  // its rows' place recorded in /runs, so that nothing waits for a slow run before it.
  auto write = [&](const std::shared_ptr<RunOutput>& o) {
    if (o->interrupted) return;  // stays pending; --resume runs it
    const std::size_t r = o->row;
    if (o->failure.empty()) {
      if (file) {
        append_rows(infants_buffer, o->infants);
        append_rows(summary_buffer, o->summary);
        if (infants_buffer.rows() * infants_buffer.columns.size() * 8 > kBufferBytes) drain();
      }
      column(runs, "infants_first_row").ints[r] = static_cast<std::int64_t>(infant_rows);
      column(runs, "infants_rows").ints[r] = static_cast<std::int64_t>(o->infants.rows());
      infant_rows += o->infants.rows();
      status[r] = "done";
    } else {
      status[r] = "failed";
      column(runs, "reason").texts[r] = o->failure.substr(0, 200);
      column(runs, "infants_first_row").ints[r] = static_cast<std::int64_t>(infant_rows);
      ++failed;
    }
    dirty_lo = std::min(dirty_lo, r);
    dirty_hi = std::max(dirty_hi, r + 1);
    ++written;
    flush_if_due(written == todo.size());
    steps += o->dyad_steps;
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    progress.update(static_cast<double>(written),
                    fmt::format("  runs {}/{}, failed {}, {:.1f} M dyad-steps/s", first + written, total,
                                failed, static_cast<double>(steps) / secs / 1e6));
  };

  // Runs are the unit of parallelism when there are enough of them; otherwise each run's infants
  // are spread over the threads too.
  const int inner = todo.size() >= 4 * static_cast<std::size_t>(threads) ? sim::kSerial : sim::kCallerArena;
  tbb::task_arena arena(threads);
  if (settings.farm)
    settings.farm(todo, stop, write, [&] { flush_if_due(false); });
  else
    arena.execute([&] {
      // In one process results are written in run order: at most two runs per thread wait for
      // a slower one before them, and a complete file needs no reordering.
      tbb::parallel_pipeline(
          2 * static_cast<std::size_t>(threads),
          tbb::make_filter<void, std::size_t>(tbb::filter_mode::serial_in_order,
                                              [&](tbb::flow_control& fc) -> std::size_t {
                                                if (next >= todo.size() || stop.load()) {
                                                  fc.stop();
                                                  return 0;
                                                }
                                                return todo[next++];
                                              }) &
              tbb::make_filter<std::size_t, std::shared_ptr<RunOutput>>(
                  tbb::filter_mode::parallel,
                  [&](std::size_t k) {
                    auto out = execute_run(model, plan, mine[k], inner, stop);
                    out->row = k;
                    return out;
                  }) &
              tbb::make_filter<std::shared_ptr<RunOutput>, void>(tbb::filter_mode::serial_in_order, write));
    });
  progress.finish();
  record();
  if (file && first + written == total) put_in_run_order(file, settings.output, runs, like);
  file.reset();  // closes the file; its SWMR flags are cleared

  SweepOutcome outcome;
  outcome.total = total;
  outcome.first = first;
  outcome.written = written;
  outcome.failed = failed;
  outcome.dyad_steps = steps;
  outcome.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return outcome;
}

}  // namespace attune::sim
