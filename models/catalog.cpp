#include "models/catalog.hpp"

#include <array>

#include "models/mutual/model.hpp"
#include "models/reference/model.hpp"

namespace attune::models {
namespace {

std::array<const sim::Model*, 2> all() { return {&reference::model(), &mutual::model()}; }

}  // namespace

const sim::Model& default_model() { return reference::model(); }

const sim::Model* find_model(std::string_view name) {
  for (const sim::Model* m : all())
    if (m->name() == name) return m;
  return nullptr;
}

std::vector<std::string> model_names() {
  std::vector<std::string> out;
  for (const sim::Model* m : all()) out.emplace_back(m->name());
  return out;
}

}  // namespace attune::models
