#include "sim/hdf5_file.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <limits>

#include "sim/errors.hpp"

namespace attune::sim {
namespace fs = std::filesystem;

namespace {
std::string valid_utf8(const std::string& s);
}  // namespace

namespace h5 {

// HDF5 prints its own error stack by default; attune reports errors itself.
void quiet_hdf5() {
  static const bool done = [] {
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
    return true;
  }();
  (void)done;
}

void check(herr_t status, const std::string& what) {
  if (status >= 0) {
    errno = 0;  // so that a failure's errno is that failure's (HDF5 keeps the system's reason there)
    return;
  }
  const int reason = errno;
  throw OutputError("HDF5: " + what + " failed" + (reason ? std::string(": ") + std::strerror(reason) : ""));
}

H5Id text_type(std::size_t width) {
  H5Id t(H5Tcopy(H5T_C_S1), H5Tclose, "string type");
  check(H5Tset_size(t.get(), width), "set string size");
  check(H5Tset_strpad(t.get(), H5T_STR_NULLPAD), "set string padding");
  return t;
}

Layout compound_layout(const Table& table) {
  Layout l;
  for (const Column& c : table.columns) {
    l.offsets.push_back(l.size);
    l.size += c.kind == Column::text ? c.text_width : 8;
  }
  l.type = H5Id(H5Tcreate(H5T_COMPOUND, l.size), H5Tclose, "compound type");
  for (std::size_t i = 0; i < table.columns.size(); ++i) {
    const Column& c = table.columns[i];
    if (c.kind == Column::text) {
      const H5Id t = text_type(c.text_width);
      check(H5Tinsert(l.type.get(), c.name.c_str(), l.offsets[i], t.get()), "insert " + c.name);
    } else {
      check(H5Tinsert(l.type.get(), c.name.c_str(), l.offsets[i],
                      c.kind == Column::int64 ? H5T_NATIVE_INT64 : H5T_NATIVE_DOUBLE),
            "insert " + c.name);
    }
  }
  return l;
}

std::vector<unsigned char> pack(const Table& table, const Layout& l) {
  const std::size_t rows = table.rows();
  std::vector<unsigned char> buf(rows * l.size, 0);
  for (std::size_t c = 0; c < table.columns.size(); ++c) {
    const Column& col = table.columns[c];
    for (std::size_t r = 0; r < rows; ++r) {
      unsigned char* cell = buf.data() + r * l.size + l.offsets[c];
      if (col.kind == Column::int64)
        std::memcpy(cell, &col.ints[r], 8);
      else if (col.kind == Column::float64)
        std::memcpy(cell, &col.reals[r], 8);
      else  // fixed-length, NUL-padded HDF5 text: no terminator when the text fills the cell
        std::copy_n(col.texts[r].data(), std::min(col.texts[r].size(), col.text_width), cell);
    }
  }
  return buf;
}

H5Id open_file(const std::string& path) {
  quiet_hdf5();
  if (!fs::exists(path)) throw InputError(fmt::format("{}: no such file", path));
  hid_t f = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  // A sweep still running, or killed, is readable as a single-writer/multiple-reader file.
  if (f < 0) f = H5Fopen(path.c_str(), H5F_ACC_RDONLY | H5F_ACC_SWMR_READ, H5P_DEFAULT);
  if (f < 0) throw InputError(fmt::format("{}: not an HDF5 file (or unreadable)", path));
  return H5Id(f, H5Fclose, path);
}

void string_attribute(hid_t file, const std::string& name, const std::string& value) {
  H5Id type(H5Tcopy(H5T_C_S1), H5Tclose, "string type");
  check(H5Tset_size(type.get(), H5T_VARIABLE), "variable string");
  check(H5Tset_cset(type.get(), H5T_CSET_UTF8), "utf-8 string");
  H5Id space(H5Screate(H5S_SCALAR), H5Sclose, "scalar space");
  H5Id attr(H5Acreate2(file, name.c_str(), type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT), H5Aclose,
            "attribute " + name);
  const std::string text = valid_utf8(value);
  const char* data = text.c_str();
  check(H5Awrite(attr.get(), type.get(), &data), "write attribute " + name);
}

void number_attribute(hid_t file, const std::string& name, std::uint64_t value) {
  H5Id space(H5Screate(H5S_SCALAR), H5Sclose, "scalar space");
  H5Id attr(H5Acreate2(file, name.c_str(), H5T_STD_U64LE, space.get(), H5P_DEFAULT, H5P_DEFAULT), H5Aclose,
            "attribute " + name);
  check(H5Awrite(attr.get(), H5T_NATIVE_UINT64, &value), "write attribute " + name);
}

}  // namespace h5

using namespace h5;

namespace {

// Elements of a rows × cols dataset of `bytes`-byte values, refused (InputError) when the file
// declares more than this machine's memory could hold (a damaged or hostile header).
std::size_t checked_elements(const std::string& path, const std::string& name, hsize_t rows, hsize_t cols,
                             std::size_t bytes) {
  const long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGE_SIZE);
  const double memory = pages > 0 && page > 0 ? static_cast<double>(pages) * static_cast<double>(page) : 1e18;
  const double need = static_cast<double>(rows) * static_cast<double>(cols) * static_cast<double>(bytes);
  if (need > memory)
    throw InputError(
        fmt::format("{}: {} declares {} × {} values ({:.3g} bytes), more than this machine's memory; "
                    "the file is damaged or not attune's",
                    path, name, rows, cols, need));
  return static_cast<std::size_t>(rows * cols);
}

}  // namespace

