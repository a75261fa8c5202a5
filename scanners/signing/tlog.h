// Rekor transparency-log entries: the entry's body must describe exactly
// what the bundle signs, its signed entry timestamp (inclusion promise) must
// verify with the log key, and its Merkle inclusion proof must reach a root
// hash that a checkpoint signed by the log vouches for. Rekor v1
// (hashedrekord/dsse/intoto 0.0.x) and Rekor v2 (hashedrekord/dsse 0.0.2).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "scanners/signing/bundle.h"
#include "scanners/signing/trusted_root.h"
#include "scanners/status.h"

namespace modelgate::signing {

// What the bundle claims was logged.
struct LoggedContent {
  bool is_dsse = false;
  std::string signature;        // raw signature checked by the signer key
  std::string artifact_sha256;  // raw; message signatures only
  std::string payload_type, payload;
  std::vector<std::string> dsse_signatures;  // raw
  std::string signer_der;       // leaf certificate DER, or SubjectPublicKeyInfo DER
  bool signer_is_certificate = false;
};

struct TlogVerification {
  // The integrated time, set only when a signed entry timestamp vouches for
  // it (that is the only way it becomes a verified time).
  std::optional<int64_t> verified_time;
  bool rekor_v2 = false;
};

// Verifies `entry` against `root` and `content`. `require_inclusion_proof`
// is true for bundles v0.2 and later (and always for Rekor v2 entries).
// `now` bounds the integrated time (no entries from the future). Error
// message says which check failed.
Result<TlogVerification> VerifyTlogEntry(const TlogEntry& entry, const TrustedRoot& root,
                                         const LoggedContent& content, bool require_inclusion_proof,
                                         int64_t now);

}  // namespace modelgate::signing
