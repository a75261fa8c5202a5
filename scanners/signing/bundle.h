// Sigstore bundle (protobuf-JSON: camelCase or snake_case field names, int64
// as strings or numbers, bytes as base64), media types v0.1, v0.2, v0.3 and
// "application/vnd.dev.sigstore.bundle.v0.3+json". Parsing checks shape and
// encodings only; nothing here is trusted yet (see verifier.h).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "scanners/signing/crypto.h"
#include "scanners/status.h"

namespace modelgate::signing {

struct InclusionProof {
  int64_t log_index = 0;
  int64_t tree_size = 0;
  std::string root_hash;            // raw
  std::vector<std::string> hashes;  // raw, leaf to root
  std::string checkpoint;           // signed note text; empty when absent
};

struct TlogEntry {
  int64_t log_index = 0;
  std::string log_id;  // raw key id
  std::string kind, version;
  std::optional<int64_t> integrated_time;           // absent or 0 in Rekor v2
  std::optional<std::string> signed_entry_timestamp;  // raw signature
  std::optional<InclusionProof> inclusion_proof;
  std::string canonicalized_body;  // raw JSON bytes
};

struct DsseSignature {
  std::string keyid;
  std::string sig;  // raw
};

enum class MaterialKind { kPublicKey, kCertificate, kCertificateChain };

struct Bundle {
  std::string media_type;
  int minor_version = 0;  // 1, 2 or 3 (bundle v0.x)
  MaterialKind material = MaterialKind::kPublicKey;
  std::string key_hint;     // publicKey.hint, informative
  std::vector<Cert> certs;  // leaf first; empty for kPublicKey
  std::vector<TlogEntry> tlog_entries;
  std::vector<std::string> rfc3161_timestamps;  // DER TimeStampResp
  bool is_dsse = false;
  // messageSignature
  std::string digest_algorithm;  // e.g. "SHA2_256"; empty when absent
  std::string message_digest;    // raw; empty when absent
  // The signature checked by the signer's key (message signature, or the one
  // DSSE signature).
  std::string signature;
  // dsseEnvelope
  std::string payload_type;
  std::string payload;  // raw
  std::vector<DsseSignature> dsse_signatures;
};

// Bundles above this size are rejected unparsed (real ones are a few KiB;
// a model_signing bundle for a huge sharded model stays well below).
inline constexpr size_t kMaxBundleBytes = 64u << 20;

// Parses a bundle. Errors name the field: malformed JSON, unknown media type,
// a bad base64/int64 value, an empty certificate chain, a negative log index,
// a missing signature, a DSSE envelope without exactly one signature, or
// material other than one public key / certificate / chain, or more than
// kMaxBundleBytes. Never throws.
Result<Bundle> ParseBundle(std::string_view json_text);

// DSSE pre-authentication encoding: "DSSEv1 <len> <type> <len> <payload>".
std::string Pae(std::string_view payload_type, std::string_view payload);

}  // namespace modelgate::signing
