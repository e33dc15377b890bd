// HDF5 output and input (sim/hdf5_file.hpp): tables and attributes round trip; a file appears
// only on commit, by renaming a temporary file that never outlives its OutputFile.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

#include "sim/errors.hpp"
#include "sim/hdf5_file.hpp"
#include "support/paths.hpp"

namespace attune::test {
namespace {

namespace fs = std::filesystem;

sim::Table sample_table() {
  sim::Table t;
  auto& id = t.add("id", sim::Column::int64);
  auto& value = t.add("value", sim::Column::float64);
  auto& letter = t.add("letter", sim::Column::text, 1);
  auto& label = t.add("label", sim::Column::text, 8);
  id.ints = {0, -7, std::numeric_limits<std::int64_t>::max(), std::numeric_limits<std::int64_t>::min()};
  value.reals = {0.1, -0.0, std::numeric_limits<double>::infinity(),
                 std::numeric_limits<double>::denorm_min()};
  letter.texts = {"B", "A", "C", "D"};
  label.texts = {"", "ordinary", "x", "stressed"};  // empty, full width, short
  return t;
}

bool same_bits(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }

TEST(OutputFile, TablesRoundTripColumnsKindsAndValues) {
  TempDir dir;
  const auto path = (dir / "t.h5").string();
  const sim::Table t = sample_table();
  {
    sim::OutputFile out(path, false);
    out.write_table("infants", t);
    out.commit();
  }
  const sim::Table back = sim::read_table(path, "infants");
  ASSERT_EQ(back.columns.size(), 4u);
  ASSERT_EQ(back.rows(), 4u);
  for (std::size_t c = 0; c < 4; ++c) {
    EXPECT_EQ(back.columns[c].name, t.columns[c].name);
    EXPECT_EQ(back.columns[c].kind, t.columns[c].kind);
  }
  EXPECT_EQ(back.find("id")->ints, t.find("id")->ints);
  for (std::size_t r = 0; r < 4; ++r)
    EXPECT_TRUE(same_bits(back.find("value")->reals[r], t.find("value")->reals[r])) << r;
  EXPECT_EQ(back.find("letter")->texts, t.find("letter")->texts);
  EXPECT_EQ(back.find("letter")->text_width, 1u);
  EXPECT_EQ(back.find("label")->texts, t.find("label")->texts);
  EXPECT_EQ(back.find("label")->text_width, 8u);
}

TEST(OutputFile, NaNSurvives) {
  TempDir dir;
  const auto path = (dir / "nan.h5").string();
  sim::Table t;
  t.add("x", sim::Column::float64).reals = {std::nan("")};
  {
    sim::OutputFile out(path, false);
    out.write_table("t", t);
    out.commit();
  }
  EXPECT_TRUE(std::isnan(sim::read_table(path, "t").find("x")->reals.at(0)));
}

TEST(OutputFile, EmptyTableRoundTrips) {
  TempDir dir;
  const auto path = (dir / "empty.h5").string();
  sim::Table t;
  t.add("id", sim::Column::int64);
  t.add("class", sim::Column::text, 1);
  {
    sim::OutputFile out(path, false);
    out.write_table("infants", t);
    out.commit();
  }
  const sim::Table back = sim::read_table(path, "infants");
  EXPECT_EQ(back.columns.size(), 2u);
  EXPECT_EQ(back.rows(), 0u);
}

TEST(OutputFile, AttributesRoundTrip) {
  TempDir dir;
  const auto path = (dir / "a.h5").string();
  const std::string yaml = "name: x\ndescription: |\n  Ünïcode θ and\n  two lines\n";
  {
    sim::OutputFile out(path, false);
    out.attribute("scenario", yaml);
    out.attribute("empty", std::string());
    out.attribute("seed", std::numeric_limits<std::uint64_t>::max());
    out.attribute("schema_version", std::uint64_t{1});
    out.commit();
  }
  const auto a = sim::read_attributes(path);
  EXPECT_EQ(a.size(), 4u);
  EXPECT_EQ(a.at("scenario"), yaml);
  EXPECT_EQ(a.at("empty"), "");
  EXPECT_EQ(a.at("seed"), "18446744073709551615");
  EXPECT_EQ(a.at("schema_version"), "1");
}

TEST(OutputFile, DailySeriesAreWrittenInBlocksOfDays) {
  TempDir dir;
  const auto path = (dir / "d.h5").string();
  const std::size_t rows = 3;
  const int days = 5, stride = 2;
  {
    sim::OutputFile out(path, false);
    out.create_daily({"gain", "fear"}, rows, days, stride);
    // Blocks of `stride` days per row; value = 100·field + 10·row + day.
    for (std::size_t f = 0; f < 2; ++f)
      for (int day0 = 0; day0 < days; day0 += stride) {
        const int n = std::min(stride, days - day0);
        std::vector<float> block(rows * stride, -1.0f);
        for (std::size_t r = 0; r < rows; ++r)
          for (int d = 0; d < n; ++d)
            block[r * stride + static_cast<std::size_t>(d)] =
                static_cast<float>(100 * f + 10 * r) + static_cast<float>(day0 + d);
        out.write_daily(f, day0, n, block.data(), stride);
      }
    out.commit();
  }
  EXPECT_EQ(sim::list_group(path, "daily"), (std::vector<std::string>{"fear", "gain"}));
  for (std::size_t f = 0; f < 2; ++f) {
    std::size_t r_out = 0, d_out = 0;
    const auto v = sim::read_daily(path, f == 0 ? "gain" : "fear", r_out, d_out);
    ASSERT_EQ(r_out, rows);
    ASSERT_EQ(d_out, 5u);
    for (std::size_t r = 0; r < rows; ++r)
      for (std::size_t d = 0; d < 5; ++d)
        EXPECT_EQ(v[r * 5 + d], static_cast<double>(100 * f + 10 * r + d)) << f << " " << r << " " << d;
  }
}

TEST(OutputFile, WithoutCommitLeavesNoFileAndNoTemporary) {
  TempDir dir;
  const auto path = (dir / "never.h5").string();
  std::string temp;
  {
    sim::OutputFile out(path, false);
    temp = out.temp_path();
    out.write_table("infants", sample_table());
    EXPECT_TRUE(fs::exists(temp)) << "written to a temporary file first";
    EXPECT_EQ(fs::path(temp).parent_path(), fs::path(path).parent_path()) << "beside the target";
    EXPECT_FALSE(fs::exists(path)) << "the target appears only on commit";
  }
  EXPECT_FALSE(fs::exists(path));
  EXPECT_FALSE(fs::exists(temp));
  EXPECT_TRUE(dir.list().empty());
}

TEST(OutputFile, CommitRenamesTheTemporaryIntoPlace) {
  TempDir dir;
  const auto path = (dir / "done.h5").string();
  sim::OutputFile out(path, false);
  const std::string temp = out.temp_path();
  out.write_table("infants", sample_table());
  out.commit();
  EXPECT_TRUE(fs::exists(path));
  EXPECT_FALSE(fs::exists(temp));
  EXPECT_EQ(dir.list(), std::vector<std::string>{"done.h5"});
}

// An earlier result: --force replaces only files attune wrote (docs/RELIABILITY.md).
std::string write_old_result(const fs::path& path) {
  sim::OutputFile out(path.string(), false);
  out.attribute("schema_version", static_cast<std::uint64_t>(sim::kSchemaVersion));
  out.commit();
  return read_text(path);
}

TEST(OutputFile, RefusesAnExistingFileUnlessForced) {
  TempDir dir;
  const auto path = dir / "old.h5";
  const std::string old = write_old_result(path);
  EXPECT_THROW(sim::OutputFile(path.string(), false), sim::InputError);
  EXPECT_EQ(read_text(path), old);
  EXPECT_EQ(dir.list(), std::vector<std::string>{"old.h5"});
  {
    sim::OutputFile out(path.string(), true);
    EXPECT_EQ(read_text(path), old) << "forced, but not yet committed";
    out.write_table("infants", sample_table());
    out.commit();
  }
  EXPECT_EQ(sim::read_table(path.string(), "infants").rows(), 4u);
}

TEST(OutputFile, ForcedButAbandonedKeepsTheOldFile) {
  TempDir dir;
  const auto path = dir / "old.h5";
  const std::string old = write_old_result(path);
  { sim::OutputFile out(path.string(), true); }
  EXPECT_EQ(read_text(path), old);
  EXPECT_EQ(dir.list(), std::vector<std::string>{"old.h5"});
}

TEST(ReadTable, ReportsMissingFilesDatasetsAndNonHdf5) {
  TempDir dir;
  EXPECT_THROW(sim::read_table((dir / "none.h5").string(), "infants"), sim::InputError);
  write_text(dir / "text.h5", "not hdf5");
  EXPECT_THROW(sim::read_table((dir / "text.h5").string(), "infants"), sim::InputError);
  const auto path = (dir / "t.h5").string();
  {
    sim::OutputFile out(path, false);
    out.write_table("infants", sample_table());
    out.commit();
  }
  EXPECT_THROW(sim::read_table(path, "caregivers"), sim::InputError);
  EXPECT_TRUE(sim::list_group(path, "daily").empty());
}

}  // namespace
}  // namespace attune::test
