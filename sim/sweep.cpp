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

#include "sim/errors.hpp"
#include "sim/progress.hpp"
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
  std::size_t first = 0;  // runs before this one are on disk
  std::uint64_t infant_rows = 0;
  const bool resuming = settings.resume && !settings.discard && fs::exists(settings.output);
  if (resuming) {
    const auto attrs = sim::read_attributes(settings.output);
    auto attr = [&](const char* k) { return attrs.count(k) ? attrs.at(k) : std::string(); };
    if (attr("kind") != "sweep" || attr("scenario") != scenario_yaml || attr("sweep") != plan.sweep_yaml ||
        attr("shard") != shard.text())
      throw sim::InputError(fmt::format(
          "{}: was not written by this scenario and design; give another output, or --force without --resume",
          settings.output));
    file = sim::SweepFile::open(settings.output);
    if (!same_table(file->read("design"), design))
      throw sim::InputError(fmt::format("{}: its design differs from the scenario's", settings.output));
    const sim::Table on_disk = file->read("runs");
    const auto& status = on_disk.find("status")->texts;
    runs = on_disk;
    // The finished runs are a prefix; keep the longest one whose rows really reached the disk
    // (a crash between flushes can leave /runs ahead of /infants or /run_summary).
    const std::size_t have_infants = file->rows("infants"), have_summaries = file->rows("run_summary");
    std::size_t summaries = 0;
    for (; first < status.size() && status[first] != "pending"; ++first) {
      const auto rows = static_cast<std::uint64_t>(on_disk.find("infants_rows")->ints[first]);
      const std::size_t more = status[first] == "done" ? 1 : 0;
      if (infant_rows + rows > have_infants || summaries + more > have_summaries) break;
      infant_rows += rows;
      summaries += more;
    }
    if (first < status.size() && status[first] != "pending") {
      const sim::Table blank = runs_table(plan, mine);
      for (std::size_t r = first; r < status.size(); ++r) {
        for (const char* name : {"status", "reason"})
          column(runs, name).texts[r] = blank.find(name)->texts[r];
        for (const char* name : {"infants_first_row", "infants_rows"}) column(runs, name).ints[r] = 0;
      }
      file->write_row("runs", first, slice(runs, first, status.size() - first));
    }
    // Rows of a run that was being written when the process died are not recorded: drop them.
    file->truncate("infants", infant_rows);
    file->truncate("run_summary", summaries);
  } else if (!settings.discard) {
    if (settings.resume && settings.on_missing) settings.on_missing();
    const std::time_t now = std::time(nullptr);
    char stamp[32];
    std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&now));
    sim::SweepFile::Contents c;
    c.text_attributes = {{"kind", "sweep"},
                         {"attune_version", settings.version},
                         {"git_commit", settings.commit},
                         {"model", plan.base.model},
                         {"scenario", scenario_yaml},
                         {"scenario_source", plan.base.source},
                         {"sweep", plan.sweep_yaml},
                         {"design", std::string(sim::design_name(plan.design.kind))},
                         {"created_utc", stamp}};
    if (shard.count > 1) c.text_attributes["shard"] = shard.text();
    c.number_attributes = {{"schema_version", sim::kSchemaVersion},
                           {"seed", plan.base.seed},
                           {"replicates", static_cast<std::uint64_t>(plan.design.replicates)}};
    c.design = design;
    c.runs = runs;
    c.infants.add("run_id", sim::Column::int64);
    for (auto& col : infants_table_layout(model).columns) c.infants.columns.push_back(col);
    c.summary = summary_layout(model);
    file = sim::SweepFile::create(settings.output, settings.force, c);
  }
  if (file) file->start_streaming();

  const std::size_t total = mine.size();
  if (settings.on_start) settings.on_start(threads, first, total);

  sim::Progress progress("attune sweep", static_cast<double>(total - first), settings.progress);
  std::size_t next = first, written = 0, failed = 0;
  std::uint64_t steps = 0;
  bool halted = false;
  std::size_t unflushed = first;  // first run whose /runs row is not yet on disk
  auto last_flush = std::chrono::steady_clock::now();
  auto& status = column(runs, "status").texts;
  for (std::size_t r = 0; r < first; ++r) failed += status[r] == "failed" ? 1 : 0;

  auto write = [&](const std::shared_ptr<RunOutput>& o) {
    if (halted || o->interrupted) {
      halted = true;  // keep the finished runs a prefix of the run order
      return;
    }
    const std::size_t r = o->row;
    if (o->failure.empty()) {
      if (file) {
        file->append("infants", o->infants);
        file->append("run_summary", o->summary);
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
    // /runs rows and the flush that makes everything durable go together, at most every 0.5 s or
    // 5% of the time so far: a flush per run costs more than a small run, and every flush leaves
    // the rewritten last chunk's old copy as dead space in the file (SWMR does not reuse it).
    const auto now = std::chrono::steady_clock::now();
    if (file && (now - last_flush > std::max<std::chrono::steady_clock::duration>(
                                        std::chrono::milliseconds(500), (now - start) / 20) ||
                 r + 1 == total)) {
      file->write_row("runs", unflushed, slice(runs, unflushed, r + 1 - unflushed));
      file->flush();
      unflushed = r + 1;
      last_flush = now;
    }
    ++written;
    steps += o->dyad_steps;
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    progress.update(static_cast<double>(written),
                    fmt::format("  runs {}/{}, failed {}, {:.1f} M dyad-steps/s", first + written, total,
                                failed, static_cast<double>(steps) / secs / 1e6));
  };

  // Runs are the unit of parallelism when there are enough of them; otherwise each run's infants
  // are spread over the threads too.
  const int inner = total - first >= 4 * static_cast<std::size_t>(threads) ? sim::kSerial : sim::kCallerArena;
  tbb::task_arena arena(threads);
  if (settings.farm)
    settings.farm(first, total, stop, write);
  else
    arena.execute([&] {
      tbb::parallel_pipeline(
          2 * static_cast<std::size_t>(threads),
          tbb::make_filter<void, std::size_t>(tbb::filter_mode::serial_in_order,
                                              [&](tbb::flow_control& fc) -> std::size_t {
                                                if (next >= total || stop.load()) {
                                                  fc.stop();
                                                  return 0;
                                                }
                                                return next++;
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
  if (file && unflushed < first + written)
    file->write_row("runs", unflushed, slice(runs, unflushed, first + written - unflushed));
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
