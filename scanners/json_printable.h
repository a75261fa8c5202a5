// Printable(): hostile bytes made safe to quote in a finding or undecided
// reason. Reports are serialised as JSON/SARIF, where invalid UTF-8 makes the
// serialiser fail, and terminals, where control bytes rewrite the screen.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace modelgate::scanners {

// Returns `s` with every byte outside printable ASCII replaced by "\xNN",
// cut to at most `max_len` input bytes (then "..." is appended).
std::string Printable(std::string_view s, size_t max_len = 120);

}  // namespace modelgate::scanners
