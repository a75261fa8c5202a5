#include "scanners/signing/verifier.h"

#include <ctime>
#include <nlohmann/json.hpp>

#include "scanners/hashing.h"
#include "scanners/signing/certificate.h"
#include "scanners/signing/sct.h"
#include "scanners/signing/timestamp.h"
#include "scanners/signing/tlog.h"

namespace modelgate::signing {
namespace {

constexpr char kInTotoType[] = "application/vnd.in-toto+json";

BundleVerification Fail(Outcome o, std::string reason) {
  BundleVerification v;
  v.outcome = o;
  v.reason = std::move(reason);
  return v;
}

// Does the in-toto statement name `sha256` (raw) as a subject digest?
bool StatementHasSubject(const std::string& payload, const std::string& sha256) {
  try {
    auto doc = nlohmann::json::parse(payload);
    const auto& subjects = doc.at("subject");
    std::string hex = scanners::HexEncode(sha256);
    for (const auto& s : subjects) {
      auto it = s.find("digest");
      if (it == s.end() || !it->is_object()) continue;
      auto d = it->find("sha256");
      if (d != it->end() && d->is_string() && d->get<std::string>() == hex) return true;
    }
  } catch (const nlohmann::json::exception&) {
  }
  return false;
}

// Fulcio CA chains valid at `t`: anchors are the self-signed certificates,
// the rest are intermediates.
Status VerifyFulcioChainAt(const Cert& leaf, const TrustedRoot& root, int64_t t, Cert* issuer) {
  std::string last = "no certificate authority of the trusted root is valid at " + FormatUnix(t);
  for (const auto& ca : root.certificate_authorities) {
    if (!ca.valid_for.Contains(t)) continue;
    std::vector<Cert> anchors, intermediates;
    for (const auto& c : ca.chain) (IsSelfSigned(c.get()) ? anchors : intermediates).push_back(c);
    if (anchors.empty()) anchors.push_back(ca.chain.back());
    auto chain = VerifyChainAt(leaf, intermediates, anchors, t);
    if (chain.ok() && chain->size() >= 2) {
      *issuer = (*chain)[1];
      return Status::Ok();
    }
    last = chain.ok() ? "certificate is its own anchor" : chain.status().message();
  }
  return Status::Error(last);
}

}  // namespace

BundleVerification VerifyBundle(const Bundle& bundle, const ArtifactRef& artifact, const VerifyPolicy& policy) {
  const int64_t now = policy.now ? policy.now : static_cast<int64_t>(std::time(nullptr));
  const bool has_cert = bundle.material != MaterialKind::kPublicKey;
  BundleVerification result;

  // 1. The signer's key, and who the signer is.
  PKey key;
  Cert leaf;
  LoggedContent logged;
  switch (policy.mode) {
    case SignerMode::kPublicKey:
      if (!policy.key) return Fail(Outcome::kInvalid, "no public key configured");
      if (has_cert) {
        return Fail(Outcome::kUntrusted, "bundle is signed with a certificate (" + SubjectName(bundle.certs[0].get()) +
                                             "), not with the configured key");
      }
      key = policy.key;
      logged.signer_der = PublicKeyDer(key.get());
      result.signer = "key sha256:" + scanners::Sha256Hex(logged.signer_der);
      break;
    case SignerMode::kCertificateChain:
    case SignerMode::kKeyless: {
      if (!has_cert) return Fail(Outcome::kUntrusted, "bundle is signed with a bare key, not a certificate");
      leaf = bundle.certs[0];
      EVP_PKEY* k = X509_get0_pubkey(leaf.get());
      if (!k) return Fail(Outcome::kInvalid, "signing certificate has no usable public key");
      EVP_PKEY_up_ref(k);
      key = PKey(k, PkeyFree());
      logged.signer_der = CertDer(leaf.get());
      logged.signer_is_certificate = true;
      result.signer = SubjectName(leaf.get());
      break;
    }
  }

  if (policy.mode == SignerMode::kCertificateChain) {
    std::vector<Cert> intermediates(bundle.certs.begin() + 1, bundle.certs.end());
    auto chain = VerifyChainAt(leaf, intermediates, policy.anchors, now);
    if (!chain.ok())
      return Fail(Outcome::kUntrusted, "signing certificate " + SubjectName(leaf.get()) +
                                           " is not trusted: " + chain.status().message());
    if (!HasDigitalSignatureUsage(leaf.get()) && !HasCodeSigningEku(leaf.get()))
      return Fail(Outcome::kUntrusted, "signing certificate allows neither digitalSignature nor codeSigning");
  }
  if (policy.mode == SignerMode::kKeyless) {
    if (!policy.root) return Fail(Outcome::kInvalid, "keyless verification needs a trusted root");
    for (const auto& c : bundle.certs)
      if (IsSelfSigned(c.get())) return Fail(Outcome::kInvalid, "bundle certificate chain contains a root certificate");
    if (IsCa(leaf.get())) return Fail(Outcome::kInvalid, "signing certificate is a CA certificate");
    if (!HasDigitalSignatureUsage(leaf.get()) || !HasCodeSigningEku(leaf.get()))
      return Fail(Outcome::kInvalid, "signing certificate lacks digitalSignature key usage or codeSigning EKU");
  }

  // 2. The signature over the content.
  if (bundle.is_dsse) {
    if (!VerifyMessage(key.get(), Pae(bundle.payload_type, bundle.payload), bundle.signature).ok()) {
      // With a configured key we cannot tell tampering from another signer;
      // either way the configured key did not sign this.
      if (policy.mode == SignerMode::kPublicKey)
        return Fail(Outcome::kUntrusted, "DSSE signature was not made by the configured key");
      return Fail(Outcome::kInvalid, "DSSE signature does not verify with the signing certificate's key");
    }
    if (artifact.sha256) {
      if (bundle.payload_type != kInTotoType)
        return Fail(Outcome::kInvalid, "DSSE payload type " + bundle.payload_type + " is not in-toto");
      if (!StatementHasSubject(bundle.payload, *artifact.sha256))
        return Fail(Outcome::kInvalid, "artifact digest is not a subject of the signed in-toto statement");
    }
    logged.is_dsse = true;
    logged.payload = bundle.payload;
    logged.payload_type = bundle.payload_type;
    for (const auto& s : bundle.dsse_signatures) logged.dsse_signatures.push_back(s.sig);
  } else {
    if (!artifact.sha256) return Fail(Outcome::kInvalid, "message signature needs the artifact digest");
    if (!bundle.message_digest.empty()) {
      if (bundle.digest_algorithm != "SHA2_256")
        return Fail(Outcome::kInvalid, "unsupported message digest algorithm " + bundle.digest_algorithm);
      if (bundle.message_digest != *artifact.sha256)
        return Fail(Outcome::kInvalid, "bundle message digest does not match the artifact");
    }
    Status s = artifact.bytes ? VerifyMessage(key.get(), *artifact.bytes, bundle.signature)
                              : (DefaultDigest(key.get()) == EVP_sha256()
                                     ? VerifyPrehashed(key.get(), EVP_sha256(), *artifact.sha256, bundle.signature)
                                     : Status::Error("this key type needs the artifact itself, not its digest"));
    if (!s.ok()) {
      if (policy.mode == SignerMode::kPublicKey)
        return Fail(Outcome::kUntrusted, "message signature was not made by the configured key: " + s.message());
      return Fail(Outcome::kInvalid, "message signature does not verify: " + s.message());
    }
    logged.artifact_sha256 = *artifact.sha256;
  }
  logged.signature = bundle.signature;

  // 3. Transparency-log entries and timestamps.
  if (policy.root) {
    for (size_t i = 0; i < bundle.tlog_entries.size(); ++i) {
      auto v = VerifyTlogEntry(bundle.tlog_entries[i], *policy.root, logged, bundle.minor_version >= 2, now);
      if (!v.ok()) return Fail(Outcome::kInvalid, "transparency log entry " + std::to_string(i) + ": " + v.status().message());
      if (v->verified_time) result.verified_times.push_back(*v->verified_time);
    }
    for (size_t i = 0; i < bundle.rfc3161_timestamps.size(); ++i) {
      auto t = VerifyRfc3161(bundle.rfc3161_timestamps[i], bundle.signature, *policy.root);
      if (!t.ok()) return Fail(Outcome::kInvalid, "timestamp " + std::to_string(i) + ": " + t.status().message());
      result.verified_times.push_back(*t);
    }
  }

  // 4. Keyless: the certificate must have been valid, chained to Fulcio and
  // logged to CT at every verified time, and name the expected identity.
  if (policy.mode == SignerMode::kKeyless) {
    if (bundle.tlog_entries.empty()) return Fail(Outcome::kInvalid, "bundle has no transparency log entry");
    if (result.verified_times.empty())
      return Fail(Outcome::kInvalid, "no verified time: neither a signed entry timestamp nor an RFC 3161 timestamp");
    int64_t nb = 0, na = 0;
    if (!CertValidity(leaf.get(), &nb, &na)) return Fail(Outcome::kInvalid, "certificate validity is unreadable");
    Cert issuer;
    for (int64_t t : result.verified_times) {
      if (t < nb || t > na)
        return Fail(Outcome::kInvalid, "verified time " + FormatUnix(t) + " is outside the certificate's validity (" +
                                           FormatUnix(nb) + " to " + FormatUnix(na) + ")");
      Status s = VerifyFulcioChainAt(leaf, *policy.root, t, &issuer);
      if (!s.ok()) return Fail(Outcome::kUntrusted, "certificate does not chain to a trusted Fulcio CA: " + s.message());
    }
    Status sct = VerifyEmbeddedSct(leaf.get(), issuer.get(), *policy.root);
    if (!sct.ok()) return Fail(Outcome::kInvalid, sct.message());
    auto sans = SubjectAlternativeNames(leaf.get());
    auto iss = OidcIssuer(leaf.get());
    result.signer = sans.empty() ? std::string("(no SAN)") : sans.front();
    result.issuer = iss.value_or("");
    bool id_ok = false;
    for (const auto& s : sans) id_ok |= s == policy.identity;
    if (!id_ok || !iss || *iss != policy.issuer)
      return Fail(Outcome::kUntrusted, "signed by " + result.signer + " (issuer " + result.issuer + "), expected " +
                                           policy.identity + " (issuer " + policy.issuer + ")");
  }

  result.outcome = Outcome::kVerified;
  if (bundle.is_dsse) {
    result.payload_type = bundle.payload_type;
    result.payload = bundle.payload;
  }
  return result;
}

}  // namespace modelgate::signing
