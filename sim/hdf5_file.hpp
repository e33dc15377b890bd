// HDF5 output and input (schema in docs/OUTPUT.md).
//
// A run writes to a temporary file beside the target and renames it into place only when
// complete, so an existing result is never half-overwritten and a failed run leaves nothing.
#pragma once

#include <hdf5.h>

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "sim/table.hpp"

namespace attune::sim {

inline constexpr int kSchemaVersion = 1;

// Owns one HDF5 identifier and closes it with the right function.
class H5Id {
 public:
  H5Id() = default;
  H5Id(hid_t id, herr_t (*close)(hid_t), const std::string& what);
  H5Id(H5Id&& o) noexcept : id_(o.id_), close_(o.close_) { o.id_ = -1; }
  H5Id& operator=(H5Id&& o) noexcept;
  H5Id(const H5Id&) = delete;
  H5Id& operator=(const H5Id&) = delete;
  ~H5Id();
  hid_t get() const { return id_; }

 private:
  hid_t id_ = -1;
  herr_t (*close_)(hid_t) = nullptr;
};

class OutputFile {
 public:
  // Refuses (InputError) when `path` exists and !force, before anything is written.
  OutputFile(const std::string& path, bool force);
  ~OutputFile();  // removes the temporary file unless commit() succeeded
  OutputFile(const OutputFile&) = delete;
  OutputFile& operator=(const OutputFile&) = delete;

  void attribute(const std::string& name, const std::string& value);
  void attribute(const std::string& name, std::uint64_t value);
  void write_table(const std::string& name, const Table& table);

  // Daily series: one float32 dataset /daily/<field> of rows × days, chunked and compressed.
  void create_daily(const std::vector<std::string>& fields, std::size_t rows, int days, int chunk_days);
  // Writes days [day0, day0+ndays) of field f from a rows × stride buffer (row-major).
  void write_daily(std::size_t f, int day0, int ndays, const float* buffer, int stride);

  // The same for rows [row0, row0 + rows) only (one rank's part of a divided run).
  void write_daily_rows(std::size_t f, int day0, int ndays, const float* buffer, int stride, std::size_t row0,
                        std::size_t rows);

  // Reads back days [day0, day0+ndays) of field f into a rows × ndays buffer (for checkpoints).
  void read_daily(std::size_t f, int day0, int ndays, float* buffer);
  // Rows [row0, row0 + rows) only, into a rows × ndays buffer.
  void read_daily_rows(std::size_t f, int day0, int ndays, std::size_t row0, std::size_t rows, float* buffer);
  std::size_t daily_rows(std::size_t f);

  // A table written in parts (a run divided among ranks), stored as write_table stores it: made
  // with its total rows, then rows [first, first + count) at a time, packed as h5::pack packs them.
  void create_table(const std::string& name, const Table& layout, std::size_t rows);
  void write_rows(const std::string& name, const Table& layout, const unsigned char* packed,
                  std::size_t first, std::size_t count);

  // A 2-D float64 dataset (model state in checkpoints), rows × cols, row-major.
  void write_matrix(const std::string& name, const std::vector<double>& data, std::size_t cols);
  // The same made empty, rows × cols, and filled a block of rows at a time (bounded memory).
  void create_matrix(const std::string& name, std::size_t rows, std::size_t cols);
  void write_matrix_rows(const std::string& name, const double* data, std::size_t row0, std::size_t rows);

  void commit();  // flush, close, rename into place

  const std::string& temp_path() const { return temp_; }

 private:
  std::string path_, temp_;
  bool force_;
  bool committed_ = false;
  H5Id file_;
  std::vector<H5Id> daily_;
};

// The output-path rules, for every command that writes (docs/RELIABILITY.md): refuses
// (InputError) a path that is one of `inputs`, a folder, an existing file without `force`, with
// `force` anything but a regular file attune wrote, and a folder that is missing or not writable.
void check_output_path(const std::string& path, bool force, const std::vector<std::string>& inputs = {});

// The hidden name ".NAME.TAG-PID" beside `target`, where a file is written before it is renamed
// into place, so that a failure leaves nothing (or the old file) at `target`.
std::string hidden_beside(const std::string& target, std::string_view tag);

// Such a file, removed when this goes out of scope unless it was renamed onto its target.
class FileBeside {
 public:
  FileBeside(std::string target, std::string_view tag);
  ~FileBeside();
  FileBeside(const FileBeside&) = delete;
  FileBeside& operator=(const FileBeside&) = delete;
  const std::string& path() const { return temp_; }
  void commit();  // renames it onto the target; OutputError when that fails

 private:
  std::string target_, temp_;
  bool done_ = false;
};

// Building blocks shared by the run and sweep writers.
namespace h5 {
void quiet_hdf5();
void check(herr_t status, const std::string& what);
H5Id text_type(std::size_t width);
struct Layout {
  H5Id type;
  std::vector<std::size_t> offsets;
  std::size_t size = 0;
};
void string_attribute(hid_t file, const std::string& name, const std::string& value);  // UTF-8
void number_attribute(hid_t file, const std::string& name, std::uint64_t value);
Layout compound_layout(const Table& table);                            // a compound type for its columns
std::vector<unsigned char> pack(const Table& table, const Layout& l);  // rows in that layout
// Opens for reading, falling back to SWMR reading for a file a sweep is writing or was killed in
// (SweepFile opens sweep files for writing).
H5Id open_file(const std::string& path);
// Rows [first, first + count) of a compound dataset (all rows by default).
Table read_table(hid_t file, const std::string& name, const std::string& path, std::size_t first = 0,
                 std::size_t count = static_cast<std::size_t>(-1));
}  // namespace h5

std::map<std::string, std::string> read_attributes(const std::string& path);
Table read_table(const std::string& path, const std::string& name);
// rows × days of one daily field (float32 widened to double).
std::vector<double> read_daily(const std::string& path, const std::string& field, std::size_t& rows,
                               std::size_t& days);
std::vector<std::string> list_group(const std::string& path, const std::string& group);
// A dataset written by OutputFile::write_matrix; `cols` gets its width.
std::vector<double> read_matrix(const std::string& path, const std::string& name, std::size_t& cols);
// Rows [row0, row0 + count) of such a dataset; `rows` and `cols` get its shape.
std::vector<double> read_matrix_rows(const std::string& path, const std::string& name, std::size_t row0,
                                     std::size_t count, std::size_t& rows, std::size_t& cols);

}  // namespace attune::sim