// The readers without the translation of HDF5 failures (below).
std::map<std::string, std::string> read_attributes_of(const std::string& path);
Table read_table_of(hid_t file_id, const std::string& name, const std::string& path, std::size_t first,
                    std::size_t count);

H5Id::H5Id(hid_t id, herr_t (*close)(hid_t), const std::string& what) : id_(id), close_(close) {
  if (id < 0) throw OutputError("HDF5: cannot create or open " + what);
}

H5Id& H5Id::operator=(H5Id&& o) noexcept {
  if (this != &o) {
    if (id_ >= 0 && close_) close_(id_);
    id_ = o.id_;
    close_ = o.close_;
    o.id_ = -1;
  }
  return *this;
}

H5Id::~H5Id() {
  if (id_ >= 0 && close_) close_(id_);
}

namespace {

// A file attune wrote: HDF5 with a schema_version (results) or state_version (states) attribute.
bool written_by_attune(const std::string& path) {
  if (H5Fis_hdf5(path.c_str()) <= 0) return false;
  try {
    const auto attrs = read_attributes(path);
    return attrs.count("schema_version") || attrs.count("state_version");
  } catch (const Error&) {
    return false;
  }
}

// Invalid UTF-8 bytes replaced by U+FFFD, so that a UTF-8 attribute always holds UTF-8.
std::string valid_utf8(const std::string& s) {
  std::string out;
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    const std::size_t n = c < 0x80                        ? 1
                          : (c >> 5) == 0x6 && c >= 0xC2  ? 2
                          : (c >> 4) == 0xE               ? 3
                          : (c >> 3) == 0x1E && c <= 0xF4 ? 4
                                                          : 0;
    bool ok = n > 0 && i + n <= s.size();
    for (std::size_t k = 1; ok && k < n; ++k) ok = (static_cast<unsigned char>(s[i + k]) & 0xC0) == 0x80;
    if (ok && n >= 3) {
      const auto c1 = static_cast<unsigned char>(s[i + 1]);
      ok = !((c == 0xE0 && c1 < 0xA0) || (c == 0xED && c1 >= 0xA0) || (c == 0xF0 && c1 < 0x90) ||
             (c == 0xF4 && c1 >= 0x90));
    }
    if (ok) {
      out.append(s, i, n);
      i += n;
    } else {
      out += "\xEF\xBF\xBD";
      ++i;
    }
  }
  return out;
}

}  // namespace

