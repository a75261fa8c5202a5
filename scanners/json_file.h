// Inspects JSON files of a model directory (config.json auto_map,
#pragma once

#include <string_view>

#include "scanners/context.h"
#include "scanners/source.h"

namespace modelgate::scanners {

// Inspects JSON files of a model directory (config.json auto_map,
// tokenizer_config.json chat_template, ...).
// `name` is the file's base name ("config.json"): JSON files are recognised by
// content, but which keys matter depends on the role the name gives them.
void AnalyzeJson(const ByteSource& src, std::string_view name, ScanContext& ctx);

}  // namespace modelgate::scanners
