// Shell-style globs for mount paths and volume names in ModelAdmissionPolicy.
#pragma once

#include <string_view>

namespace modelgate::policy {

// Matches `text` against `pattern`: `*` any run of characters except '/', `**` any run
// including '/', `?` one character except '/'; everything else literal. Whole-string
// match. "/models/**" matches "/models/a/b" but not "/models" itself (list both).
// Iterative with memoisation-free backtracking bounded by |pattern|*|text| steps.
bool GlobMatch(std::string_view pattern, std::string_view text);

// True when `text` has only the characters a glob treats literally.
bool IsLiteralGlob(std::string_view pattern);

}  // namespace modelgate::policy
