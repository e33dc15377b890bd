// The `mutual` model behind the engine's contract (sim/model.hpp): `model: mutual`.
#pragma once

#include "sim/model.hpp"

namespace attune::mutual {

const sim::Model& model();

}  // namespace attune::mutual
