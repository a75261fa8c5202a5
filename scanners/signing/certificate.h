// X.509 checks for signing certificates, all through OpenSSL: chain building
// to configured anchors at a given time, key usage, and the identity fields
// Fulcio writes (SANs, OIDC issuer extensions).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "scanners/signing/crypto.h"
#include "scanners/status.h"

namespace modelgate::signing {

// Builds and verifies a chain from `leaf` through `intermediates` to one of
// `anchors` (trusted as they are, self-signed or not), checking validity at
// `at` (Unix seconds). On success returns the chain, leaf first, anchor last.
Result<std::vector<Cert>> VerifyChainAt(const Cert& leaf, const std::vector<Cert>& intermediates,
                                        const std::vector<Cert>& anchors, int64_t at);

// notBefore/notAfter of `cert` in Unix seconds; false if unreadable.
bool CertValidity(X509* cert, int64_t* not_before, int64_t* not_after);

// True when the certificate is a CA (basicConstraints CA:TRUE).
bool IsCa(X509* cert);
// True when subject == issuer and the certificate's own key verifies it.
bool IsSelfSigned(X509* cert);
// True when keyUsage has digitalSignature (or keyUsage is absent).
bool HasDigitalSignatureUsage(X509* cert);
// True when extendedKeyUsage lists codeSigning.
bool HasCodeSigningEku(X509* cert);

// Subject alternative names: emails, URIs, DNS names and Fulcio otherName
// (1.3.6.1.4.1.57264.1.7) UTF-8 values, in certificate order.
std::vector<std::string> SubjectAlternativeNames(X509* cert);

// The OIDC issuer Fulcio recorded: extension 1.3.6.1.4.1.57264.1.8 (DER
// UTF8String) if present, else the deprecated 1.3.6.1.4.1.57264.1.1 (raw
// bytes).
std::optional<std::string> OidcIssuer(X509* cert);

// The subject as a one-line string ("CN=...,O=...").
std::string SubjectName(X509* cert);

}  // namespace modelgate::signing
