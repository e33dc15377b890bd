// The reference model's parameter tables: one source for loading, validation and the docs, so
// they must agree with the typed structs and with MODEL.md.
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "models/reference/params.hpp"
#include "sim/distribution.hpp"

namespace attune::reference {
namespace {

// Each struct member by key, written out here independently of params.cpp.
const std::map<std::string, double CaregiverParams::*> kCaregiverMembers{
    {"attunement", &CaregiverParams::attunement},
    {"rupture_rate", &CaregiverParams::rupture_rate},
    {"repair_rate", &CaregiverParams::repair_rate},
    {"rejection", &CaregiverParams::rejection},
    {"baseline_stress", &CaregiverParams::baseline_stress},
    {"resonance", &CaregiverParams::resonance},
    {"caregiver_regulation", &CaregiverParams::caregiver_regulation},
    {"caregiver_noise", &CaregiverParams::caregiver_noise},
    {"soothing_gain", &CaregiverParams::soothing_gain},
    {"perception_noise", &CaregiverParams::perception_noise},
    {"intrusiveness", &CaregiverParams::intrusiveness},
    {"flood_threshold", &CaregiverParams::flood_threshold},
    {"fright_jump", &CaregiverParams::fright_jump},
};

const std::map<std::string, double InfantParams::*> kInfantMembers{
    {"regulation_initial", &InfantParams::regulation_initial},
    {"regulation_max", &InfantParams::regulation_max},
    {"infant_noise", &InfantParams::infant_noise},
    {"stressor_rate", &InfantParams::stressor_rate},
    {"stressor_size", &InfantParams::stressor_size},
    {"distress_threshold", &InfantParams::distress_threshold},
    {"shock_s", &InfantParams::shock_s},
    {"dissociation_s", &InfantParams::dissociation_s},
    {"hypoarousal", &InfantParams::hypoarousal},
    {"cortisol_tau_s", &InfantParams::cortisol_tau_s},
    {"cortisol_gain", &InfantParams::cortisol_gain},
    {"forgetting", &InfantParams::forgetting},
    {"response_window_s", &InfantParams::response_window_s},
    {"response_min", &InfantParams::response_min},
    {"strategy_rate", &InfantParams::strategy_rate},
    {"gain_min", &InfantParams::gain_min},
    {"gain_max", &InfantParams::gain_max},
    {"hyper", &InfantParams::hyper},
    {"deact", &InfantParams::deact},
    {"signal_floor", &InfantParams::signal_floor},
    {"contingency_memory_per_day", &InfantParams::contingency_memory_per_day},
    {"fear_rate", &InfantParams::fear_rate},
    {"coregulation_rate", &InfantParams::coregulation_rate},
    {"maturation_per_day", &InfantParams::maturation_per_day},
};

// MODEL.md's defaults (population means), copied from its tables.
const std::map<std::string, double> kModelDefaults{
    {"attunement", 0.7},
    {"rupture_rate", 1.0},
    {"repair_rate", 2.0},
    {"rejection", 0.0},
    {"baseline_stress", 0.2},
    {"resonance", 0.05},
    {"caregiver_regulation", 0.05},
    {"caregiver_noise", 0.05},
    {"soothing_gain", 0.15},
    {"perception_noise", 1.0},
    {"intrusiveness", 0.1},
    {"flood_threshold", 2.0},
    {"fright_jump", 0.5},
    {"regulation_initial", 0.01},
    {"regulation_max", 0.05},
    {"infant_noise", 0.15},
    {"stressor_rate", 1.0},
    {"stressor_size", 1.0},
    {"distress_threshold", 1.0},
    {"shock_s", 60},
    {"dissociation_s", 60},
    {"hypoarousal", 0.5},
    {"cortisol_tau_s", 1200},
    {"cortisol_gain", 0.01},
    {"forgetting", 0.98},
    {"response_window_s", 20},
    {"response_min", 0.5},
    {"strategy_rate", 0.05},
    {"gain_min", 0.2},
    {"gain_max", 3.0},
    {"hyper", 1.0},
    {"deact", 1.5},
    {"signal_floor", 0.5},
    {"contingency_memory_per_day", 0.9},
    {"fear_rate", 0.05},
    {"coregulation_rate", 0.002},
    {"maturation_per_day", 0.01},
};

std::vector<double> table_values(std::span<const sim::ParamInfo> table) {
  std::vector<double> v;
  for (const auto& p : table) v.push_back(p.value);
  return v;
}

TEST(ParamTables, CoverEveryStructMemberExactlyOnce) {
  const auto t = param_tables();
  EXPECT_EQ(t.caregiver.size(), sizeof(CaregiverParams) / sizeof(double));
  EXPECT_EQ(t.infant.size(), sizeof(InfantParams) / sizeof(double));
  EXPECT_EQ(t.caregiver.size(), kCaregiverMembers.size());
  EXPECT_EQ(t.infant.size(), kInfantMembers.size());
}

TEST(ParamTables, KeysAreUniqueAcrossBothTables) {
  const auto t = param_tables();
  std::set<std::string_view> keys;
  for (const auto& p : t.caregiver) EXPECT_TRUE(keys.insert(p.key).second) << p.key;
  for (const auto& p : t.infant) EXPECT_TRUE(keys.insert(p.key).second) << p.key;
}

TEST(ParamTables, EveryEntryIsDocumented) {
  const auto t = param_tables();
  for (auto table : {t.caregiver, t.infant})
    for (const auto& p : table) {
      EXPECT_FALSE(p.symbol.empty()) << p.key;
      EXPECT_FALSE(p.unit.empty()) << p.key;
      EXPECT_FALSE(p.meaning.empty()) << p.key;
    }
}

TEST(ParamTables, StructDefaultsEqualTableDefaultsFieldByField) {
  const auto t = param_tables();
  const CaregiverParams from_table = caregiver_from(table_values(t.caregiver));
  const CaregiverParams defaults{};
  for (const auto& p : t.caregiver) {
    const auto member = kCaregiverMembers.at(std::string(p.key));
    EXPECT_EQ(from_table.*member, defaults.*member) << p.key;
    EXPECT_EQ(defaults.*member, p.value) << p.key;
  }
  const InfantParams infant_from_table = infant_from(table_values(t.infant));
  const InfantParams infant_defaults{};
  for (const auto& p : t.infant) {
    const auto member = kInfantMembers.at(std::string(p.key));
    EXPECT_EQ(infant_from_table.*member, infant_defaults.*member) << p.key;
    EXPECT_EQ(infant_defaults.*member, p.value) << p.key;
  }
}

// Distinct values in table order must land in the member each key names.
TEST(ParamTables, BuildersPutEachValueInTheMemberItsKeyNames) {
  const auto t = param_tables();
  std::vector<double> v(t.caregiver.size());
  for (std::size_t i = 0; i < v.size(); ++i) v[i] = 100.0 + static_cast<double>(i);
  const CaregiverParams c = caregiver_from(v);
  for (std::size_t i = 0; i < v.size(); ++i)
    EXPECT_EQ(c.*kCaregiverMembers.at(std::string(t.caregiver[i].key)), v[i]) << t.caregiver[i].key;

  std::vector<double> w(t.infant.size());
  for (std::size_t i = 0; i < w.size(); ++i) w[i] = 200.0 + static_cast<double>(i);
  const InfantParams inf = infant_from(w);
  for (std::size_t i = 0; i < w.size(); ++i)
    EXPECT_EQ(inf.*kInfantMembers.at(std::string(t.infant[i].key)), w[i]) << t.infant[i].key;
}

TEST(ParamTables, DefaultsAreMODELmdDefaults) {
  const auto t = param_tables();
  std::size_t seen = 0;
  for (auto table : {t.caregiver, t.infant})
    for (const auto& p : table) {
      ASSERT_TRUE(kModelDefaults.count(std::string(p.key))) << p.key << " is not in MODEL.md";
      EXPECT_EQ(p.value, kModelDefaults.at(std::string(p.key))) << p.key;
      ++seen;
    }
  EXPECT_EQ(seen, kModelDefaults.size());
}

// MODEL.md's default spreads: attunement Beta(κ = 10); rupture and repair log-sd 0.5; baseline
// stress log-sd 0.8; everything else fixed.
TEST(ParamTables, DefaultSpreadsAreMODELmdSpreads) {
  const auto t = param_tables();
  for (const auto& p : t.infant) EXPECT_EQ(p.dist, sim::DistKind::fixed) << p.key;
  const std::map<std::string, std::pair<sim::DistKind, double>> spreads{
      {"attunement", {sim::DistKind::beta, 10}},
      {"rupture_rate", {sim::DistKind::lognormal, 0.5}},
      {"repair_rate", {sim::DistKind::lognormal, 0.5}},
      {"baseline_stress", {sim::DistKind::lognormal, 0.8}}};
  for (const auto& p : t.caregiver) {
    const auto it = spreads.find(std::string(p.key));
    const sim::Distribution d = sim::Distribution::default_for(p);
    if (it == spreads.end()) {
      EXPECT_EQ(d.kind, sim::DistKind::fixed) << p.key;
    } else {
      EXPECT_EQ(d.kind, it->second.first) << p.key;
      EXPECT_EQ(d.b, it->second.second) << p.key;
    }
    EXPECT_EQ(d.mean(), p.value) << p.key << ": the default spread keeps the mean";
  }
}

bool in_range(double v, const sim::ParamInfo& p) {
  const bool above = p.min_open ? v > p.min : v >= p.min;
  const bool below = p.max_open ? v < p.max : v <= p.max;
  return above && below;
}

TEST(ParamTables, DefaultsLieInTheirValidRanges) {
  const auto t = param_tables();
  for (auto table : {t.caregiver, t.infant})
    for (const auto& p : table) {
      EXPECT_TRUE(in_range(p.value, p)) << p.key << " = " << p.value;
      EXPECT_LT(p.min, p.max) << p.key;
      EXPECT_TRUE(std::isfinite(p.value)) << p.key;
    }
}

TEST(ParamTables, DefaultSpreadsSuitTheirRanges) {
  for (const auto& p : param_tables().caregiver) {
    if (p.dist == sim::DistKind::beta) {
      EXPECT_TRUE(p.min >= 0 && p.max <= 1) << p.key;
      EXPECT_GT(p.spread, 0) << p.key;
    }
    if (p.dist == sim::DistKind::lognormal) {
      EXPECT_TRUE(p.min >= 0 && std::isinf(p.max)) << p.key;
      EXPECT_GE(p.spread, 0) << p.key;
    }
  }
}

TEST(InfantConsistency, RegulationMustNotStartAboveItsCeiling) {
  EXPECT_EQ(infant_consistency_error(InfantParams{}), nullptr);
  InfantParams p;
  p.regulation_initial = 0.05;  // equal is allowed
  EXPECT_EQ(infant_consistency_error(p), nullptr);
  p.regulation_initial = 0.06;
  const char* msg = infant_consistency_error(p);
  ASSERT_NE(msg, nullptr);
  EXPECT_NE(std::string(msg).find("regulation_initial"), std::string::npos) << msg;
  EXPECT_NE(std::string(msg).find("regulation_max"), std::string::npos) << msg;
}

}  // namespace
}  // namespace attune::reference
