// Protobuf-JSON field access shared by the bundle and trusted-root parsers:
// a field may be spelled camelCase or snake_case, int64 values come as
// strings or numbers, bytes as base64. Internal to mg_signing.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "scanners/status.h"

namespace modelgate::signing::json_fields {

// The member `camel` (or its snake_case spelling), or nullptr.
const nlohmann::json* Find(const nlohmann::json& obj, const std::string& camel);
// A string member; error naming `where` when present with another type.
Result<std::optional<std::string>> String(const nlohmann::json& obj, const std::string& camel,
                                          const std::string& where);
// A base64 bytes member, decoded.
Result<std::optional<std::string>> Bytes(const nlohmann::json& obj, const std::string& camel,
                                         const std::string& where);
// An int64 member (string or integer).
Result<std::optional<int64_t>> Int64(const nlohmann::json& obj, const std::string& camel,
                                     const std::string& where);

}  // namespace modelgate::signing::json_fields
