#include "scanners/signing/timestamp.h"

#include <openssl/err.h>
#include <openssl/ts.h>

#include <memory>

#include "scanners/signing/certificate.h"

namespace modelgate::signing {
namespace {

struct RespFree {
  void operator()(TS_RESP* r) const { TS_RESP_free(r); }
};
struct VerifyCtxFree {
  void operator()(TS_VERIFY_CTX* c) const { TS_VERIFY_CTX_free(c); }
};

// One attempt against one authority. The context owns the store, the
// untrusted stack and the data BIO.
bool VerifyWith(TS_RESP* resp, const Authority& tsa, std::string_view signature, int64_t at) {
  std::unique_ptr<TS_VERIFY_CTX, VerifyCtxFree> ctx(TS_VERIFY_CTX_new());
  if (!ctx) return false;
  X509_STORE* store = X509_STORE_new();
  // The last certificate of the authority's chain is its root; the others
  // may be needed as untrusted intermediates (or as the signer itself when
  // the token does not embed it).
  X509_STORE_add_cert(store, tsa.chain.back().get());
  X509_VERIFY_PARAM_set_time(X509_STORE_get0_param(store), static_cast<time_t>(at));
  TS_VERIFY_CTX_set_store(ctx.get(), store);
  STACK_OF(X509)* certs = sk_X509_new_null();
  for (size_t i = 0; i + 1 < tsa.chain.size(); ++i) {
    X509_up_ref(tsa.chain[i].get());
    sk_X509_push(certs, tsa.chain[i].get());
  }
  TS_VERIFY_CTX_set_certs(ctx.get(), certs);
  BIO* data = BIO_new_mem_buf(signature.data(), static_cast<int>(signature.size()));
  TS_VERIFY_CTX_set_data(ctx.get(), data);
  TS_VERIFY_CTX_set_flags(ctx.get(), TS_VFY_VERSION | TS_VFY_SIGNATURE | TS_VFY_DATA);
  int rc = TS_RESP_verify_response(ctx.get(), resp);
  ERR_clear_error();
  return rc == 1;
}

}  // namespace

Result<int64_t> VerifyRfc3161(std::string_view der, std::string_view signature, const TrustedRoot& root) {
  const unsigned char* p = reinterpret_cast<const unsigned char*>(der.data());
  std::unique_ptr<TS_RESP, RespFree> resp(d2i_TS_RESP(nullptr, &p, static_cast<long>(der.size())));
  if (!resp) {
    ERR_clear_error();
    return Status::Error("timestamp is not a DER TimeStampResp");
  }
  TS_TST_INFO* info = TS_RESP_get_tst_info(resp.get());
  if (!info) return Status::Error("timestamp response carries no token");
  int64_t at = 0;
  if (!Asn1TimeToUnix(TS_TST_INFO_get_time(info), &at)) return Status::Error("timestamp time is unreadable");
  bool chained = false;
  for (const auto& tsa : root.timestamp_authorities) {
    if (tsa.chain.empty() || !VerifyWith(resp.get(), tsa, signature, at)) continue;
    chained = true;
    if (tsa.valid_for.Contains(at)) return at;
  }
  if (chained) return Status::Error("timestamp " + FormatUnix(at) + " is outside its authority's validity in the trusted root");
  return Status::Error("timestamp does not verify against any timestamp authority of the trusted root");
}

}  // namespace modelgate::signing
