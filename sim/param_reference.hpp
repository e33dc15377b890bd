// docs/PARAMETERS.md, generated from the model's key tables (`attune params` prints it).
#pragma once

#include <string>

#include "sim/param_info.hpp"

namespace attune::sim {

std::string parameter_reference(const ParamTables& tables);

}  // namespace attune::sim