void check_output_path(const std::string& path, bool force, const std::vector<std::string>& inputs) {
  if (path.empty()) throw InputError("the output path is empty");
  std::error_code ec;
  const fs::file_status st = fs::symlink_status(path, ec);
  for (const std::string& in : inputs)
    if (fs::exists(st) && fs::equivalent(path, in, ec))
      throw InputError(fmt::format("{}: is also an input ({}); write the output elsewhere", path, in));
  if (fs::is_directory(fs::status(path, ec)))
    throw InputError(fmt::format("{}: is a folder, not a file", path));
  if (fs::exists(st) && !force)
    throw InputError(fmt::format("{}: already exists; use --force to overwrite it", path));
  // --force replaces only what attune wrote: never a scenario, a device, a link or another program's file.
  if (fs::exists(st) && !fs::is_regular_file(st))
    throw InputError(
        fmt::format("{}: is not a regular file (a link, device or pipe); attune replaces only "
                    "files it wrote",
                    path));
  if (fs::exists(st) && !written_by_attune(path))
    throw InputError(fmt::format(
        "{}: is not an attune result or state file; --force replaces only files attune wrote", path));
  const fs::path dir = fs::path(path).parent_path();
  if (!dir.empty() && !fs::is_directory(dir))
    throw InputError(fmt::format("{}: the folder {} does not exist", path, dir.string()));
  const std::string folder = dir.empty() ? "." : dir.string();
  if (::access(folder.c_str(), W_OK | X_OK) != 0)
    throw InputError(
        fmt::format("{}: cannot write in the folder {}: {}", path, folder, std::strerror(errno)));
}

std::string hidden_beside(const std::string& target, std::string_view tag) {
  const fs::path p(target);
  return (p.parent_path() / fmt::format(".{}.{}-{}", p.filename().string(), tag, getpid())).string();
}

FileBeside::FileBeside(std::string target, std::string_view tag)
    : target_(std::move(target)), temp_(hidden_beside(target_, tag)) {}

FileBeside::~FileBeside() {
  std::error_code ec;
  if (!done_) fs::remove(temp_, ec);
}

void FileBeside::commit() {
  std::error_code ec;
  fs::rename(temp_, target_, ec);
  if (ec) throw OutputError(fmt::format("cannot move {} to {}: {}", temp_, target_, ec.message()));
  done_ = true;
}

