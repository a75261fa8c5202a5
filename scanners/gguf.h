// Parses GGUF v2/v3 metadata and audits every chat template it holds.
#pragma once

#include "scanners/context.h"
#include "scanners/source.h"

namespace modelgate::scanners {

// Parses GGUF v2/v3 metadata and audits every chat template it holds.
void AnalyzeGguf(const ByteSource& src, ScanContext& ctx);

}  // namespace modelgate::scanners
