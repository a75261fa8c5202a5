// Verifies a Sigstore bundle: who signed (public key, certificate chain to
// configured anchors, or keyless Fulcio identity), that the signature covers
// the artifact or DSSE payload, and the transparency-log and timestamp
// evidence. Pure function of its inputs plus `now`.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "scanners/signing/bundle.h"
#include "scanners/signing/crypto.h"
#include "scanners/signing/trusted_root.h"

namespace modelgate::signing {

enum class SignerMode {
  kPublicKey,         // `key` must have made the signature
  kCertificateChain,  // leaf must chain to `anchors` (at `now`)
  kKeyless,           // Fulcio certificate for `identity`/`issuer`, per `root`
};

struct VerifyPolicy {
  SignerMode mode = SignerMode::kKeyless;
  PKey key;                        // kPublicKey
  std::vector<Cert> anchors;       // kCertificateChain: trusted roots/intermediates
  std::string identity, issuer;    // kKeyless: exact SAN and OIDC issuer
  // Required for kKeyless. With the other modes, when set, log entries are
  // verified against it; when null they are not checked (offline keys).
  const TrustedRoot* root = nullptr;
  int64_t now = 0;                 // Unix seconds; 0 means the system clock
};

// What the signature must cover. For message signatures the SHA-256 is
// required and `bytes` (the whole artifact) is used when present (needed for
// Ed25519). For DSSE, `sha256` (when set) must appear as a subject digest of
// the in-toto statement.
struct ArtifactRef {
  std::optional<std::string> sha256;  // raw 32 bytes
  std::optional<std::string> bytes;
};

enum class Outcome {
  kVerified,
  kInvalid,    // malformed, tampered or inconsistent evidence
  kUntrusted,  // cryptographically fine but not by the expected signer
};

struct BundleVerification {
  Outcome outcome = Outcome::kInvalid;
  std::string reason;           // why, when not verified
  std::string signer;           // SAN, certificate subject, or key
  std::string issuer;           // OIDC issuer (keyless)
  std::vector<int64_t> verified_times;
  std::string payload_type;     // DSSE only, after the signature verified
  std::string payload;
  bool ok() const { return outcome == Outcome::kVerified; }
};

BundleVerification VerifyBundle(const Bundle& bundle, const ArtifactRef& artifact, const VerifyPolicy& policy);

}  // namespace modelgate::signing
