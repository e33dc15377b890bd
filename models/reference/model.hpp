// The reference model (MODEL.md) behind the engine's model contract (sim/model.hpp).
#pragma once

#include "sim/model.hpp"

namespace attune::reference {

const sim::Model& model();

}  // namespace attune::reference
