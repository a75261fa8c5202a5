#include "controller/sigstore_verifier.h"

#include "scanners/signing/crypto.h"
#include "scanners/signing/embedded_signature.h"
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
    signing::ModelVerifyOptions opts;
    std::string sig = ma.signature_path.empty() ? "model.sig" : ma.signature_path;
    if (sig.find("..") != std::string::npos || (!sig.empty() && sig[0] == '/')) {
      SignatureResult r;
      r.kind = SignatureResult::Kind::kInvalid;
      r.detail = "spec.signature.path " + sig + " must be a path inside the model";
      return r;
    }
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
    const bool job = in.model_root.empty();
    signing::ModelVerification v;
    if (job) {
      // The scan Job read the bundle from the model volume; check it here against the
      // file hashes of the same report. Nothing the Job says is taken as a verdict.
      if (Status clean = signing::CheckEmbedPath(sig); !clean.ok()) {
        SignatureResult r;
        r.kind = SignatureResult::Kind::kInvalid;
        r.detail = "spec.signature.path: " + clean.message();
        return r;
      }
      if (in.embedded_signature == nullptr) {
        return NotVerified("the scan Job's report carries no signature file (a scanner image without "
                           "--embed-signature?); nothing was verified");
      }
      const signing::EmbeddedSignature& e = *in.embedded_signature;
      if (e.path != sig)
        return NotVerified("the scan Job embedded " + e.path + ", but spec.signature declares " + sig);
      using State = signing::EmbeddedSignature::State;
      if (e.state == State::kMissing) {
        v.status = signing::SignatureStatus::kUnsigned;
      } else if (e.state == State::kTooLarge) {
        v.status = signing::SignatureStatus::kInvalid;
        v.reason = "signature file is implausibly large (" + e.reason + ")";
      } else if (e.state == State::kUnreadable) {
        v.status = signing::SignatureStatus::kError;
        v.reason = "the scan Job could not read " + sig + ": " + e.reason;
      } else {
        std::vector<signing::ManifestEntry> files;
        files.reserve(in.files.size());
        for (const auto& f : in.files) files.push_back({f.path, f.sha256});
        opts.signature_path = sig;
        v = signing::VerifyModelDigests(e.bundle, files, opts);
      }
    } else {
      opts.signature_path = in.model_root + "/" + sig;
      v = signing::VerifyModel(in.model_root, opts);
    }
    SignatureResult r;
    r.identity = v.signer;
    r.issuer = v.issuer;
    r.detail = v.reason;
    switch (v.status) {
      case signing::SignatureStatus::kVerified:
        r.kind = SignatureResult::Kind::kVerified;
        r.detail = "verified " + std::to_string(v.resources.size()) + " files against " + sig +
                   (job ? " (file hashes from the scan Job)" : "");
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
