#include "scanners/template_code.h"

#include "scanners/escapes.h"

namespace modelgate::scanners {
namespace {

// Decodes the string literal starting at source[*i] (the quote); advances *i
// past the closing quote (or to `end`).
std::string ReadLiteral(std::string_view s, size_t* i, size_t end, bool* escaped_ascii) {
  char quote = s[*i];
  size_t p = *i + 1;
  std::string out;
  while (p < end && s[p] != quote) {
    if (s[p] != '\\' || p + 1 >= end) {
      out.push_back(s[p++]);
      continue;
    }
    char e = s[p + 1];
    p += 2;
    int digits = e == 'x' ? 2 : e == 'u' ? 4 : e == 'U' ? 8 : 0;
    if (digits > 0) {
      uint32_t cp = 0;
      int got = 0;
      while (got < digits && p < end && HexDigitValue(s[p]) >= 0) {
        cp = cp * 16 + static_cast<uint32_t>(HexDigitValue(s[p++]));
        ++got;
      }
      if (got == digits && cp <= 0x10ffff) {
        if (cp >= 0x20 && cp < 0x7f) *escaped_ascii = true;
        AppendUtf8(cp, &out);
      }
      continue;
    }
    if (e >= '0' && e <= '7') {
      uint32_t cp = static_cast<uint32_t>(e - '0');
      for (int k = 0; k < 2 && p < end && s[p] >= '0' && s[p] <= '7'; ++k) cp = cp * 8 + (s[p++] - '0');
      if (cp >= 0x20 && cp < 0x7f) *escaped_ascii = true;
      AppendUtf8(cp, &out);
      continue;
    }
    switch (e) {
      case 'n': out.push_back('\n'); break;
      case 't': out.push_back('\t'); break;
      case 'r': out.push_back('\r'); break;
      default: out.push_back(e); break;  // \\ \' \" and unknown escapes keep the char
    }
  }
  *i = p < end ? p + 1 : end;
  return out;
}

}  // namespace

void LexTemplateTags(std::string_view s, const std::function<void(const TemplateTag&)>& on_tag) {
  size_t i = 0;
  while (i + 1 < s.size()) {
    if (s[i] != '{' || (s[i + 1] != '{' && s[i + 1] != '%' && s[i + 1] != '#')) {
      ++i;
      continue;
    }
    char kind = s[i + 1];
    i += 2;
    if (kind == '#') {
      size_t close = s.find("#}", i);
      i = close == std::string_view::npos ? s.size() : close + 2;
      continue;
    }
    TemplateTag tag;
    tag.statement = kind == '%';
    const char closer = kind == '%' ? '%' : '}';
    // Like Jinja's lexer, a tag ends only outside brackets: {{ {'a': {}} }}.
    int depth = 0;
    while (i < s.size()) {
      char c = s[i];
      if (depth == 0 && c == closer && i + 1 < s.size() && s[i + 1] == '}') {
        i += 2;
        break;
      }
      if (c == '(' || c == '[' || c == '{') ++depth;
      if ((c == ')' || c == ']' || c == '}') && depth > 0) --depth;
      if (c == '\'' || c == '"') {
        std::string lit = ReadLiteral(s, &i, s.size(), &tag.escaped_ascii);
        tag.joined += lit;
        if (tag.literals.size() < kMaxKeptLiterals) tag.literals.push_back(std::move(lit));
        tag.code += "\"\"";
        continue;
      }
      tag.code.push_back(c);
      ++i;
    }
    on_tag(tag);
  }
}

}  // namespace modelgate::scanners
