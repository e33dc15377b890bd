// Text outputs (JSON reports, fitted scenarios) under the project's output rules.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace attune::app {

// sim::check_output_path's rules, except that --force may also replace a text file that attune
// wrote: one that starts with `mark` (each command's own first bytes, e.g. {"kind": "attune …").
void check_text_output(const std::string& path, bool force, const std::vector<std::string>& inputs,
                       std::string_view mark);

// Written to a hidden file beside the target and renamed into place when complete, so that an
// interrupted write never leaves a half file under the target's name.
void write_atomically(const std::string& path, const std::string& text);

}  // namespace attune::app