OutputFile::OutputFile(const std::string& path, bool force) : path_(path), force_(force) {
  quiet_hdf5();
  check_output_path(path, force);
  temp_ = hidden_beside(path, "tmp");
  errno = 0;
  const hid_t f = H5Fcreate(temp_.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  if (f < 0)
    throw OutputError(
        fmt::format("{}: cannot create {}: {}", path, temp_, errno ? std::strerror(errno) : "HDF5 refused"));
  file_ = H5Id(f, H5Fclose, temp_);
}

OutputFile::~OutputFile() {
  if (!committed_) {
    daily_.clear();
    file_ = H5Id();
    std::error_code ec;
    fs::remove(temp_, ec);
  }
}

void OutputFile::attribute(const std::string& name, const std::string& value) {
  string_attribute(file_.get(), name, value);
}

void OutputFile::attribute(const std::string& name, std::uint64_t value) {
  number_attribute(file_.get(), name, value);
}

void OutputFile::write_table(const std::string& name, const Table& table) {
  const Layout l = compound_layout(table);
  const std::size_t rows = table.rows();
  create_table(name, table, rows);
  if (rows > 0) write_rows(name, table, pack(table, l).data(), 0, rows);
}

void OutputFile::create_table(const std::string& name, const Table& layout, std::size_t rows) {
  const Layout l = compound_layout(layout);
  const hsize_t dims[1] = {rows};
  H5Id space(H5Screate_simple(1, dims, nullptr), H5Sclose, "table space");
  H5Id plist(H5Pcreate(H5P_DATASET_CREATE), H5Pclose, "dataset properties");
  if (rows > 0) {
    const hsize_t chunk[1] = {std::min<hsize_t>(rows, 4096)};
    check(H5Pset_chunk(plist.get(), 1, chunk), "set chunk");
    check(H5Pset_shuffle(plist.get()), "set shuffle");
    check(H5Pset_deflate(plist.get(), 4), "set deflate");
  }
  H5Id lcpl(H5Pcreate(H5P_LINK_CREATE), H5Pclose, "link properties");
  check(H5Pset_create_intermediate_group(lcpl.get(), 1), "intermediate groups");  // e.g. "trace/steps"
  H5Id ds(
      H5Dcreate2(file_.get(), name.c_str(), l.type.get(), space.get(), lcpl.get(), plist.get(), H5P_DEFAULT),
      H5Dclose, "dataset " + name);
}

void OutputFile::write_rows(const std::string& name, const Table& layout, const unsigned char* packed,
                            std::size_t first, std::size_t count) {
  if (count == 0) return;
  const Layout l = compound_layout(layout);
  H5Id ds(H5Dopen2(file_.get(), name.c_str(), H5P_DEFAULT), H5Dclose, "dataset " + name);
  H5Id fspace(H5Dget_space(ds.get()), H5Sclose, "table space");
  const hsize_t start[1] = {first}, n[1] = {count};
  check(H5Sselect_hyperslab(fspace.get(), H5S_SELECT_SET, start, nullptr, n, nullptr), "select rows");
  H5Id mspace(H5Screate_simple(1, n, nullptr), H5Sclose, "rows space");
  check(H5Dwrite(ds.get(), l.type.get(), mspace.get(), fspace.get(), H5P_DEFAULT, packed), "write " + name);
}

void OutputFile::create_daily(const std::vector<std::string>& fields, std::size_t rows, int days,
                              int chunk_days) {
  if (fields.empty()) return;
  H5Id group(H5Gcreate2(file_.get(), "daily", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), H5Gclose,
             "group /daily");
  const hsize_t dims[2] = {rows, static_cast<hsize_t>(days)};
  H5Id space(H5Screate_simple(2, dims, nullptr), H5Sclose, "daily space");
  H5Id plist(H5Pcreate(H5P_DATASET_CREATE), H5Pclose, "dataset properties");
  const hsize_t chunk[2] = {std::min<hsize_t>(rows, 1024),
                            std::min<hsize_t>(static_cast<hsize_t>(days), static_cast<hsize_t>(chunk_days))};
  check(H5Pset_chunk(plist.get(), 2, chunk), "set chunk");
  check(H5Pset_shuffle(plist.get()), "set shuffle");
  check(H5Pset_deflate(plist.get(), 4), "set deflate");
  for (const std::string& f : fields)
    daily_.emplace_back(H5Dcreate2(group.get(), f.c_str(), H5T_IEEE_F32LE, space.get(), H5P_DEFAULT,
                                   plist.get(), H5P_DEFAULT),
                        H5Dclose, "dataset /daily/" + f);
}

void OutputFile::write_daily(std::size_t f, int day0, int ndays, const float* buffer, int stride) {
  H5Id fspace(H5Dget_space(daily_.at(f).get()), H5Sclose, "daily file space");
  hsize_t dims[2];
  H5Sget_simple_extent_dims(fspace.get(), dims, nullptr);
  write_daily_rows(f, day0, ndays, buffer, stride, 0, dims[0]);
}

void OutputFile::write_daily_rows(std::size_t f, int day0, int ndays, const float* buffer, int stride,
                                  std::size_t row0, std::size_t rows) {
  const hid_t ds = daily_.at(f).get();
  H5Id fspace(H5Dget_space(ds), H5Sclose, "daily file space");
  if (rows == 0) return;
  const hsize_t start[2] = {row0, static_cast<hsize_t>(day0)};
  const hsize_t count[2] = {rows, static_cast<hsize_t>(ndays)};
  check(H5Sselect_hyperslab(fspace.get(), H5S_SELECT_SET, start, nullptr, count, nullptr), "select days");
  const hsize_t mdims[2] = {rows, static_cast<hsize_t>(stride)};
  H5Id mspace(H5Screate_simple(2, mdims, nullptr), H5Sclose, "daily memory space");
  const hsize_t mstart[2] = {0, 0};
  check(H5Sselect_hyperslab(mspace.get(), H5S_SELECT_SET, mstart, nullptr, count, nullptr), "select buffer");
  check(H5Dwrite(ds, H5T_NATIVE_FLOAT, mspace.get(), fspace.get(), H5P_DEFAULT, buffer),
        "write daily series");
}

void OutputFile::read_daily(std::size_t f, int day0, int ndays, float* buffer) {
  read_daily_rows(f, day0, ndays, 0, daily_rows(f), buffer);
}

std::size_t OutputFile::daily_rows(std::size_t f) {
  H5Id fspace(H5Dget_space(daily_.at(f).get()), H5Sclose, "daily file space");
  hsize_t dims[2];
  H5Sget_simple_extent_dims(fspace.get(), dims, nullptr);
  return dims[0];
}

void OutputFile::read_daily_rows(std::size_t f, int day0, int ndays, std::size_t row0, std::size_t rows,
                                 float* buffer) {
  const hid_t ds = daily_.at(f).get();
  H5Id fspace(H5Dget_space(ds), H5Sclose, "daily file space");
  const hsize_t start[2] = {row0, static_cast<hsize_t>(day0)};
  const hsize_t count[2] = {rows, static_cast<hsize_t>(ndays)};
  if (rows == 0 || ndays == 0) return;
  check(H5Sselect_hyperslab(fspace.get(), H5S_SELECT_SET, start, nullptr, count, nullptr), "select days");
  H5Id mspace(H5Screate_simple(2, count, nullptr), H5Sclose, "daily memory space");
  check(H5Dread(ds, H5T_NATIVE_FLOAT, mspace.get(), fspace.get(), H5P_DEFAULT, buffer), "read daily series");
}

void OutputFile::write_matrix(const std::string& name, const std::vector<double>& data, std::size_t cols) {
  const std::size_t rows = cols ? data.size() / cols : 0;
  create_matrix(name, rows, cols);
  write_matrix_rows(name, data.data(), 0, rows);
}

void OutputFile::create_matrix(const std::string& name, std::size_t rows, std::size_t cols) {
  const hsize_t dims[2] = {rows, cols};
  H5Id space(H5Screate_simple(2, dims, nullptr), H5Sclose, "matrix space");
  H5Id lcpl(H5Pcreate(H5P_LINK_CREATE), H5Pclose, "link properties");
  check(H5Pset_create_intermediate_group(lcpl.get(), 1), "intermediate groups");
  H5Id ds(H5Dcreate2(file_.get(), name.c_str(), H5T_IEEE_F64LE, space.get(), lcpl.get(), H5P_DEFAULT,
                     H5P_DEFAULT),
          H5Dclose, "dataset " + name);
}

void OutputFile::write_matrix_rows(const std::string& name, const double* data, std::size_t row0,
                                   std::size_t rows) {
  if (rows == 0) return;
  H5Id ds(H5Dopen2(file_.get(), name.c_str(), H5P_DEFAULT), H5Dclose, "dataset " + name);
  H5Id fspace(H5Dget_space(ds.get()), H5Sclose, "matrix space");
  hsize_t dims[2];
  H5Sget_simple_extent_dims(fspace.get(), dims, nullptr);
  const hsize_t start[2] = {row0, 0}, count[2] = {rows, dims[1]};
  check(H5Sselect_hyperslab(fspace.get(), H5S_SELECT_SET, start, nullptr, count, nullptr), "select rows");
  H5Id mspace(H5Screate_simple(2, count, nullptr), H5Sclose, "rows space");
  check(H5Dwrite(ds.get(), H5T_NATIVE_DOUBLE, mspace.get(), fspace.get(), H5P_DEFAULT, data),
        "write " + name);
}

void OutputFile::commit() {
  daily_.clear();
  check(H5Fflush(file_.get(), H5F_SCOPE_GLOBAL), "flush");
  file_ = H5Id();
  if (!force_ && fs::exists(path_))
    throw InputError(fmt::format("{}: appeared while running; use --force to overwrite it", path_));
  std::error_code ec;
  fs::rename(temp_, path_, ec);
  if (ec) throw OutputError(fmt::format("cannot move {} to {}: {}", temp_, path_, ec.message()));
  committed_ = true;
}

namespace {

// Reading a file attune did not write, or one that was damaged: HDF5's failures become input
// errors that name the file.
template <class Read>
auto reading(const std::string& path, Read&& read) {
  try {
    return read();
  } catch (const OutputError& e) {
    throw InputError(fmt::format("{}: {} (the file is damaged or truncated)", path, e.what()));
  }
}

}  // namespace

std::map<std::string, std::string> read_attributes(const std::string& path) {
  return reading(path, [&] { return read_attributes_of(path); });
}

std::map<std::string, std::string> read_attributes_of(const std::string& path) {
  const H5Id file = open_file(path);
  std::map<std::string, std::string> out;
  H5Id root(H5Gopen2(file.get(), "/", H5P_DEFAULT), H5Gclose, "root group");
  H5O_info_t oinfo;
  check(H5Oget_info2(root.get(), &oinfo, H5O_INFO_NUM_ATTRS), "object info");
  for (hsize_t i = 0; i < oinfo.num_attrs; ++i) {
    H5Id attr(H5Aopen_by_idx(root.get(), ".", H5_INDEX_NAME, H5_ITER_INC, i, H5P_DEFAULT, H5P_DEFAULT),
              H5Aclose, "attribute");
    char name[256] = {};
    H5Aget_name(attr.get(), sizeof name, name);
    H5Id type(H5Aget_type(attr.get()), H5Tclose, "attribute type");
    if (H5Tget_class(type.get()) == H5T_STRING) {
      if (H5Tis_variable_str(type.get()) > 0) {
        char* data = nullptr;
        H5Id mem(H5Tcopy(H5T_C_S1), H5Tclose, "string type");
        H5Tset_size(mem.get(), H5T_VARIABLE);
        H5Tset_cset(mem.get(), H5Tget_cset(type.get()));
        check(H5Aread(attr.get(), mem.get(), &data), "read attribute");
        out[name] = data ? data : "";
        H5free_memory(data);
      } else {
        std::string s(H5Tget_size(type.get()), '\0');
        check(H5Aread(attr.get(), type.get(), s.data()), "read attribute");
        out[name] = s.c_str();
      }
    } else if (H5Tget_class(type.get()) == H5T_INTEGER) {
      std::uint64_t v = 0;
      check(H5Aread(attr.get(), H5T_NATIVE_UINT64, &v), "read attribute");
      out[name] = std::to_string(v);
    }
  }
  return out;
}

Table read_table(const std::string& path, const std::string& name) {
  const H5Id file = open_file(path);
  return h5::read_table(file.get(), name, path);
}

Table h5::read_table(hid_t file_id, const std::string& name, const std::string& path, std::size_t first,
                     std::size_t count) {
  return reading(path, [&] { return read_table_of(file_id, name, path, first, count); });
}

Table read_table_of(hid_t file_id, const std::string& name, const std::string& path, std::size_t first,
                    std::size_t count) {
  if (H5Lexists(file_id, name.c_str(), H5P_DEFAULT) <= 0)
    throw InputError(fmt::format("{}: has no dataset {}", path, name));
  H5Id ds(H5Dopen2(file_id, name.c_str(), H5P_DEFAULT), H5Dclose, name);
  H5Id ftype(H5Dget_type(ds.get()), H5Tclose, "table type");
  if (H5Tget_class(ftype.get()) != H5T_COMPOUND)
    throw InputError(fmt::format("{}: {} is not a table", path, name));
  H5Id space(H5Dget_space(ds.get()), H5Sclose, "table space");
  const auto total = static_cast<std::size_t>(H5Sget_simple_extent_npoints(space.get()));
  const std::size_t rows = first >= total ? 0 : std::min(count, total - first);
  const hsize_t start[1] = {first}, n[1] = {rows};
  if (rows > 0)
    check(H5Sselect_hyperslab(space.get(), H5S_SELECT_SET, start, nullptr, n, nullptr), "select rows");
  H5Id mspace(H5Screate_simple(1, n, nullptr), H5Sclose, "memory space");
  // A conversion buffer sized to the rows read: HDF5's default (1 MiB, zeroed with its background
  // buffer on every read of a member) costs more than reading a small table.
  const std::size_t row = H5Tget_size(ftype.get());
  H5Id xfer(H5Pcreate(H5P_DATASET_XFER), H5Pclose, "transfer properties");
  check(H5Pset_buffer(xfer.get(), std::clamp<std::size_t>(rows * row, row, std::size_t{1} << 20), nullptr,
                      nullptr),
        "conversion buffer");
  Table t;
  const int members = H5Tget_nmembers(ftype.get());
  for (int m = 0; m < members; ++m) {
    char* cname = H5Tget_member_name(ftype.get(), static_cast<unsigned>(m));
    const std::string cn = cname;
    H5free_memory(cname);
    const H5T_class_t cls = H5Tget_member_class(ftype.get(), static_cast<unsigned>(m));
    H5Id mtype(H5Tget_member_type(ftype.get(), static_cast<unsigned>(m)), H5Tclose, "member type");
    Column::Kind kind = cls == H5T_INTEGER ? Column::int64
                        : cls == H5T_FLOAT ? Column::float64
                                           : Column::text;
    const std::size_t width = kind == Column::text ? H5Tget_size(mtype.get()) : 8;
    Column& col = t.add(cn, kind, width);
    // Read this member alone through a one-member memory compound.
    H5Id mem(H5Tcreate(H5T_COMPOUND, width), H5Tclose, "member compound");
    if (kind == Column::text) {
      const H5Id tt = text_type(width);
      check(H5Tinsert(mem.get(), cn.c_str(), 0, tt.get()), "insert member");
    } else {
      check(H5Tinsert(mem.get(), cn.c_str(), 0, kind == Column::int64 ? H5T_NATIVE_INT64 : H5T_NATIVE_DOUBLE),
            "insert member");
    }
    std::vector<unsigned char> buf(checked_elements(path, name, rows, width, 1));
    if (rows > 0)
      if (H5Dread(ds.get(), mem.get(), mspace.get(), space.get(), xfer.get(), buf.data()) < 0)
        throw InputError(fmt::format("{}: cannot read column {} of {} (the file is damaged or truncated)",
                                     path, cn, name));
    for (std::size_t r = 0; r < rows; ++r) {
      const unsigned char* cell = buf.data() + r * width;
      if (kind == Column::int64)
        col.ints.push_back(*reinterpret_cast<const std::int64_t*>(cell));
      else if (kind == Column::float64)
        col.reals.push_back(*reinterpret_cast<const double*>(cell));
      else
        col.texts.emplace_back(reinterpret_cast<const char*>(cell),
                               strnlen(reinterpret_cast<const char*>(cell), width));
    }
  }
  return t;
}

std::vector<double> read_daily(const std::string& path, const std::string& field, std::size_t& rows,
                               std::size_t& days) {
  const H5Id file = open_file(path);
  const std::string name = "/daily/" + field;
  if (H5Lexists(file.get(), "daily", H5P_DEFAULT) <= 0 ||
      H5Lexists(file.get(), name.c_str(), H5P_DEFAULT) <= 0)
    throw InputError(fmt::format("{}: has no daily series {}", path, field));
  H5Id ds(H5Dopen2(file.get(), name.c_str(), H5P_DEFAULT), H5Dclose, name);
  H5Id space(H5Dget_space(ds.get()), H5Sclose, "daily space");
  if (H5Sget_simple_extent_ndims(space.get()) != 2)  // before reading the dimensions into dims[2]
    throw InputError(fmt::format("{}: {} is not a rows × days table", path, name));
  hsize_t dims[2];
  H5Sget_simple_extent_dims(space.get(), dims, nullptr);
  std::vector<double> out(checked_elements(path, name, dims[0], dims[1], sizeof(double)));
  rows = dims[0];
  days = dims[1];
  if (!out.empty())
    check(H5Dread(ds.get(), H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, out.data()), "read " + name);
  return out;
}

std::vector<double> read_matrix_rows(const std::string& path, const std::string& name, std::size_t row0,
                                     std::size_t count, std::size_t& rows, std::size_t& cols) {
  const H5Id file = open_file(path);
  if (H5Lexists(file.get(), name.c_str(), H5P_DEFAULT) <= 0)
    throw InputError(fmt::format("{}: has no dataset {}", path, name));
  H5Id ds(H5Dopen2(file.get(), name.c_str(), H5P_DEFAULT), H5Dclose, name);
  H5Id space(H5Dget_space(ds.get()), H5Sclose, "matrix space");
  if (H5Sget_simple_extent_ndims(space.get()) != 2)
    throw InputError(fmt::format("{}: {} is not a matrix", path, name));
  hsize_t dims[2];
  H5Sget_simple_extent_dims(space.get(), dims, nullptr);
  rows = dims[0];
  cols = dims[1];
  const std::size_t n = row0 >= rows ? 0 : std::min(count, rows - row0);
  std::vector<double> out(checked_elements(path, name, n, dims[1], sizeof(double)));
  if (out.empty()) return out;
  const hsize_t start[2] = {row0, 0}, block[2] = {n, dims[1]};
  check(H5Sselect_hyperslab(space.get(), H5S_SELECT_SET, start, nullptr, block, nullptr), "select rows");
  H5Id mspace(H5Screate_simple(2, block, nullptr), H5Sclose, "rows space");
  if (H5Dread(ds.get(), H5T_NATIVE_DOUBLE, mspace.get(), space.get(), H5P_DEFAULT, out.data()) < 0)
    throw InputError(fmt::format("{}: cannot read {} (the file is damaged or truncated)", path, name));
  return out;
}

std::vector<double> read_matrix(const std::string& path, const std::string& name, std::size_t& cols) {
  std::size_t rows = 0;
  return read_matrix_rows(path, name, 0, std::numeric_limits<std::size_t>::max(), rows, cols);
}

std::vector<std::string> list_group(const std::string& path, const std::string& group) {
  const H5Id file = open_file(path);
  std::vector<std::string> out;
  if (H5Lexists(file.get(), group.c_str(), H5P_DEFAULT) <= 0) return out;
  H5Id g(H5Gopen2(file.get(), group.c_str(), H5P_DEFAULT), H5Gclose, group);
  H5G_info_t info;
  check(H5Gget_info(g.get(), &info), "group info");
  for (hsize_t i = 0; i < info.nlinks; ++i) {
    char name[256] = {};
    H5Lget_name_by_idx(g.get(), ".", H5_INDEX_NAME, H5_ITER_INC, i, name, sizeof name, H5P_DEFAULT);
    out.emplace_back(name);
  }
  return out;
}

}  // namespace attune::sim
