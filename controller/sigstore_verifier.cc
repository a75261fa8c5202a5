#include "controller/sigstore_verifier.h"

#include "scanners/signing/crypto.h"
#include "scanners/signing/model_verify.h"
#include "scanners/signing/trusted_root.h"

namespace modelgate::controller {
namespace {

SignatureResult NotVerified(std::string why) {
  SignatureResult r;
  r.kind = SignatureResult::Kind::kNotVerified;
  r.detail = std::move(why);
  return r;
}

}  // namespace

Result<SignatureVerifier> MakeSigstoreVerifier(SigstoreVerifierOptions options) {
  std::shared_ptr<const signing::TrustedRoot> root;
  if (!options.trusted_root_json.empty()) {
    auto parsed = signing::ParseTrustedRoot(options.trusted_root_json);
    if (!parsed.ok()) return Status::Error("--sigstore-trusted-root: " + parsed.status().message());
    root = std::make_shared<const signing::TrustedRoot>(std::move(parsed).value());
  }
  auto fetch_key = options.fetch_key;
  SignatureVerifier verifier = [root, fetch_key](const SignatureInput& in) -> SignatureResult {
    if (in.model == nullptr || !in.model->signature_declared) return DefaultSignatureVerifier(in);
    const policy::ModelAdmission& ma = *in.model;
    if (in.model_root.empty()) {
      // The bundle is a file in the model volume, which only the scan Job mounts; the
      // scan report carries file hashes, not the bundle (docs/operator.md, Signatures).
      return NotVerified("the model was scanned by a Job, which hands back file hashes but not the signature "
                         "bundle; signatures are verified only for models the operator reads itself "
                         "(hostPath, --pvc-root)");
    }
    signing::ModelVerifyOptions opts;
    std::string sig = ma.signature_path.empty() ? "model.sig" : ma.signature_path;
    if (sig.find("..") != std::string::npos || (!sig.empty() && sig[0] == '/')) {
      SignatureResult r;
      r.kind = SignatureResult::Kind::kInvalid;
      r.detail = "spec.signature.path " + sig + " must be a path inside the model";
      return r;
    }
    opts.signature_path = in.model_root + "/" + sig;
    if (ma.signature_key) {
      if (!fetch_key) return NotVerified("spec.signature.publicKey is set but the operator cannot read keys");
      auto pem = fetch_key(ma.namespace_name, *ma.signature_key);
      if (!pem.ok()) return NotVerified("cannot read the public key: " + pem.status().message());
      auto key = signing::PublicKeyFromPem(pem.value());
      if (!key.ok()) {
        SignatureResult r;
        r.kind = SignatureResult::Kind::kInvalid;
        r.detail = "the public key " + ma.signature_key->kind + "/" + ma.signature_key->name + " is not a PEM key";
        return r;
      }
      opts.policy.mode = signing::SignerMode::kPublicKey;
      opts.policy.key = std::move(key).value();
      opts.policy.root = root.get();
    } else {
      if (!root) {
        return NotVerified("keyless signature declared but the operator has no Sigstore trusted root "
                           "(--sigstore-trusted-root)");
      }
      opts.policy.mode = signing::SignerMode::kKeyless;
      opts.policy.identity = ma.signature_identity;
      opts.policy.issuer = ma.signature_issuer;
      opts.policy.root = root.get();
    }
    signing::ModelVerification v = signing::VerifyModel(in.model_root, opts);
    SignatureResult r;
    r.identity = v.signer;
    r.issuer = v.issuer;
    r.detail = v.reason;
    switch (v.status) {
      case signing::SignatureStatus::kVerified:
        r.kind = SignatureResult::Kind::kVerified;
        r.detail = "verified " + std::to_string(v.resources.size()) + " files against " + sig;
        break;
      case signing::SignatureStatus::kInvalid:
        r.kind = SignatureResult::Kind::kInvalid;
        break;
      case signing::SignatureStatus::kUntrusted:
        r.kind = SignatureResult::Kind::kUntrusted;
        break;
      case signing::SignatureStatus::kUnsigned:
        r.kind = SignatureResult::Kind::kUnsigned;
        r.detail = "spec.signature declares " + sig + " but there is no such file";
        break;
      case signing::SignatureStatus::kError:
        r.kind = SignatureResult::Kind::kNotVerified;
        r.detail = "could not verify: " + v.reason;
        break;
    }
    return r;
  };
  return verifier;
}

}  // namespace modelgate::controller
