#include "controller/signature.h"

namespace modelgate::controller {

SignatureResult DefaultSignatureVerifier(const SignatureInput& in) {
  SignatureResult r;
  if (in.model == nullptr || !in.model->signature_declared) {
    r.kind = SignatureResult::Kind::kUnsigned;
    r.detail = "no signature declared in spec.signature";
    return r;
  }
  r.kind = SignatureResult::Kind::kNotVerified;
  r.detail = "spec.signature declares " +
             (in.model->signature_path.empty() ? std::string("a signature") : in.model->signature_path) +
             " but no signature verifier is configured; treated as not verified";
  return r;
}

const char* SignatureStatusName(SignatureResult::Kind k) {
  switch (k) {
    case SignatureResult::Kind::kVerified: return "Verified";
    case SignatureResult::Kind::kInvalid: return "Invalid";
    case SignatureResult::Kind::kUntrusted: return "Untrusted";
    case SignatureResult::Kind::kUnsigned:
    case SignatureResult::Kind::kNotVerified: return "Unsigned";
  }
  return "Unsigned";
}

}  // namespace modelgate::controller
