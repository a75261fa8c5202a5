// Lowercase hexadecimal as models are pinned: the CRD's patterns for SHA-256 pins
// (^[a-f0-9]{64}$, ^sha256:[a-f0-9]{64}$) and git's 40-hex commit ids (MG007).
#pragma once

#include <cstddef>
#include <string_view>

namespace modelgate::policy {

// True when `s` is exactly `length` characters, each 0-9 or a-f (upper case is not).
inline bool IsLowerHex(std::string_view s, size_t length) {
  if (s.size() != length) return false;
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

}  // namespace modelgate::policy
