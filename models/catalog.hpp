// Every model attune knows, by the name a scenario's `model:` key gives.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "sim/model.hpp"

namespace attune::models {

const sim::Model& default_model();
const sim::Model* find_model(std::string_view name);  // nullptr when unknown
std::vector<std::string> model_names();

}  // namespace attune::models
