// RFC 3161 signed timestamps (TimeStampResp) from a timestamp authority of
// the trusted root, verified with OpenSSL's TS module.
#pragma once

#include <cstdint>
#include <string_view>

#include "scanners/signing/trusted_root.h"
#include "scanners/status.h"

namespace modelgate::signing {

// Verifies `der` (a DER TimeStampResp) over `signature` (the bytes whose
// hash is the message imprint) against the timestamp authorities of `root`:
// the token's signer must chain to an authority valid at the token's time
// (embedded certificates or the authority's own leaf), and that time must be
// inside the authority's validFor window. Returns the token's time.
Result<int64_t> VerifyRfc3161(std::string_view der, std::string_view signature, const TrustedRoot& root);

}  // namespace modelgate::signing
