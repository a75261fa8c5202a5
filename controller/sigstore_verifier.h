// The operator's real SignatureVerifier: verifies spec.signature with scanners/signing
// (sigstore/model-transparency, offline) and maps the result onto status.signature.
//  - inline scans (model_root set): signing::VerifyModel reads the model directory;
//  - Job scans (model_root ""): the bundle the scan Job embedded in its report
//    (SignatureInput::embedded_signature) is verified with signing::VerifyModelDigests
//    against the report's per-file SHA-256s: the same signer/trust checks, then the
//    signed `files` manifest against those hashes. No embedded bundle, a bundle for
//    another path, or an unreadable one: "not verified"; an embedded "missing": Unsigned;
//    a `shards` signature: "not verified" (whole-file hashes cannot check shards).
//
//  - keyless {identity, issuer}: needs a Sigstore trusted_root.json (operator flag
//    --sigstore-trusted-root); without one the result is "not verified", never Verified;
//  - publicKey {secretRef|configMapRef}: the PEM is read through `fetch_key` from the
//    model's namespace.
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
