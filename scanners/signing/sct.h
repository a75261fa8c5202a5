// Signed certificate timestamps embedded in a Fulcio certificate (RFC 6962
// precertificate SCTs), verified against the CT log keys of the trusted root.
#pragma once

#include "scanners/signing/crypto.h"
#include "scanners/signing/trusted_root.h"
#include "scanners/status.h"

namespace modelgate::signing {

// OK when at least one embedded SCT is signed by a CT log of `root` whose
// key was valid at the SCT's time. `issuer` is the certificate that signed
// `leaf` (its key hash is part of the signed data). SCT extensions (static
// CT) are covered by the signature and accepted.
Status VerifyEmbeddedSct(X509* leaf, X509* issuer, const TrustedRoot& root);

}  // namespace modelgate::signing
