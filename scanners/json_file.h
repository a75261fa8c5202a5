// JSON files of a model directory. What a key means depends on the file's
// role, which its base name gives (the format itself is sniffed by content).
//
// Rule ids (docs/rules/formats.md):
//   hf/remote-code     high    auto_map / custom_pipelines: loading needs trust_remote_code,
//                              i.e. runs Python shipped with the model
//   json/duplicate-key medium  a key repeats; parsers disagree on which value counts
// plus template/* from AuditChatTemplate and keras/* from AuditKerasConfig.
#pragma once

#include <string_view>

#include "scanners/context.h"
#include "scanners/source.h"

namespace modelgate::scanners {

// Parses `src` as JSON (bounded by max_json_bytes and max_json_depth; over a
// bound or malformed: Undecide) and then, by `name` (the base name):
//  - "*config.json" with a top-level "auto_map", and config.json with
//    "custom_pipelines": finding hf/remote-code naming the referenced classes;
//  - tokenizer_config.json, chat_template.json, processor_config.json:
//    "chat_template" as a string, or a list of {"name", "template"}, is
//    audited with AuditChatTemplate ("chat_template", "chat_template.<name>");
//    any other type: Undecide;
//  - config.json that is a Keras model config (top-level "class_name" and
//    "config"), for a top-level file only (inside .keras zips the ZIP
//    analyzer audits it): AuditKerasConfig;
//  - any other JSON: nothing beyond the parse.
void AnalyzeJson(const ByteSource& src, std::string_view name, ScanContext& ctx);

}  // namespace modelgate::scanners
