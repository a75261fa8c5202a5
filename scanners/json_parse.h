// Bounded JSON parsing for hostile input: the one place the scanners wrap
// nlohmann::json for files (SafeTensors headers, config.json, ...).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "scanners/status.h"

namespace modelgate::scanners {

struct ParsedJson {
  nlohmann::json value;
  // Object keys that occurred more than once in the same object, in order of
  // their second occurrence ("a.b" style paths are not kept: just the key).
  // nlohmann keeps the last value; other parsers may keep the first, so a
  // duplicate is a parser-differential the caller usually reports.
  std::vector<std::string> duplicate_keys;
};

// Parses `text` as one JSON value (surrounding whitespace allowed).
// Error (never throws) when the text is not valid JSON, has invalid UTF-8 in
// a string, or nests objects/arrays deeper than `max_depth` (the top-level
// value is depth 1). Parsing stops at the first nesting violation, so the
// cost is bounded by the input size.
Result<ParsedJson> ParseJsonBounded(std::string_view text, int max_depth);

}  // namespace modelgate::scanners
