// The seam for model signature verification (sigstore/model-transparency).
//
// The reconciler calls ControllerOptions::signature_verifier after every successful
// scan. `modelgate controller` passes the real one, MakeSigstoreVerifier()
// (controller/sigstore_verifier.h: offline verification of spec.signature with
// scanners/signing, public key or keyless). DefaultSignatureVerifier below is only the
// fallback when no verifier is set (library users, tests): it checks nothing, reporting
// kUnsigned when the spec declares no signature and kNotVerified otherwise.
// kNotVerified is written as status "Unsigned" with a SignatureVerified=False/
// VerificationUnavailable condition; nothing is ever reported Verified without a check.
// Job-mode scans hand back per-file hashes but no local model directory (model_root "");
// when a signature is declared the Job also embeds the signature file in its report
// (embedded_signature), and the verifier checks that bundle against the hashes. The
// Job's bytes are evidence only: a Job cannot make a model Verified on its own.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "controller/hashes.h"
#include "policy/objects.h"
#include "scanners/signing/embedded_signature.h"

namespace modelgate::controller {

struct SignatureResult {
  enum class Kind { kVerified, kUnsigned, kInvalid, kUntrusted, kNotVerified };
  Kind kind = Kind::kUnsigned;
  std::string identity;  // who signed (SAN, key id), when known
  std::string issuer;    // OIDC issuer (keyless), when known
  std::string detail;    // why, for the condition message
};

// What a verifier may look at. Paths in `files` are relative to `model_root`.
struct SignatureInput {
  const policy::ModelAdmission* model = nullptr;  // spec.signature lives here
  std::string model_root;       // local directory (inline scans); "" in job mode
  std::vector<ObservedFile> files;  // per-file SHA-256 from the scan
  std::string manifest_digest;  // "sha256:<hex>" of the model_signing manifest, or ""
  // Job mode: the signature file as the scan Job read it from the model volume
  // (unchecked; null when the report carries none). Owned by the caller.
  const signing::EmbeddedSignature* embedded_signature = nullptr;
};

// Must be thread-safe (called from scan workers) and must not throw.
using SignatureVerifier = std::function<SignatureResult(const SignatureInput&)>;

// The fallback verifier (see the file comment): kUnsigned or kNotVerified, never kVerified.
SignatureResult DefaultSignatureVerifier(const SignatureInput& in);

// status.signature.status value: "Verified", "Unsigned", "Invalid", "Untrusted"
// (kNotVerified is written as "Unsigned": nothing was verified).
const char* SignatureStatusName(SignatureResult::Kind k);

}  // namespace modelgate::controller
