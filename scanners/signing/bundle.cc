#include "scanners/signing/bundle.h"

#include <nlohmann/json.hpp>

#include "scanners/signing/json_fields.h"

namespace modelgate::signing {
namespace {
using nlohmann::json;
namespace jf = json_fields;

#define MG_TRY_ASSIGN(lhs, expr) \
  auto lhs##_r = (expr);         \
  if (!lhs##_r.ok()) return lhs##_r.status(); \
  auto lhs = std::move(lhs##_r.value())

int MinorVersion(const std::string& media_type) {
  if (media_type == "application/vnd.dev.sigstore.bundle+json;version=0.1") return 1;
  if (media_type == "application/vnd.dev.sigstore.bundle+json;version=0.2") return 2;
  if (media_type == "application/vnd.dev.sigstore.bundle+json;version=0.3") return 3;
  if (media_type == "application/vnd.dev.sigstore.bundle.v0.3+json") return 3;
  return 0;
}

Result<TlogEntry> ParseEntry(const json& e, const std::string& where) {
  if (!e.is_object()) return Status::Error(where + " must be an object");
  TlogEntry t;
  MG_TRY_ASSIGN(index, jf::Int64(e, "logIndex", where));
  if (!index) return Status::Error(where + ".logIndex is missing");
  if (*index < 0) return Status::Error(where + ".logIndex is negative");
  t.log_index = *index;
  const json* log_id = jf::Find(e, "logId");
  if (!log_id) return Status::Error(where + ".logId is missing");
  MG_TRY_ASSIGN(key_id, jf::Bytes(*log_id, "keyId", where + ".logId"));
  if (!key_id || key_id->empty()) return Status::Error(where + ".logId.keyId is missing");
  t.log_id = *key_id;
  const json* kv = jf::Find(e, "kindVersion");
  if (!kv) return Status::Error(where + ".kindVersion is missing");
  MG_TRY_ASSIGN(kind, jf::String(*kv, "kind", where + ".kindVersion"));
  MG_TRY_ASSIGN(version, jf::String(*kv, "version", where + ".kindVersion"));
  if (!kind || !version) return Status::Error(where + ".kindVersion is incomplete");
  t.kind = *kind;
  t.version = *version;
  MG_TRY_ASSIGN(itime, jf::Int64(e, "integratedTime", where));
  if (itime && *itime < 0) return Status::Error(where + ".integratedTime is negative");
  if (itime && *itime > 0) t.integrated_time = *itime;
  if (const json* promise = jf::Find(e, "inclusionPromise")) {
    MG_TRY_ASSIGN(set, jf::Bytes(*promise, "signedEntryTimestamp", where + ".inclusionPromise"));
    if (!set || set->empty()) return Status::Error(where + ".inclusionPromise.signedEntryTimestamp is missing");
    t.signed_entry_timestamp = *set;
  }
  if (const json* proof = jf::Find(e, "inclusionProof")) {
    std::string pw = where + ".inclusionProof";
    InclusionProof p;
    MG_TRY_ASSIGN(pidx, jf::Int64(*proof, "logIndex", pw));
    MG_TRY_ASSIGN(size, jf::Int64(*proof, "treeSize", pw));
    MG_TRY_ASSIGN(root, jf::Bytes(*proof, "rootHash", pw));
    if (!pidx || !size || !root) return Status::Error(pw + " is incomplete");
    if (*pidx < 0 || *size < 0) return Status::Error(pw + " has a negative index or size");
    p.log_index = *pidx;
    p.tree_size = *size;
    p.root_hash = *root;
    if (const json* hashes = jf::Find(*proof, "hashes")) {
      if (!hashes->is_array()) return Status::Error(pw + ".hashes must be an array");
      for (const auto& h : *hashes) {
        if (!h.is_string()) return Status::Error(pw + ".hashes must hold strings");
        json wrap = {{"h", h}};
        MG_TRY_ASSIGN(raw, jf::Bytes(wrap, "h", pw + ".hashes"));
        p.hashes.push_back(*raw);
      }
    }
    if (const json* cp = jf::Find(*proof, "checkpoint")) {
      MG_TRY_ASSIGN(env, jf::String(*cp, "envelope", pw + ".checkpoint"));
      if (env) p.checkpoint = *env;
    }
    t.inclusion_proof = std::move(p);
  }
  MG_TRY_ASSIGN(body, jf::Bytes(e, "canonicalizedBody", where));
  if (!body || body->empty()) return Status::Error(where + ".canonicalizedBody is missing");
  t.canonicalized_body = *body;
  return t;
}

Result<std::vector<Cert>> ParseCerts(const json& list, const std::string& where) {
  if (!list.is_array()) return Status::Error(where + " must be an array");
  std::vector<Cert> out;
  for (size_t i = 0; i < list.size(); ++i) {
    std::string w = where + "[" + std::to_string(i) + "]";
    MG_TRY_ASSIGN(der, jf::Bytes(list[i], "rawBytes", w));
    if (!der) return Status::Error(w + ".rawBytes is missing");
    auto cert = CertFromDer(*der);
    if (!cert.ok()) return Status::Error(w + ": " + cert.status().message());
    out.push_back(*cert);
  }
  return out;
}

Result<Bundle> ParseJson(const json& doc) {
  if (!doc.is_object()) return Status::Error("bundle is not a JSON object");
  Bundle b;
  MG_TRY_ASSIGN(mt, jf::String(doc, "mediaType", "bundle"));
  if (!mt) return Status::Error("bundle.mediaType is missing");
  b.media_type = *mt;
  b.minor_version = MinorVersion(b.media_type);
  if (b.minor_version == 0) return Status::Error("unsupported bundle media type '" + b.media_type + "'");

  const json* vm = jf::Find(doc, "verificationMaterial");
  if (!vm || !vm->is_object()) return Status::Error("bundle.verificationMaterial is missing");
  int materials = 0;
  if (const json* pk = jf::Find(*vm, "publicKey")) {
    ++materials;
    b.material = MaterialKind::kPublicKey;
    MG_TRY_ASSIGN(hint, jf::String(*pk, "hint", "verificationMaterial.publicKey"));
    if (hint) b.key_hint = *hint;
  }
  if (const json* chain = jf::Find(*vm, "x509CertificateChain")) {
    ++materials;
    b.material = MaterialKind::kCertificateChain;
    const json* list = jf::Find(*chain, "certificates");
    if (!list) return Status::Error("verificationMaterial.x509CertificateChain.certificates is missing");
    MG_TRY_ASSIGN(certs, ParseCerts(*list, "verificationMaterial.x509CertificateChain.certificates"));
    if (certs.empty()) return Status::Error("verificationMaterial.x509CertificateChain is empty");
    b.certs = std::move(certs);
  }
  if (const json* cert = jf::Find(*vm, "certificate")) {
    ++materials;
    b.material = MaterialKind::kCertificate;
    MG_TRY_ASSIGN(certs, ParseCerts(json::array({*cert}), "verificationMaterial.certificate"));
    b.certs = std::move(certs);
  }
  if (materials != 1) return Status::Error("verificationMaterial must hold exactly one of publicKey, certificate, x509CertificateChain");
  if (b.material == MaterialKind::kCertificate && b.minor_version < 3)
    return Status::Error("verificationMaterial.certificate requires bundle v0.3");

  if (const json* entries = jf::Find(*vm, "tlogEntries")) {
    if (!entries->is_array()) return Status::Error("verificationMaterial.tlogEntries must be an array");
    for (size_t i = 0; i < entries->size(); ++i) {
      MG_TRY_ASSIGN(e, ParseEntry((*entries)[i], "tlogEntries[" + std::to_string(i) + "]"));
      b.tlog_entries.push_back(std::move(e));
    }
  }
  if (const json* tvd = jf::Find(*vm, "timestampVerificationData")) {
    if (const json* list = jf::Find(*tvd, "rfc3161Timestamps")) {
      if (!list->is_array()) return Status::Error("rfc3161Timestamps must be an array");
      for (size_t i = 0; i < list->size(); ++i) {
        MG_TRY_ASSIGN(ts, jf::Bytes((*list)[i], "signedTimestamp", "rfc3161Timestamps[" + std::to_string(i) + "]"));
        if (!ts || ts->empty()) return Status::Error("rfc3161Timestamps[" + std::to_string(i) + "] is empty");
        b.rfc3161_timestamps.push_back(*ts);
      }
    }
  }

  const json* ms = jf::Find(doc, "messageSignature");
  const json* dsse = jf::Find(doc, "dsseEnvelope");
  if ((ms != nullptr) == (dsse != nullptr))
    return Status::Error("bundle must hold exactly one of messageSignature, dsseEnvelope");
  if (ms) {
    if (const json* md = jf::Find(*ms, "messageDigest")) {
      MG_TRY_ASSIGN(alg, jf::String(*md, "algorithm", "messageSignature.messageDigest"));
      MG_TRY_ASSIGN(dig, jf::Bytes(*md, "digest", "messageSignature.messageDigest"));
      if (alg) b.digest_algorithm = *alg;
      if (dig) b.message_digest = *dig;
    }
    MG_TRY_ASSIGN(sig, jf::Bytes(*ms, "signature", "messageSignature"));
    if (!sig || sig->empty()) return Status::Error("messageSignature.signature is missing");
    b.signature = *sig;
  } else {
    b.is_dsse = true;
    MG_TRY_ASSIGN(pt, jf::String(*dsse, "payloadType", "dsseEnvelope"));
    MG_TRY_ASSIGN(payload, jf::Bytes(*dsse, "payload", "dsseEnvelope"));
    if (!pt || !payload) return Status::Error("dsseEnvelope needs payload and payloadType");
    b.payload_type = *pt;
    b.payload = *payload;
    const json* sigs = jf::Find(*dsse, "signatures");
    if (!sigs || !sigs->is_array()) return Status::Error("dsseEnvelope.signatures is missing");
    for (const auto& s : *sigs) {
      MG_TRY_ASSIGN(sig, jf::Bytes(s, "sig", "dsseEnvelope.signatures"));
      MG_TRY_ASSIGN(keyid, jf::String(s, "keyid", "dsseEnvelope.signatures"));
      if (!sig || sig->empty()) return Status::Error("dsseEnvelope signature is empty");
      b.dsse_signatures.push_back({keyid ? *keyid : "", *sig});
    }
    if (b.dsse_signatures.size() != 1)
      return Status::Error("dsseEnvelope must hold exactly one signature");
    b.signature = b.dsse_signatures[0].sig;
  }
  return b;
}

}  // namespace

Result<Bundle> ParseBundle(std::string_view json_text) {
  if (json_text.size() > kMaxBundleBytes)
    return Status::Error("bundle is larger than " + std::to_string(kMaxBundleBytes) + " bytes");
  try {
    json doc = json::parse(json_text.begin(), json_text.end());
    return ParseJson(doc);
  } catch (const json::exception& e) {
    return Status::Error(std::string("bundle is not valid JSON: ") + e.what());
  }
}

std::string Pae(std::string_view payload_type, std::string_view payload) {
  std::string out = "DSSEv1 ";
  out += std::to_string(payload_type.size());
  out += ' ';
  out += payload_type;
  out += ' ';
  out += std::to_string(payload.size());
  out += ' ';
  out += payload;
  return out;
}

}  // namespace modelgate::signing
