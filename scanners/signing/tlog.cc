#include "scanners/signing/tlog.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "scanners/hashing.h"
#include "scanners/signing/checkpoint.h"
#include "scanners/signing/encoding.h"
#include "scanners/signing/merkle.h"

namespace modelgate::signing {
namespace {
using nlohmann::json;

// Tolerated clock skew for "integrated time is in the future".
constexpr int64_t kClockSkew = 60;

const json* Path(const json& j, std::initializer_list<const char*> keys) {
  const json* cur = &j;
  for (const char* k : keys) {
    if (!cur->is_object()) return nullptr;
    auto it = cur->find(k);
    if (it == cur->end()) return nullptr;
    cur = &*it;
  }
  return cur;
}

std::string Str(const json& j, std::initializer_list<const char*> keys) {
  const json* v = Path(j, keys);
  return v && v->is_string() ? v->get<std::string>() : std::string();
}

// The signer named by a Rekor v1 "publicKey"/"verifier" field: base64 of a
// PEM certificate or public key. Returns the DER the bundle would carry.
std::optional<std::string> SignerFromPemB64(const std::string& b64, bool want_cert) {
  auto pem = Base64Decode(b64);
  if (!pem) return std::nullopt;
  if (want_cert) {
    auto certs = CertsFromPem(*pem);
    if (!certs.ok()) return std::nullopt;
    return CertDer(certs->front().get());
  }
  auto key = PublicKeyFromPem(*pem);
  if (!key.ok()) return std::nullopt;
  return PublicKeyDer(key->get());
}

// Rekor v2 verifier object: {x509Certificate:{rawBytes}} or {publicKey:{rawBytes}}.
std::optional<std::string> SignerFromV2(const json& verifier, bool want_cert) {
  if (want_cert) {
    auto der = Base64Decode(Str(verifier, {"x509Certificate", "rawBytes"}));
    if (!der || der->empty()) return std::nullopt;
    return der;
  }
  auto raw = Base64Decode(Str(verifier, {"publicKey", "rawBytes"}));
  if (!raw || raw->empty()) return std::nullopt;
  auto key = PublicKeyFromDer(*raw);
  if (!key.ok()) return std::nullopt;
  return PublicKeyDer(key->get());
}

Status Mismatch(const std::string& what) { return Status::Error("log entry does not match the bundle: " + what); }

Status CheckHashedRekordV1(const json& spec, const LoggedContent& c) {
  if (c.is_dsse) return Mismatch("hashedrekord entry for a DSSE envelope");
  if (Str(spec, {"data", "hash", "algorithm"}) != "sha256") return Mismatch("unsupported hash algorithm");
  auto digest = HexDecode(Str(spec, {"data", "hash", "value"}));
  if (!digest || *digest != c.artifact_sha256) return Mismatch("artifact digest differs");
  auto sig = Base64Decode(Str(spec, {"signature", "content"}));
  if (!sig || *sig != c.signature) return Mismatch("signature differs");
  auto signer = SignerFromPemB64(Str(spec, {"signature", "publicKey", "content"}), c.signer_is_certificate);
  if (!signer || *signer != c.signer_der) return Mismatch("signing certificate or key differs");
  return Status::Ok();
}

Status CheckHashedRekordV2(const json& spec, const LoggedContent& c) {
  const json* h = Path(spec, {"hashedRekordV002"});
  if (!h) return Mismatch("hashedrekord 0.0.2 body lacks hashedRekordV002");
  if (Str(*h, {"data", "algorithm"}) != "SHA2_256") return Mismatch("unsupported hash algorithm");
  auto digest = Base64Decode(Str(*h, {"data", "digest"}));
  // A DSSE envelope is logged to Rekor v2 as a hashedrekord over its PAE.
  std::string expected = c.is_dsse ? scanners::Sha256Raw(Pae(c.payload_type, c.payload)) : c.artifact_sha256;
  if (!digest || *digest != expected) return Mismatch(c.is_dsse ? "envelope digest differs" : "artifact digest differs");
  auto sig = Base64Decode(Str(*h, {"signature", "content"}));
  if (!sig || *sig != c.signature) return Mismatch("signature differs");
  const json* verifier = Path(*h, {"signature", "verifier"});
  auto signer = verifier ? SignerFromV2(*verifier, c.signer_is_certificate) : std::nullopt;
  if (!signer || *signer != c.signer_der) return Mismatch("signing certificate or key differs");
  return Status::Ok();
}

Status CheckDsseV1(const json& spec, const LoggedContent& c) {
  if (!c.is_dsse) return Mismatch("dsse entry for a message signature");
  if (Str(spec, {"payloadHash", "algorithm"}) != "sha256") return Mismatch("unsupported payload hash");
  auto ph = HexDecode(Str(spec, {"payloadHash", "value"}));
  if (!ph || *ph != scanners::Sha256Raw(c.payload)) return Mismatch("payload hash differs");
  const json* sigs = Path(spec, {"signatures"});
  if (!sigs || !sigs->is_array() || sigs->size() != c.dsse_signatures.size()) return Mismatch("signature count differs");
  for (const auto& s : *sigs) {
    auto sig = Base64Decode(Str(s, {"signature"}));
    if (!sig || std::find(c.dsse_signatures.begin(), c.dsse_signatures.end(), *sig) == c.dsse_signatures.end())
      return Mismatch("signature differs");
    auto signer = SignerFromPemB64(Str(s, {"verifier"}), c.signer_is_certificate);
    if (!signer || *signer != c.signer_der) return Mismatch("signing certificate or key differs");
  }
  return Status::Ok();
}

Status CheckDsseV2(const json& spec, const LoggedContent& c) {
  if (!c.is_dsse) return Mismatch("dsse entry for a message signature");
  const json* d = Path(spec, {"dsseV002"});
  if (!d) return Mismatch("dsse 0.0.2 body lacks dsseV002");
  if (Str(*d, {"payloadHash", "algorithm"}) != "SHA2_256") return Mismatch("unsupported payload hash");
  auto ph = Base64Decode(Str(*d, {"payloadHash", "digest"}));
  if (!ph || *ph != scanners::Sha256Raw(c.payload)) return Mismatch("payload hash differs");
  const json* sigs = Path(*d, {"signatures"});
  if (!sigs || !sigs->is_array() || sigs->size() != c.dsse_signatures.size()) return Mismatch("signature count differs");
  for (const auto& s : *sigs) {
    auto sig = Base64Decode(Str(s, {"content"}));
    if (!sig || std::find(c.dsse_signatures.begin(), c.dsse_signatures.end(), *sig) == c.dsse_signatures.end())
      return Mismatch("signature differs");
    const json* verifier = Path(s, {"verifier"});
    auto signer = verifier ? SignerFromV2(*verifier, c.signer_is_certificate) : std::nullopt;
    if (!signer || *signer != c.signer_der) return Mismatch("signing certificate or key differs");
  }
  return Status::Ok();
}

Status CheckIntotoV2(const json& spec, const LoggedContent& c) {
  if (!c.is_dsse) return Mismatch("intoto entry for a message signature");
  const json* env = Path(spec, {"content", "envelope"});
  if (!env) return Mismatch("intoto body lacks the envelope");
  if (Str(spec, {"content", "payloadHash", "algorithm"}) != "sha256") return Mismatch("unsupported payload hash");
  auto ph = HexDecode(Str(spec, {"content", "payloadHash", "value"}));
  if (!ph || *ph != scanners::Sha256Raw(c.payload)) return Mismatch("payload hash differs");
  if (Str(*env, {"payloadType"}) != c.payload_type) return Mismatch("payload type differs");
  if (env->contains("payload")) {
    // Rekor stores the payload base64-encoded twice.
    auto once = Base64Decode(Str(*env, {"payload"}));
    auto twice = once ? Base64Decode(*once) : std::nullopt;
    if (!twice || *twice != c.payload) return Mismatch("payload differs");
  }
  const json* sigs = Path(*env, {"signatures"});
  if (!sigs || !sigs->is_array() || sigs->size() != c.dsse_signatures.size()) return Mismatch("signature count differs");
  for (const auto& s : *sigs) {
    auto once = Base64Decode(Str(s, {"sig"}));
    auto sig = once ? Base64Decode(*once) : std::nullopt;
    if (!sig || std::find(c.dsse_signatures.begin(), c.dsse_signatures.end(), *sig) == c.dsse_signatures.end())
      return Mismatch("signature differs");
    auto signer = SignerFromPemB64(Str(s, {"publicKey"}), c.signer_is_certificate);
    if (!signer || *signer != c.signer_der) return Mismatch("signing certificate or key differs");
  }
  return Status::Ok();
}

Status CheckBody(const TlogEntry& entry, const LoggedContent& c) {
  json body;
  try {
    body = json::parse(entry.canonicalized_body);
  } catch (const json::exception&) {
    return Status::Error("log entry body is not JSON");
  }
  std::string kind = Str(body, {"kind"}), version = Str(body, {"apiVersion"});
  if (kind != entry.kind || version != entry.version)
    return Status::Error("log entry body kind " + kind + "/" + version + " differs from kindVersion " +
                         entry.kind + "/" + entry.version);
  const json* spec = Path(body, {"spec"});
  if (!spec || !spec->is_object()) return Status::Error("log entry body lacks spec");
  if (kind == "hashedrekord" && version == "0.0.1") return CheckHashedRekordV1(*spec, c);
  if (kind == "hashedrekord" && version == "0.0.2") return CheckHashedRekordV2(*spec, c);
  if (kind == "dsse" && version == "0.0.1") return CheckDsseV1(*spec, c);
  if (kind == "dsse" && version == "0.0.2") return CheckDsseV2(*spec, c);
  if (kind == "intoto" && version == "0.0.2") return CheckIntotoV2(*spec, c);
  return Status::Error("unsupported log entry kind " + kind + "/" + version);
}

Status VerifySet(const TlogEntry& entry, const LogKey& log) {
  if (!entry.integrated_time) return Status::Error("inclusion promise without an integrated time");
  json payload = {{"body", Base64Encode(entry.canonicalized_body)},
                  {"integratedTime", *entry.integrated_time},
                  {"logID", scanners::HexEncode(entry.log_id)},
                  {"logIndex", entry.log_index}};
  // nlohmann objects keep keys sorted and dump() is compact: the canonical
  // JSON (RFC 8785 for these plain fields) that Rekor signed.
  if (!log.key) return Status::Error("transparency log key cannot be parsed");
  Status s = VerifyMessage(log.key.get(), payload.dump(), *entry.signed_entry_timestamp);
  if (!s.ok()) return Status::Error("signed entry timestamp does not verify with the log key");
  return Status::Ok();
}

}  // namespace

Result<TlogVerification> VerifyTlogEntry(const TlogEntry& entry, const TrustedRoot& root,
                                         const LoggedContent& content, bool require_inclusion_proof,
                                         int64_t now) {
  TlogVerification out;
  out.rekor_v2 = entry.version == "0.0.2" && (entry.kind == "hashedrekord" || entry.kind == "dsse");
  const LogKey* log = root.FindTlog(entry.log_id);
  if (!log) return Status::Error("log entry is from a transparency log that the trusted root does not know");
  Status body = CheckBody(entry, content);
  if (!body.ok()) return body;

  if (entry.signed_entry_timestamp) {
    Status s = VerifySet(entry, *log);
    if (!s.ok()) return s;
    int64_t t = *entry.integrated_time;
    if (t > now + kClockSkew) return Status::Error("integrated time " + FormatUnix(t) + " is in the future");
    if (!log->valid_for.Contains(t))
      return Status::Error("integrated time " + FormatUnix(t) + " is outside the log key's validity");
    out.verified_time = t;
  }
  if (entry.inclusion_proof) {
    const InclusionProof& p = *entry.inclusion_proof;
    Status s = VerifyInclusion(MerkleLeafHash(entry.canonicalized_body), p.log_index, p.tree_size, p.hashes,
                               p.root_hash);
    if (!s.ok()) return s;
    if (p.checkpoint.empty()) {
      if (require_inclusion_proof || out.rekor_v2) return Status::Error("inclusion proof has no checkpoint");
    } else {
      auto cp = VerifyCheckpoint(p.checkpoint, *log);
      if (!cp.ok()) return cp.status();
      if (cp->root_hash != p.root_hash) return Status::Error("checkpoint root hash differs from the inclusion proof's");
      if (cp->tree_size != p.tree_size) return Status::Error("checkpoint tree size differs from the inclusion proof's");
    }
  } else if (require_inclusion_proof || out.rekor_v2) {
    return Status::Error("log entry has no inclusion proof");
  } else if (!entry.signed_entry_timestamp) {
    return Status::Error("log entry has neither inclusion proof nor inclusion promise");
  }
  return out;
}

}  // namespace modelgate::signing
