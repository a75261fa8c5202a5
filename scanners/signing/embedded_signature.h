// A model's signature file carried inside a scan report (`modelgate scan
// --embed-signature PATH`, field "signature" of docs/scan-output.md). A scan Job is
// the only one that can read the model volume; it hands the bundle's bytes to the
// operator, which verifies them itself (VerifyModelDigests) against the file hashes of
// the same report. The embedded bytes are evidence to check, never a verdict.
#pragma once

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "scanners/status.h"

namespace modelgate::signing {

struct EmbeddedSignature {
  enum class State {
    kPresent,     // `bundle` holds the file's bytes
    kMissing,     // no such file in the model
    kTooLarge,    // larger than kMaxBundleBytes (bundle.h): not read
    kUnreadable,  // not a regular file inside the model, or a read error (`reason`)
  };
  std::string path;  // as requested: relative to the scanned model directory
  State state = State::kUnreadable;
  uint64_t size = 0;   // the file's size (kPresent, kTooLarge)
  std::string bundle;  // kPresent only
  std::string reason;  // why not kPresent
};

// "present", "missing", "too-large", "unreadable".
const char* EmbeddedStateName(EmbeddedSignature::State s);

// Ok when `rel` is a relative POSIX path of clean segments ("a/model.sig": no empty,
// "." or ".." segment, no leading '/' or '-'), the only form --embed-signature
// accepts, so the option can only ever read below the scanned directory (and its
// value can never be mistaken for another option).
Status CheckEmbedPath(const std::string& rel);

// Reads `model_dir`/`rel` for embedding. Never throws; every failure is a state with
// a reason: `model_dir` not a directory or a path that leaves it through a symlink
// (kUnreadable), no file (kMissing), over kMaxBundleBytes (kTooLarge, not read).
// Precondition: CheckEmbedPath(rel) is ok (otherwise kUnreadable).
EmbeddedSignature ReadEmbeddedSignature(const std::string& model_dir, const std::string& rel);

// {"path", "status", "size", "bundleBase64" (kPresent), "reason" (otherwise)}.
nlohmann::json EmbeddedSignatureToJson(const EmbeddedSignature& sig);

// The inverse. Errors (naming the field): not an object, a field of the wrong type,
// an unknown status, bad base64, a bundle over kMaxBundleBytes, or a path that fails
// CheckEmbedPath. Never throws.
Result<EmbeddedSignature> EmbeddedSignatureFromJson(const nlohmann::json& j);

}  // namespace modelgate::signing
