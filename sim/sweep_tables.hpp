// The tables of a sweep file (docs/SWEEPS.md): built from the plan, sliced and compared.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "sim/design.hpp"
#include "sim/model.hpp"
#include "sim/sweep.hpp"
#include "sim/table.hpp"

namespace attune::sim {

// /design: point_id, one column per factor (float64 when every value is a number), role, trajectory.
sim::Table design_table(const sim::Design& d);
// /runs for the runs in `mine` (all, or one shard's), every one pending.
sim::Table runs_table(const SweepPlan& plan, const std::vector<std::size_t>& mine);
// /run_summary's columns, and the row that summarises one run's infants.
sim::Table summary_layout(const Model& model);
sim::Table summary_row(const sim::Table& infants, const Model& model, std::int64_t run, std::int64_t point,
                       std::int64_t replicate);

sim::Table slice(const sim::Table& t, std::size_t first, std::size_t n);  // rows [first, first + n)
sim::Column& column(sim::Table& t, std::string_view name);                // throws when absent
bool same_table(const sim::Table& a, const sim::Table& b);                // names, kinds and bits

}  // namespace attune::sim
