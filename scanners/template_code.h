// Splits a Jinja template into what the engine executes (the code inside
// {{ }} and {% %} tags, with its string literals decoded) so the audit can
// look at code and strings separately from the text a template emits.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace modelgate::scanners {

inline constexpr size_t kMaxKeptLiterals = 4096;

// One {{ ... }} or {% ... %} tag.
struct TemplateTag {
  bool statement = false;  // {% %} rather than {{ }}
  // The tag's code with each string literal replaced by `""`, so identifiers
  // and operators can be matched without tripping over quoted text.
  std::string code;
  // Each string literal's value after Python/Jinja escape decoding, in order
  // (the first kMaxKeptLiterals of them; `joined` has them all).
  std::vector<std::string> literals;
  // All literal values concatenated, as '+', '~' or |join would assemble them.
  std::string joined;
  // True when a literal used \x, \u, \U or octal escapes to spell a printable
  // ASCII character: nothing benign needs that, hiding a name does.
  bool escaped_ascii = false;
};

// Lexes `source` and calls `on_tag` for each tag in order; comments {# #}
// and plain text are skipped. An unterminated tag runs to the end of the
// source (the engine would reject it, the audit still looks at it). Linear in
// the size of `source`; holds one tag at a time, so millions of tiny tags
// cost no memory.
void LexTemplateTags(std::string_view source, const std::function<void(const TemplateTag&)>& on_tag);

}  // namespace modelgate::scanners
