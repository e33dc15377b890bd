#pragma once

#include <string_view>

namespace attune::app {

inline constexpr std::string_view kVersion = ATTUNE_VERSION;
// The build's git commit ("unknown" outside a git checkout; "-dirty" with local changes).
std::string_view git_commit();

}  // namespace attune::app
