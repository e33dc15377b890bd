#include "sim/sweep_file.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <filesystem>

#include "sim/errors.hpp"

namespace attune::sim {
namespace fs = std::filesystem;
using namespace h5;

namespace {

H5Id latest_format_access() {
  H5Id fapl(H5Pcreate(H5P_FILE_ACCESS), H5Pclose, "file access properties");
  check(H5Pset_libver_bounds(fapl.get(), H5F_LIBVER_LATEST, H5F_LIBVER_LATEST), "latest file format");
  return fapl;
}

// A compound dataset of `table`'s columns: fixed size with its rows, or growable and empty.
void create_table(hid_t file, const std::string& name, const Table& table, bool growable,
                  hsize_t chunk_rows) {
  const Layout l = compound_layout(table);
  const hsize_t rows = growable ? 0 : table.rows();
  const hsize_t dims[1] = {rows};
  const hsize_t maxdims[1] = {growable ? H5S_UNLIMITED : rows};
  H5Id space(H5Screate_simple(1, dims, maxdims), H5Sclose, "table space");
  H5Id plist(H5Pcreate(H5P_DATASET_CREATE), H5Pclose, "dataset properties");
  const hsize_t chunk[1] = {
      std::max<hsize_t>(1, growable ? chunk_rows : std::min<hsize_t>(rows, chunk_rows))};
  check(H5Pset_chunk(plist.get(), 1, chunk), "set chunk");
  check(H5Pset_shuffle(plist.get()), "set shuffle");
  check(H5Pset_deflate(plist.get(), 4), "set deflate");
  H5Id ds(H5Dcreate2(file, name.c_str(), l.type.get(), space.get(), H5P_DEFAULT, plist.get(), H5P_DEFAULT),
          H5Dclose, "dataset " + name);
  if (!growable && rows > 0) {
    const auto buf = pack(table, l);
    check(H5Dwrite(ds.get(), l.type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, buf.data()), "write " + name);
  }
}

// Writes `n` rows of `type` from `data` at [first, first + n) of dataset `ds`, growing it if needed.
void write_bytes(hid_t ds, const std::string& name, hsize_t first, hsize_t n, hid_t type, const void* data) {
  if (n == 0) return;
  H5Id fspace(H5Dget_space(ds), H5Sclose, "space");
  hsize_t dims[1];
  H5Sget_simple_extent_dims(fspace.get(), dims, nullptr);
  if (first + n > dims[0]) {
    const hsize_t grown[1] = {first + n};
    check(H5Dset_extent(ds, grown), "grow " + name);
    fspace = H5Id(H5Dget_space(ds), H5Sclose, "space");
  }
  const hsize_t start[1] = {first}, count[1] = {n};
  check(H5Sselect_hyperslab(fspace.get(), H5S_SELECT_SET, start, nullptr, count, nullptr), "select rows");
  H5Id mspace(H5Screate_simple(1, count, nullptr), H5Sclose, "memory space");
  check(H5Dwrite(ds, type, mspace.get(), fspace.get(), H5P_DEFAULT, data), "write " + name);
}

void write_rows(hid_t ds, const std::string& name, hsize_t first, const Table& rows) {
  if (rows.rows() == 0) return;
  const Layout l = compound_layout(rows);
  const auto buf = pack(rows, l);
  write_bytes(ds, name, first, rows.rows(), l.type.get(), buf.data());
}

}  // namespace

SweepFile::SweepFile(H5Id file, std::string path) : file_(std::move(file)), path_(std::move(path)) {}
SweepFile::~SweepFile() {
  datasets_.clear();
  file_ = H5Id();
  if (lock_fd_ >= 0) ::close(lock_fd_);  // releases the lock, after HDF5 has closed the file
}

std::unique_ptr<SweepFile> SweepFile::create(const std::string& path, bool force, const Contents& c) {
  quiet_hdf5();
  check_output_path(path, force);
  const std::string temp = hidden_beside(path, "tmp");
  try {
    const H5Id fapl = latest_format_access();
    H5Id file(H5Fcreate(temp.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, fapl.get()), H5Fclose, temp);
    for (const auto& [k, v] : c.text_attributes) string_attribute(file.get(), k, v);
    for (const auto& [k, v] : c.number_attributes) number_attribute(file.get(), k, v);
    create_table(file.get(), "design", c.design, false, 4096);
    create_table(file.get(), "runs", c.runs, false, 1024);
    create_table(file.get(), "infants", c.infants, true, 2048);
    create_table(file.get(), "run_summary", c.summary, true, 256);
  } catch (...) {
    std::error_code ec;
    fs::remove(temp, ec);
    throw;
  }
  std::error_code ec;
  fs::rename(temp, path, ec);
  if (ec) {
    fs::remove(temp, ec);
    throw OutputError(fmt::format("cannot move {} to {}: {}", temp, path, ec.message()));
  }
  return open(path);
}

std::unique_ptr<SweepFile> SweepFile::open(const std::string& path) {
  quiet_hdf5();
  if (!fs::exists(path)) throw InputError(fmt::format("{}: no such file", path));
  const H5Id fapl = latest_format_access();
  hbool_t clear = 1;  // a killed writer leaves SWMR status flags set (as h5clear -s clears them)
  check(H5Pset(fapl.get(), "clear_status_flags", &clear), "clear status flags");
  // Another attune writing this file holds a POSIX lock on it; clearing the status flags under a
  // live writer would let two processes write one file.
  const int lock_fd = ::open(path.c_str(), O_RDWR);
  struct flock lock {};
  lock.l_type = F_WRLCK;
  lock.l_whence = SEEK_SET;
  if (lock_fd < 0 || fcntl(lock_fd, F_SETLK, &lock) != 0) {
    if (lock_fd >= 0) ::close(lock_fd);
    throw InputError(fmt::format(
        "{}: in use: another process is writing it (or it cannot be locked); wait for it to end", path));
  }
  const hid_t f = H5Fopen(path.c_str(), H5F_ACC_RDWR, fapl.get());
  if (f < 0) {
    ::close(lock_fd);
    throw InputError(fmt::format("{}: cannot open it for writing (not a sweep file?)", path));
  }
  auto file = std::unique_ptr<SweepFile>(new SweepFile(H5Id(f, H5Fclose, path), path));
  file->lock_fd_ = lock_fd;
  return file;
}

Table SweepFile::read(const std::string& name) const { return h5::read_table(file_.get(), name, path_); }

// Datasets stay open: closing one drops its chunk cache, and re-reading, re-compressing and
// re-writing a partly filled chunk on every append would cost more than a small run.
hid_t SweepFile::dataset(const std::string& name) const {
  auto it = datasets_.find(name);
  if (it == datasets_.end())
    it =
        datasets_.emplace(name, H5Id(H5Dopen2(file_.get(), name.c_str(), H5P_DEFAULT), H5Dclose, name)).first;
  return it->second.get();
}

std::size_t SweepFile::rows(const std::string& name) const {
  H5Id space(H5Dget_space(dataset(name)), H5Sclose, "space");
  return static_cast<std::size_t>(H5Sget_simple_extent_npoints(space.get()));
}

void SweepFile::truncate(const std::string& name, std::size_t rows) {
  const hsize_t dims[1] = {rows};
  check(H5Dset_extent(dataset(name), dims), "truncate " + name);
}

void SweepFile::start_streaming() { check(H5Fstart_swmr_write(file_.get()), "start SWMR writing"); }

void SweepFile::append(const std::string& name, const Table& rows) {
  write_rows(dataset(name), name, this->rows(name), rows);
}

void SweepFile::write_row(const std::string& name, std::size_t index, const Table& row) {
  write_rows(dataset(name), name, index, row);
}

void SweepFile::append_bytes(const std::string& name, hid_t type, const void* data, std::size_t rows) {
  write_bytes(dataset(name), name, this->rows(name), rows, type, data);
}

H5Id SweepFile::type_of(const std::string& name) const {
  return H5Id(H5Dget_type(dataset(name)), H5Tclose, "type of " + name);
}

void SweepFile::flush() { check(H5Fflush(file_.get(), H5F_SCOPE_GLOBAL), "flush"); }

}  // namespace attune::sim
