// Verifies a model directory against its model_signing signature
// (sigstore/model-transparency v1.x: a Sigstore bundle whose DSSE envelope
// carries an in-toto statement with predicate
// https://model_signing/signature/v1.0, or the legacy
// https://model_signing/Digests/v0.1). The signature must be by the expected
// signer and every file (or shard) must hash to what was signed.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "scanners/signing/manifest.h"
#include "scanners/signing/verifier.h"

namespace modelgate::signing {

// The ModelAdmission `status.signature.status` values, plus kError for "could
// not decide" (unreadable files, unsupported hash type): never a pass.
enum class SignatureStatus { kVerified, kInvalid, kUntrusted, kUnsigned, kError };

const char* SignatureStatusName(SignatureStatus s);  // "Verified", ...

struct ModelVerifyOptions {
  // The signature file; empty means "<dir>/model.sig". It is never covered
  // by the manifest when it lives inside the model. For VerifyModelDigests:
  // its path relative to the model (empty: "model.sig"), left out likewise.
  std::string signature_path;
  VerifyPolicy policy;
  // Paths (relative to the model) ignored on top of the ones the signature
  // records in its serialization.ignore_paths.
  std::vector<std::string> ignore_paths;
  bool ignore_git_paths = true;
};

struct FileMismatch {
  enum class Kind { kModified, kMissing, kExtra };
  Kind kind;
  std::string name;  // resource name: path, or path:start:end for shards
};

struct ModelVerification {
  SignatureStatus status = SignatureStatus::kError;
  std::string reason;                   // precise cause when not verified
  std::string signer, issuer;           // who signed (also when untrusted)
  std::string root_digest;              // signed subject digest, hex
  std::vector<ManifestEntry> resources;  // signed resources (verified ones when kVerified)
  std::vector<FileMismatch> mismatches;  // kInvalid because of file content
};

// Verifies the model at `dir`. Unsigned: no signature file. Untrusted: the
// signature is valid but not by the configured signer. Invalid: malformed or
// tampered signature, or files that differ / are missing / are extra.
// kError: the model could not be read. Never throws.
ModelVerification VerifyModel(const std::string& dir, const ModelVerifyOptions& options);

// Verifies a model known only by its files' SHA-256, as a scanner reported them
// (no directory access): `bundle_json` is the signature file's content, `files` are
// (path relative to the model, lowercase hex SHA-256) for every regular file found.
// The same signature, signer and trust checks as VerifyModel, then the signed
// `files` manifest is compared with `files` minus the signature's ignore paths,
// options.ignore_paths, the git paths (options.ignore_git_paths) and
// options.signature_path: kInvalid names every modified, missing and extra file
// (mismatches as in VerifyModel). kError ("could not decide", never a pass) when the
// signature is valid but uses the `shards` serialization (shard digests cannot be
// derived from whole-file digests), or when a compared file has no digest (it could
// not be hashed). Symlinks are invisible in `files`, so a signature's
// allow_symlinks=false is not enforced here. Never throws.
ModelVerification VerifyModelDigests(std::string_view bundle_json, const std::vector<ManifestEntry>& files,
                                     const ModelVerifyOptions& options);

}  // namespace modelgate::signing
