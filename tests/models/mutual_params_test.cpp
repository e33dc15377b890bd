// The `mutual` model's parameter tables: one source for loading, validation and the docs, so they
// must agree with the typed structs.
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "models/mutual/params.hpp"

namespace attune::mutual {
namespace {

TEST(MutualParams, TablesBuildTheDefaultStructs) {
  const auto tables = param_tables();
  std::vector<double> c, i;
  for (const auto& info : tables.caregiver) c.push_back(info.value);
  for (const auto& info : tables.infant) i.push_back(info.value);
  const CaregiverParams cg = caregiver_from(c), want_cg;
  const InfantParams in = infant_from(i), want_in;
  // Every member is a double: compare the structs as arrays of doubles.
  static_assert(sizeof(CaregiverParams) % sizeof(double) == 0 && sizeof(InfantParams) % sizeof(double) == 0);
  EXPECT_EQ(tables.caregiver.size(), sizeof(CaregiverParams) / sizeof(double));
  EXPECT_EQ(tables.infant.size(), sizeof(InfantParams) / sizeof(double));
  const auto* a = reinterpret_cast<const double*>(&cg);
  const auto* b = reinterpret_cast<const double*>(&want_cg);
  for (std::size_t k = 0; k < tables.caregiver.size(); ++k)
    EXPECT_EQ(a[k], b[k]) << tables.caregiver[k].key << ": table default differs from the struct's";
  a = reinterpret_cast<const double*>(&in);
  b = reinterpret_cast<const double*>(&want_in);
  for (std::size_t k = 0; k < tables.infant.size(); ++k)
    EXPECT_EQ(a[k], b[k]) << tables.infant[k].key << ": table default differs from the struct's";
}

TEST(MutualParams, EachKeyMapsToItsOwnMember) {
  // Setting one value at a time must change exactly the member in that position.
  const auto tables = param_tables();
  std::vector<double> v;
  for (const auto& info : tables.infant) v.push_back(info.value);
  for (std::size_t k = 0; k < v.size(); ++k) {
    std::vector<double> w = v;
    w[k] = 0.123456;
    const InfantParams p = infant_from(w);
    const auto* d = reinterpret_cast<const double*>(&p);
    for (std::size_t j = 0; j < v.size(); ++j)
      EXPECT_EQ(d[j], j == k ? 0.123456 : v[j]) << tables.infant[k].key << " → member " << j;
  }
}

TEST(MutualParams, KeysAreUniqueDocumentedAndDefaultsInRange) {
  const auto tables = param_tables();
  std::set<std::string> keys;
  for (const auto* table : {&tables.caregiver, &tables.infant})
    for (const auto& info : *table) {
      EXPECT_TRUE(keys.insert(std::string(info.key)).second) << info.key;
      EXPECT_FALSE(info.symbol.empty()) << info.key;
      EXPECT_FALSE(info.unit.empty()) << info.key;
      EXPECT_FALSE(info.meaning.empty()) << info.key;
      EXPECT_GE(info.value, info.min) << info.key;
      EXPECT_LE(info.value, info.max) << info.key;
    }
  EXPECT_EQ(infant_consistency_error(InfantParams{}), nullptr);
  InfantParams bad;
  bad.regulation_initial = 0.1;
  EXPECT_NE(infant_consistency_error(bad), nullptr);
}

}  // namespace
}  // namespace attune::mutual
