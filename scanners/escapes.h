// Small pieces shared by the scanners that decode escape sequences in text (pickle
// protocol-0 strings, chat-template string literals): hex digit values and UTF-8
// encoding of a decoded code point.
#pragma once

#include <cstdint>
#include <string>

namespace modelgate::scanners {

// 0-15 for [0-9a-fA-F], -1 for anything else.
int HexDigitValue(char c);

// Appends `cp` as UTF-8 (1-4 bytes). Callers pass cp <= 0x10FFFF; surrogates are
// encoded as they are (the scanners judge text, they do not validate it).
void AppendUtf8(uint32_t cp, std::string* out);

}  // namespace modelgate::scanners
