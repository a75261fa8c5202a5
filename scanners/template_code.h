// Splits a Jinja template into what the engine executes (the code inside
// {{ }} and {% %} tags, with its string literals decoded) so the audit can
// look at code and strings separately from the text a template emits.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace modelgate::scanners {

// One {{ ... }} or {% ... %} tag.
struct TemplateTag {
  bool statement = false;  // {% %} rather than {{ }}
  // The tag's code with each string literal replaced by `""`, so identifiers
  // and operators can be matched without tripping over quoted text.
  std::string code;
  // Each string literal's value after Python/Jinja escape decoding, in order.
  std::vector<std::string> literals;
  // True when a literal used \x, \u, \U or octal escapes to spell a printable
  // ASCII character: nothing benign needs that, hiding a name does.
  bool escaped_ascii = false;
};

// Lexes `source` into its tags; comments {# #} and plain text are dropped.
// An unterminated tag runs to the end of the source (the engine would reject
// it, the audit still looks at it). Linear in the size of `source`.
std::vector<TemplateTag> LexTemplateTags(std::string_view source);

}  // namespace modelgate::scanners
