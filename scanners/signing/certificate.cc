#include "scanners/signing/certificate.h"

#include <openssl/err.h>
#include <openssl/x509v3.h>

#include <memory>

namespace modelgate::signing {
namespace {

struct StoreFree {
  void operator()(X509_STORE* s) const { X509_STORE_free(s); }
};
struct StoreCtxFree {
  void operator()(X509_STORE_CTX* c) const { X509_STORE_CTX_free(c); }
};
struct StackFree {
  void operator()(STACK_OF(X509)* s) const { sk_X509_free(s); }
};

std::optional<std::string> ExtensionData(X509* cert, const char* oid) {
  ASN1_OBJECT* obj = OBJ_txt2obj(oid, 1);
  if (!obj) return std::nullopt;
  int idx = X509_get_ext_by_OBJ(cert, obj, -1);
  ASN1_OBJECT_free(obj);
  if (idx < 0) return std::nullopt;
  X509_EXTENSION* ext = X509_get_ext(cert, idx);
  ASN1_OCTET_STRING* data = X509_EXTENSION_get_data(ext);
  return std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(data)),
                     static_cast<size_t>(ASN1_STRING_length(data)));
}

}  // namespace

Result<std::vector<Cert>> VerifyChainAt(const Cert& leaf, const std::vector<Cert>& intermediates,
                                        const std::vector<Cert>& anchors, int64_t at) {
  std::unique_ptr<X509_STORE, StoreFree> store(X509_STORE_new());
  for (const auto& a : anchors) X509_STORE_add_cert(store.get(), a.get());
  std::unique_ptr<STACK_OF(X509), StackFree> untrusted(sk_X509_new_null());
  for (const auto& c : intermediates) sk_X509_push(untrusted.get(), c.get());
  std::unique_ptr<X509_STORE_CTX, StoreCtxFree> ctx(X509_STORE_CTX_new());
  if (X509_STORE_CTX_init(ctx.get(), store.get(), leaf.get(), untrusted.get()) != 1)
    return Status::Error("cannot initialise certificate verification");
  X509_VERIFY_PARAM* param = X509_STORE_CTX_get0_param(ctx.get());
  X509_VERIFY_PARAM_set_time(param, static_cast<time_t>(at));
  // Anchors may be intermediates (a configured chain need not end in a root).
  X509_VERIFY_PARAM_set_flags(param, X509_V_FLAG_PARTIAL_CHAIN);
  if (X509_verify_cert(ctx.get()) != 1) {
    int err = X509_STORE_CTX_get_error(ctx.get());
    ERR_clear_error();
    return Status::Error(std::string("certificate chain does not verify at ") + FormatUnix(at) + ": " +
                         X509_verify_cert_error_string(err));
  }
  std::vector<Cert> chain;
  STACK_OF(X509)* built = X509_STORE_CTX_get0_chain(ctx.get());
  for (int i = 0; i < sk_X509_num(built); ++i) {
    X509* c = sk_X509_value(built, i);
    X509_up_ref(c);
    chain.emplace_back(c, X509Free());
  }
  return chain;
}

bool CertValidity(X509* cert, int64_t* not_before, int64_t* not_after) {
  return Asn1TimeToUnix(X509_get0_notBefore(cert), not_before) &&
         Asn1TimeToUnix(X509_get0_notAfter(cert), not_after);
}

bool IsCa(X509* cert) { return X509_check_ca(cert) != 0 && (X509_get_extension_flags(cert) & EXFLAG_CA); }

bool IsSelfSigned(X509* cert) { return X509_self_signed(cert, 1) == 1; }

bool HasDigitalSignatureUsage(X509* cert) {
  uint32_t flags = X509_get_extension_flags(cert);
  if (!(flags & EXFLAG_KUSAGE)) return true;
  return (X509_get_key_usage(cert) & KU_DIGITAL_SIGNATURE) != 0;
}

bool HasCodeSigningEku(X509* cert) {
  uint32_t flags = X509_get_extension_flags(cert);
  return (flags & EXFLAG_XKUSAGE) && (X509_get_extended_key_usage(cert) & XKU_CODE_SIGN);
}

std::vector<std::string> SubjectAlternativeNames(X509* cert) {
  std::vector<std::string> out;
  auto* names = static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr));
  if (!names) return out;
  for (int i = 0; i < sk_GENERAL_NAME_num(names); ++i) {
    GENERAL_NAME* gn = sk_GENERAL_NAME_value(names, i);
    const ASN1_STRING* s = nullptr;
    if (gn->type == GEN_EMAIL || gn->type == GEN_URI || gn->type == GEN_DNS) {
      s = gn->d.ia5;
    } else if (gn->type == GEN_OTHERNAME && gn->d.otherName->value->type == V_ASN1_UTF8STRING) {
      s = gn->d.otherName->value->value.utf8string;
    }
    if (s) out.emplace_back(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                            static_cast<size_t>(ASN1_STRING_length(s)));
  }
  GENERAL_NAMES_free(names);
  return out;
}

std::optional<std::string> OidcIssuer(X509* cert) {
  if (auto v2 = ExtensionData(cert, "1.3.6.1.4.1.57264.1.8")) {
    const unsigned char* p = reinterpret_cast<const unsigned char*>(v2->data());
    ASN1_UTF8STRING* s = d2i_ASN1_UTF8STRING(nullptr, &p, static_cast<long>(v2->size()));
    if (!s) {
      ERR_clear_error();
      return std::nullopt;
    }
    std::string out(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)), static_cast<size_t>(ASN1_STRING_length(s)));
    ASN1_UTF8STRING_free(s);
    return out;
  }
  return ExtensionData(cert, "1.3.6.1.4.1.57264.1.1");
}

std::string SubjectName(X509* cert) {
  char buf[512];
  X509_NAME_oneline(X509_get_subject_name(cert), buf, sizeof buf);
  return buf;
}

}  // namespace modelgate::signing
