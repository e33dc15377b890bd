// docs/PARAMETERS.md is generated from the key tables and must be current.
#include <gtest/gtest.h>

#include "sim/cli/simulation.hpp"
#include "sim/param_reference.hpp"
#include "support/paths.hpp"

namespace attune::test {
namespace {

TEST(ParameterReference, DocsParametersMdIsCurrent) {
  const std::string expected = sim::parameter_reference(app::model_spec().params);
  const std::string actual = read_text(source_dir() / "docs" / "PARAMETERS.md");
  EXPECT_TRUE(actual == expected)
      << "docs/PARAMETERS.md is out of date; regenerate it with `attune params > docs/PARAMETERS.md`";
}

TEST(ParameterReference, TheSecondModelsReferenceIsCurrent) {
  const std::string expected = sim::parameter_reference(app::model_named("mutual").params(), "mutual");
  EXPECT_TRUE(read_text(source_dir() / "docs" / "PARAMETERS-mutual.md") == expected)
      << "regenerate it with `attune params --model mutual > docs/PARAMETERS-mutual.md`";
  const CliResult r = run_attune({"params", "--model", "mutual"});
  EXPECT_TRUE(r.output == expected);
}

TEST(ParameterReference, ListsEveryKeyWithItsDefault) {
  const auto tables = app::model_spec().params;
  const std::string doc = sim::parameter_reference(tables);
  for (auto table : {tables.caregiver, tables.infant})
    for (const auto& p : table)
      EXPECT_NE(doc.find("| `" + std::string(p.key) + "` |"), std::string::npos) << p.key;
  EXPECT_NE(doc.find("| `attunement` | a | 1 | 0.7 | beta, concentration 10 | [0, 1] |"), std::string::npos);
  EXPECT_NE(doc.find("| `rupture_rate` | λ_r | per min | 1 | log-normal, log-sd 0.5 | [0, ∞) |"),
            std::string::npos);
}

TEST(ParameterReference, IsWhatAttuneParamsPrints) {
  const CliResult r = run_attune({"params"});
  ASSERT_EQ(r.status, 0);
  EXPECT_TRUE(r.output == sim::parameter_reference(app::model_spec().params));
}

}  // namespace
}  // namespace attune::test
