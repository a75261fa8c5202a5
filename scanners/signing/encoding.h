// Base64 and hex decoding for Sigstore's JSON encodings (OpenSSL does the
// base64 work).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace modelgate::signing {

// Standard base64 (RFC 4648, padding required as protobuf-JSON emits it;
// the URL-safe alphabet is accepted too, as protobuf-JSON parsers do).
// nullopt on any invalid character or bad length.
std::optional<std::string> Base64Decode(std::string_view text);

// Standard base64 with padding.
std::string Base64Encode(std::string_view raw);

// Hex (either case) to raw bytes; nullopt on odd length or a non-hex digit.
std::optional<std::string> HexDecode(std::string_view hex);

}  // namespace modelgate::signing
