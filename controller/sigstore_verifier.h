// The operator's real SignatureVerifier: verifies spec.signature of a model read
// inline (hostPath, --pvc-root) with scanners/signing (sigstore/model-transparency,
// offline), and maps the result onto status.signature.
//
//  - keyless {identity, issuer}: needs a Sigstore trusted_root.json (operator flag
//    --sigstore-trusted-root); without one the result is "not verified", never Verified;
//  - publicKey {secretRef|configMapRef}: the PEM is read through `fetch_key` from the
//    model's namespace.
// Job-mode scans have no local model directory: "not verified" with that reason.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "controller/signature.h"
#include "scanners/status.h"

namespace modelgate::controller {

struct SigstoreVerifierOptions {
  // Contents of a trusted_root.json; empty = keyless signatures cannot be verified.
  std::string trusted_root_json;
  // Returns the PEM stored under `ref` in namespace `ns` (Secret data is base64 in
  // the API; the fetcher returns decoded bytes).
  std::function<Result<std::string>(const std::string& ns, const policy::KeyRef& ref)> fetch_key;
};

// Error when trusted_root_json is set but does not parse.
Result<SignatureVerifier> MakeSigstoreVerifier(SigstoreVerifierOptions options);

}  // namespace modelgate::controller
