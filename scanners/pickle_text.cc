#include "scanners/pickle_text.h"

#include "scanners/escapes.h"

namespace modelgate::scanners {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

}  // namespace

std::optional<int64_t> ParsePickleInt(std::string_view line) {
  std::string_view s = Trim(line);
  bool negative = false;
  if (!s.empty() && (s.front() == '-' || s.front() == '+')) {
    negative = s.front() == '-';
    s.remove_prefix(1);
  }
  if (s.empty() || s.front() == '_' || s.back() == '_') return std::nullopt;
  uint64_t v = 0;
  bool any = false;
  char prev = 0;
  for (char c : s) {
    if (c == '_') {
      if (prev == '_') return std::nullopt;
    } else if (c >= '0' && c <= '9') {
      if (v > (UINT64_MAX - 9) / 10) return std::nullopt;
      v = v * 10 + static_cast<uint64_t>(c - '0');
      any = true;
    } else {
      return std::nullopt;
    }
    prev = c;
  }
  if (!any) return std::nullopt;
  if (!negative && v > static_cast<uint64_t>(INT64_MAX)) return std::nullopt;
  if (negative && v > static_cast<uint64_t>(INT64_MAX) + 1) return std::nullopt;
  return negative ? static_cast<int64_t>(0 - v) : static_cast<int64_t>(v);
}

bool LooksLikeInt(std::string_view line) {
  std::string_view s = Trim(line);
  if (!s.empty() && (s.front() == '-' || s.front() == '+')) s.remove_prefix(1);
  if (s.empty()) return false;
  int base = 10;
  if (s.size() > 2 && s[0] == '0') {
    char p = static_cast<char>(s[1] | 0x20);
    if (p == 'x') base = 16;
    if (p == 'o') base = 8;
    if (p == 'b') base = 2;
    if (base != 10) s.remove_prefix(2);
  }
  bool any = false;
  for (char c : s) {
    if (c == '_') continue;
    int d = HexDigitValue(c);
    if (d < 0 || d >= base) return false;
    any = true;
  }
  return any;
}

std::optional<std::string> DecodePickleString(std::string_view line) {
  // CPython requires matching quotes at both ends of the line.
  if (line.size() < 2 || line.front() != line.back() ||
      (line.front() != '\'' && line.front() != '"')) {
    return std::nullopt;
  }
  std::string_view s = line.substr(1, line.size() - 2);
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c != '\\') {
      out.push_back(c);
      continue;
    }
    if (++i >= s.size()) return std::nullopt;  // trailing backslash
    char e = s[i];
    switch (e) {
      case '\n': break;
      case '\\': out.push_back('\\'); break;
      case '\'': out.push_back('\''); break;
      case '"': out.push_back('"'); break;
      case 'a': out.push_back('\a'); break;
      case 'b': out.push_back('\b'); break;
      case 'f': out.push_back('\f'); break;
      case 'n': out.push_back('\n'); break;
      case 'r': out.push_back('\r'); break;
      case 't': out.push_back('\t'); break;
      case 'v': out.push_back('\v'); break;
      case 'x': {
        if (i + 2 >= s.size()) return std::nullopt;  // needs two hex digits
        int hi = HexDigitValue(s[i + 1]);
        int lo = HexDigitValue(s[i + 2]);
        if (hi < 0 || lo < 0) return std::nullopt;
        out.push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
        break;
      }
      default:
        if (e >= '0' && e <= '7') {
          int v = e - '0';
          for (int k = 0; k < 2 && i + 1 < s.size() && s[i + 1] >= '0' && s[i + 1] <= '7'; ++k) {
            v = v * 8 + (s[++i] - '0');
          }
          out.push_back(static_cast<char>(v & 0xff));
        } else {
          out.push_back('\\');
          out.push_back(e);
        }
    }
  }
  return out;
}

std::optional<std::string> DecodeRawUnicodeEscape(std::string_view line) {
  std::string out;
  out.reserve(line.size());
  size_t i = 0;
  while (i < line.size()) {
    if (line[i] != '\\') {
      out.push_back(line[i++]);
      continue;
    }
    // A run of backslashes: only an odd count escapes a following u/U.
    size_t run = 0;
    while (i < line.size() && line[i] == '\\') {
      ++run;
      ++i;
    }
    bool escape = (run % 2 == 1) && i < line.size() && (line[i] == 'u' || line[i] == 'U');
    out.append(escape ? run - 1 : run, '\\');
    if (!escape) continue;
    size_t digits = line[i] == 'u' ? 4 : 8;
    ++i;
    if (line.size() - i < digits) return std::nullopt;
    uint32_t cp = 0;
    for (size_t k = 0; k < digits; ++k) {
      int d = HexDigitValue(line[i + k]);
      if (d < 0) return std::nullopt;
      cp = cp * 16 + static_cast<uint32_t>(d);
    }
    if (cp > 0x10ffff) return std::nullopt;
    i += digits;
    AppendUtf8(cp, &out);
  }
  return out;
}

}  // namespace modelgate::scanners
