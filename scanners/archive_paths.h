// Member-name checks shared by the ZIP and libarchive readers.
#pragma once

#include <string_view>

namespace modelgate::scanners {

// True when extracting a member called `name` would write outside the
// extraction directory: an absolute path ("/x", "\\x"), a drive letter
// ("C:x"), or a ".." component (either slash counts as a separator).
bool PathEscapesRoot(std::string_view name);

// The part of `name` after its last '/' or '\\'.
std::string_view MemberBaseName(std::string_view name);

}  // namespace modelgate::scanners
