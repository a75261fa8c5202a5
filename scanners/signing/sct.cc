#include "scanners/signing/sct.h"

#include <openssl/ct.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>

#include <memory>

#include "scanners/hashing.h"

namespace modelgate::signing {
namespace {

void PutInt(std::string& out, uint64_t v, int bytes) {
  for (int i = bytes - 1; i >= 0; --i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

// The TBSCertificate of `leaf` without its SCT list extension: what the CT
// log signed (the precertificate's TBS).
std::string PrecertTbs(X509* leaf) {
  std::unique_ptr<X509, X509Free> copy(X509_dup(leaf));
  if (!copy) return {};
  int idx = X509_get_ext_by_NID(copy.get(), NID_ct_precert_scts, -1);
  if (idx < 0) return {};
  X509_EXTENSION_free(X509_delete_ext(copy.get(), idx));
  unsigned char* buf = nullptr;
  int n = i2d_re_X509_tbs(copy.get(), &buf);
  if (n <= 0) return {};
  std::string out(reinterpret_cast<char*>(buf), static_cast<size_t>(n));
  OPENSSL_free(buf);
  return out;
}

}  // namespace

Status VerifyEmbeddedSct(X509* leaf, X509* issuer, const TrustedRoot& root) {
  auto* scts = static_cast<STACK_OF(SCT)*>(X509_get_ext_d2i(leaf, NID_ct_precert_scts, nullptr, nullptr));
  ERR_clear_error();
  if (!scts || sk_SCT_num(scts) == 0) {
    if (scts) SCT_LIST_free(scts);
    return Status::Error("certificate carries no signed certificate timestamp");
  }
  std::string tbs = PrecertTbs(leaf);
  EVP_PKEY* issuer_key = X509_get0_pubkey(issuer);
  std::string issuer_key_hash = issuer_key ? scanners::Sha256Raw(PublicKeyDer(issuer_key)) : std::string();
  std::string why = "no signed certificate timestamp is from a CT log in the trusted root";
  for (int i = 0; i < sk_SCT_num(scts) && !tbs.empty() && !issuer_key_hash.empty(); ++i) {
    SCT* sct = sk_SCT_value(scts, i);
    if (SCT_get_version(sct) != SCT_VERSION_V1) continue;
    unsigned char* id = nullptr;
    size_t id_len = SCT_get0_log_id(sct, &id);
    const LogKey* log = root.FindCtlog(std::string(reinterpret_cast<char*>(id), id_len));
    if (!log || !log->key) continue;
    uint64_t ts_ms = SCT_get_timestamp(sct);
    if (!log->valid_for.Contains(static_cast<int64_t>(ts_ms / 1000))) {
      why = "signed certificate timestamp is outside its CT log key's validity";
      continue;
    }
    unsigned char* ext = nullptr;
    size_t ext_len = SCT_get0_extensions(sct, &ext);
    unsigned char* sig = nullptr;
    size_t sig_len = SCT_get0_signature(sct, &sig);
    // RFC 6962 section 3.2 digitally-signed struct for a precert entry.
    std::string data;
    PutInt(data, 0, 1);  // version v1
    PutInt(data, 0, 1);  // signature_type certificate_timestamp
    PutInt(data, ts_ms, 8);
    PutInt(data, 1, 2);  // entry_type precert_entry
    data += issuer_key_hash;
    PutInt(data, tbs.size(), 3);
    data += tbs;
    PutInt(data, ext_len, 2);
    data.append(reinterpret_cast<char*>(ext), ext_len);
    if (VerifyMessage(log->key.get(), data, std::string_view(reinterpret_cast<char*>(sig), sig_len)).ok()) {
      SCT_LIST_free(scts);
      return Status::Ok();
    }
    why = "signed certificate timestamp does not verify with its CT log key";
  }
  SCT_LIST_free(scts);
  return Status::Error(why);
}

}  // namespace modelgate::signing
