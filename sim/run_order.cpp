#include "sim/run_order.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <numeric>

#include "sim/errors.hpp"

namespace attune::sim {
using namespace h5;
namespace {

// Rows [first, first + rows) of one source's table.
struct Block {
  std::size_t source;
  std::uint64_t first, rows;
};

// Sources' datasets are opened without a chunk cache: with many parts, a cache per part would
// make memory grow with their number. A chunk that straddles two windows is decompressed twice.
H5Id open_uncached(hid_t file, const std::string& name, const std::string& path) {
  H5Id dapl(H5Pcreate(H5P_DATASET_ACCESS), H5Pclose, "dataset access properties");
  check(H5Pset_chunk_cache(dapl.get(), H5D_CHUNK_CACHE_NSLOTS_DEFAULT, 0, H5D_CHUNK_CACHE_W0_DEFAULT),
        "chunk cache");
  const hid_t ds = H5Dopen2(file, name.c_str(), dapl.get());
  if (ds < 0)
    throw InputError(fmt::format("{}: cannot open {} (the file is damaged or truncated)", path, name));
  return H5Id(ds, H5Dclose, name);
}

void read_rows(hid_t file, const RunSource& src, const std::string& name, hid_t type, std::uint64_t first,
               std::uint64_t rows, unsigned char* to) {
  const H5Id ds = open_uncached(file, name, src.path);
  H5Id fspace(H5Dget_space(ds.get()), H5Sclose, "space");
  const hsize_t start[1] = {first}, count[1] = {rows};
  if (first + rows > static_cast<hsize_t>(H5Sget_simple_extent_npoints(fspace.get())) ||
      H5Sselect_hyperslab(fspace.get(), H5S_SELECT_SET, start, nullptr, count, nullptr) < 0)
    throw InputError(fmt::format("{}: rows {}..{} of {} are missing (the file is damaged or truncated)",
                                 src.path, first, first + rows, name));
  H5Id mspace(H5Screate_simple(1, count, nullptr), H5Sclose, "memory space");
  if (H5Dread(ds.get(), type, mspace.get(), fspace.get(), H5P_DEFAULT, to) < 0)
    throw InputError(fmt::format("{}: cannot read rows {}..{} of {} (the file is damaged or truncated)",
                                 src.path, first, first + rows, name));
}

// One window: reads the blocks (grouped by source, contiguous ones joined into one read) and
// appends them to `out` in the given order.
void copy_window(SweepFile& out, const std::string& name, hid_t type, std::size_t row_bytes,
                 const std::vector<RunSource>& sources, const std::vector<Block>& blocks,
                 std::vector<unsigned char>& staging, std::vector<unsigned char>& ordered) {
  std::vector<std::size_t> by_place(blocks.size());
  std::iota(by_place.begin(), by_place.end(), 0);
  std::stable_sort(by_place.begin(), by_place.end(), [&](std::size_t a, std::size_t b) {
    return blocks[a].source != blocks[b].source ? blocks[a].source < blocks[b].source
                                                : blocks[a].first < blocks[b].first;
  });
  std::vector<std::uint64_t> at(blocks.size());  // each block's first row in `staging`
  std::uint64_t rows = 0;
  H5Id opened;  // the source being read, when it is opened here
  for (std::size_t i = 0; i < by_place.size();) {
    const Block& b = blocks[by_place[i]];
    const RunSource& src = sources[b.source];
    if (src.file < 0 && (i == 0 || blocks[by_place[i - 1]].source != b.source)) opened = open_file(src.path);
    const hid_t file = src.file >= 0 ? src.file : opened.get();
    std::uint64_t end = b.first;
    std::size_t j = i;
    for (; j < by_place.size() && blocks[by_place[j]].source == b.source && blocks[by_place[j]].first == end;
         ++j) {
      at[by_place[j]] = rows + (end - b.first);
      end += blocks[by_place[j]].rows;
    }
    staging.resize(std::max<std::size_t>(staging.size(), (rows + end - b.first) * row_bytes));
    read_rows(file, src, name, type, b.first, end - b.first, staging.data() + rows * row_bytes);
    rows += end - b.first;
    i = j;
  }
  // Already in output order (one source read in order): write the staging buffer as it is.
  bool in_order = true;
  for (std::size_t k = 0, next = 0; k < blocks.size(); next += blocks[k].rows, ++k) in_order &= at[k] == next;
  if (in_order) {
    out.append_bytes(name, type, staging.data(), rows);
    return;
  }
  ordered.resize(std::max(ordered.size(), rows * row_bytes));
  std::size_t to = 0;
  for (std::size_t k = 0; k < blocks.size(); ++k) {
    const std::size_t n = blocks[k].rows * row_bytes;
    std::memcpy(ordered.data() + to, staging.data() + at[k] * row_bytes, n);
    to += n;
  }
  out.append_bytes(name, type, ordered.data(), rows);
}

// Appends the blocks to `out`'s table `name` in order, window by window.
void copy_blocks(SweepFile& out, const std::string& name, const std::vector<RunSource>& sources,
                 const std::vector<Block>& blocks, std::size_t budget) {
  const H5Id type = out.type_of(name);
  const std::size_t row_bytes = H5Tget_size(type.get());
  const std::uint64_t window_rows = std::max<std::uint64_t>(1, budget / std::max<std::size_t>(1, row_bytes));
  std::vector<unsigned char> staging, ordered;
  std::vector<Block> window;
  std::uint64_t in_window = 0;
  for (Block b : blocks) {
    while (b.rows > 0) {  // a block that does not fit is split at the window's end
      const std::uint64_t take = std::min(b.rows, window_rows - in_window);
      window.push_back({b.source, b.first, take});
      in_window += take;
      b.first += take;
      b.rows -= take;
      if (in_window == window_rows) {
        copy_window(out, name, type.get(), row_bytes, sources, window, staging, ordered);
        window.clear();
        in_window = 0;
      }
    }
  }
  if (!window.empty()) copy_window(out, name, type.get(), row_bytes, sources, window, staging, ordered);
}

}  // namespace

std::size_t copy_budget() {
  if (const char* v = std::getenv("ATTUNE_COPY_BUDGET")) {
    char* end = nullptr;
    const unsigned long long n = std::strtoull(v, &end, 10);
    if (end != v && *end == '\0' && n > 0) return static_cast<std::size_t>(n);
  }
  return std::size_t{64} << 20;
}

void copy_runs_in_order(SweepFile& out, const std::vector<RunSource>& sources,
                        const std::vector<RunRows>& runs, std::size_t budget) {
  std::vector<Block> infants, summaries;
  for (const RunRows& r : runs) {
    if (r.infants_rows > 0) {
      if (!infants.empty() && infants.back().source == r.source &&
          infants.back().first + infants.back().rows == r.infants_first)
        infants.back().rows += r.infants_rows;  // contiguous with the run before: one block
      else
        infants.push_back({r.source, r.infants_first, r.infants_rows});
    }
    if (r.summary_row >= 0) {
      const auto row = static_cast<std::uint64_t>(r.summary_row);
      if (!summaries.empty() && summaries.back().source == r.source &&
          summaries.back().first + summaries.back().rows == row)
        ++summaries.back().rows;
      else
        summaries.push_back({r.source, row, 1});
    }
  }
  copy_blocks(out, "infants", sources, infants, budget);
  copy_blocks(out, "run_summary", sources, summaries, budget);
}

std::vector<std::int64_t> read_int_member(hid_t file, const std::string& dataset, const std::string& member,
                                          const std::string& path) {
  if (H5Lexists(file, dataset.c_str(), H5P_DEFAULT) <= 0)
    throw InputError(fmt::format("{}: has no dataset {}", path, dataset));
  const H5Id ds = open_uncached(file, dataset, path);
  H5Id space(H5Dget_space(ds.get()), H5Sclose, "space");
  std::vector<std::int64_t> out(static_cast<std::size_t>(H5Sget_simple_extent_npoints(space.get())));
  H5Id mem(H5Tcreate(H5T_COMPOUND, sizeof(std::int64_t)), H5Tclose, "member compound");
  check(H5Tinsert(mem.get(), member.c_str(), 0, H5T_NATIVE_INT64), "insert member");
  // A conversion buffer sized to the column (HDF5's default, 1 MiB zeroed on every read, costs
  // more than reading a part's column).
  H5Id ftype(H5Dget_type(ds.get()), H5Tclose, "type of " + dataset);
  const std::size_t row = H5Tget_size(ftype.get());
  H5Id xfer(H5Pcreate(H5P_DATASET_XFER), H5Pclose, "transfer properties");
  check(H5Pset_buffer(xfer.get(), std::clamp<std::size_t>(out.size() * row, row, std::size_t{1} << 20),
                      nullptr, nullptr),
        "conversion buffer");
  if (!out.empty() && H5Dread(ds.get(), mem.get(), H5S_ALL, H5S_ALL, xfer.get(), out.data()) < 0)
    throw InputError(fmt::format("{}: cannot read column {} of {} (the file is damaged or truncated)", path,
                                 member, dataset));
  return out;
}

}  // namespace attune::sim
