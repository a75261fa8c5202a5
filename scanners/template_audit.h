// Chat template audit: Jinja templates run on every request (GGUF
// tokenizer.chat_template*, tokenizer_config.json chat_template, *.jinja).
#pragma once

#include <string_view>

#include "scanners/context.h"

namespace modelgate::scanners {

// Flags sandbox-escape patterns and hidden instructions/URLs in `source`, and
// records the template's SHA-256 as fact "<where>_sha256" so it can be pinned.
// `where` names the template's origin, e.g. "tokenizer.chat_template".
void AuditChatTemplate(std::string_view source, std::string_view where, ScanContext& ctx);

}  // namespace modelgate::scanners
