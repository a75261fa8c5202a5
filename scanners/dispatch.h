// AnalyzeBlob: sniff a blob's format from its bytes and run the analyzer for it.
#pragma once

#include <string_view>

#include "scanners/context.h"
#include "scanners/source.h"

namespace modelgate::scanners {

// Detects the format of `src` (SniffFormat), records it, and runs the matching
// analyzer. `name` is the blob's base name, used only where a format's meaning
// depends on its role (config.json vs tokenizer_config.json, *.jinja), never
// to decide the format. Archive analyzers call this for every member.
// Past ScanLimits::max_archive_depth the blob is marked undecided.
void AnalyzeBlob(const ByteSource& src, std::string_view name, ScanContext& ctx);

}  // namespace modelgate::scanners
