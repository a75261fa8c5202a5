// Chat template audit: Jinja templates run on every request (GGUF
// tokenizer.chat_template*, tokenizer_config.json chat_template, *.jinja).
//
// Rule ids (docs/rules/formats.md):
//   template/dunder-access      critical  Python dunder/frame attribute reached from a template
//   template/obfuscated-name    critical  a dunder name assembled from pieces, escapes or filters
//   template/attr-filter        high      |attr() filter, used to bypass the sandbox's '.' checks
//   template/escape-global      high      lipsum/cycler/joiner/namespace/self/request/config
//                                         objects used as an escape foothold
//   template/import             high      {% import/from/include/extends %}: loads other templates
//   template/hidden-instruction medium    prompt-injection phrases ("ignore previous instructions")
//   template/invisible-unicode  medium    zero-width, bidi control or tag characters
//   template/url                low       URLs in the template
//   template/encoded-blob       low       long base64-looking runs
#pragma once

#include <string_view>

#include "scanners/context.h"

namespace modelgate::scanners {

// Audits `source` (the template text, already decoded from its container) and
// reports each rule above at most once per template, naming `where`. Always
// records fact "<where>_sha256" (lowercase hex SHA-256 of `source`) so the
// exact template can be pinned. Never undecides: any text is a template the
// audit can read. Linear in the size of `source`.
// `where` names the template's origin, e.g. "tokenizer.chat_template".
void AuditChatTemplate(std::string_view source, std::string_view where, ScanContext& ctx);

}  // namespace modelgate::scanners
