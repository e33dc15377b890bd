// docs/PARAMETERS.md, generated from the model's key tables (`attune params` prints it).
#pragma once

#include <string>
#include <string_view>

#include "sim/param_info.hpp"

namespace attune::sim {

// The reference of a model's parameters (docs/PARAMETERS.md for the reference model).
std::string parameter_reference(const ParamTables& tables, std::string_view model = "reference");

}  // namespace attune::sim
