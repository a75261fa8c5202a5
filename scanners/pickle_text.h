// Protocol-0 text arguments of pickle opcodes (INT/LONG/GET/PUT lines,
// STRING and UNICODE literals), decoded the way CPython's unpickler does.
// Pure functions over already bounded lines.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace modelgate::scanners {

// Decimal integer as int(line) accepts it (sign, digits, underscores, spaces
// around); nullopt when malformed or outside int64.
std::optional<int64_t> ParsePickleInt(std::string_view line);

// True when `line` could be an INT/LONG literal (int(line, 0) syntax: sign,
// digits, 0x/0o/0b prefixes, underscores). Big values are fine.
bool LooksLikeInt(std::string_view line);

// STRING ('S') argument: a quoted literal with backslash escapes
// (codecs.escape_decode). nullopt when unquoted or badly escaped.
std::optional<std::string> DecodePickleString(std::string_view line);

// UNICODE ('V') argument: raw-unicode-escape (only \uXXXX and \UXXXXXXXX are
// escapes), returned as UTF-8. nullopt on a bad escape.
std::optional<std::string> DecodeRawUnicodeEscape(std::string_view line);

}  // namespace modelgate::scanners
