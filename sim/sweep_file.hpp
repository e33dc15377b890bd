// The HDF5 file of a sweep, written by one writer as runs finish.
//
// The file is created complete in structure (design, a /runs row per run, empty growable
// /infants and /run_summary), renamed into place at once, and then written in HDF5's
// single-writer/multiple-reader (SWMR) mode with a flush after every run: whatever kills the
// process, the file on disk stays readable up to the last run it recorded.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "sim/hdf5_file.hpp"
#include "sim/table.hpp"

namespace attune::sim {

class SweepFile {
 public:
  struct Contents {
    std::map<std::string, std::string> text_attributes;
    std::map<std::string, std::uint64_t> number_attributes;
    Table design;   // written once
    Table runs;     // one row per run, rewritten as runs finish
    Table infants;  // column set of /infants (rows are appended)
    Table summary;  // column set of /run_summary (rows are appended)
  };

  // A new file at `path` (InputError if it exists and !force).
  static std::unique_ptr<SweepFile> create(const std::string& path, bool force, const Contents& c);
  // An existing sweep file, opened for writing (for --resume).
  static std::unique_ptr<SweepFile> open(const std::string& path);
  ~SweepFile();

  Table read(const std::string& name) const;
  std::size_t rows(const std::string& name) const;
  // Drops rows past `rows` (rows of runs that were written but not recorded as finished).
  void truncate(const std::string& name, std::size_t rows);
  // Enters SWMR mode; after this, only appends and in-place row writes.
  void start_streaming();
  void append(const std::string& name, const Table& rows);
  void write_row(const std::string& name, std::size_t index, const Table& row);
  // Appends `rows` rows already laid out in memory as `type` (a copy between sweep files).
  void append_bytes(const std::string& name, hid_t type, const void* data, std::size_t rows);
  H5Id type_of(const std::string& name) const;  // the compound type of a table
  hid_t handle() const { return file_.get(); }
  void flush();

 private:
  explicit SweepFile(H5Id file, std::string path);
  hid_t dataset(const std::string& name) const;
  H5Id file_;
  std::string path_;
  mutable std::map<std::string, H5Id> datasets_;
  int lock_fd_ = -1;  // a POSIX write lock on the file while it is being written; released (by the
                      // destructor) after the file is closed
};

}  // namespace attune::sim
