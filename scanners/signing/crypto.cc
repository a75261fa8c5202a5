#include "scanners/signing/crypto.h"

#include <openssl/bio.h>
#include <openssl/decoder.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <cstdio>
#include <ctime>

namespace modelgate::signing {
namespace {

struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
struct CtxFree {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};
struct PctxFree {
  void operator()(EVP_PKEY_CTX* c) const { EVP_PKEY_CTX_free(c); }
};

std::unique_ptr<BIO, BioFree> MemBio(std::string_view s) {
  return std::unique_ptr<BIO, BioFree>(BIO_new_mem_buf(s.data(), static_cast<int>(s.size())));
}

bool IsRsa(EVP_PKEY* key) { return EVP_PKEY_get_base_id(key) == EVP_PKEY_RSA; }

}  // namespace

std::string OpenSslError() {
  unsigned long e = ERR_get_error();
  ERR_clear_error();
  if (e == 0) return "unknown OpenSSL error";
  char buf[256];
  ERR_error_string_n(e, buf, sizeof buf);
  return buf;
}

Result<PKey> PublicKeyFromPem(std::string_view pem) {
  auto bio = MemBio(pem);
  EVP_PKEY* k = PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr);
  if (!k) {
    ERR_clear_error();
    bio = MemBio(pem);
    // "RSA PUBLIC KEY" (PKCS#1) PEM, through the OpenSSL 3 decoder.
    OSSL_DECODER_CTX* dctx = OSSL_DECODER_CTX_new_for_pkey(&k, "PEM", "type-specific", "RSA",
                                                           EVP_PKEY_PUBLIC_KEY, nullptr, nullptr);
    if (dctx) {
      if (OSSL_DECODER_from_bio(dctx, bio.get()) != 1) k = nullptr;
      OSSL_DECODER_CTX_free(dctx);
    }
  }
  if (!k) {
    ERR_clear_error();
    // A certificate is accepted too: its key is what verifies.
    auto certs = CertsFromPem(pem);
    if (certs.ok()) {
      EVP_PKEY* ck = X509_get_pubkey(certs->front().get());
      if (ck) return PKey(ck, PkeyFree());
    }
    return Status::Error("not a PEM public key");
  }
  return PKey(k, PkeyFree());
}

Result<PKey> PublicKeyFromDer(std::string_view der) {
  const unsigned char* p = reinterpret_cast<const unsigned char*>(der.data());
  EVP_PKEY* k = d2i_PUBKEY(nullptr, &p, static_cast<long>(der.size()));
  if (k && p != reinterpret_cast<const unsigned char*>(der.data()) + der.size()) {
    EVP_PKEY_free(k);
    k = nullptr;
  }
  if (!k) {
    ERR_clear_error();
    p = reinterpret_cast<const unsigned char*>(der.data());
    k = d2i_PublicKey(EVP_PKEY_RSA, nullptr, &p, static_cast<long>(der.size()));
  }
  if (!k) {
    ERR_clear_error();
    return Status::Error("not a DER public key");
  }
  return PKey(k, PkeyFree());
}

std::string PublicKeyDer(EVP_PKEY* key) {
  unsigned char* buf = nullptr;
  int n = i2d_PUBKEY(key, &buf);
  if (n <= 0) return {};
  std::string out(reinterpret_cast<char*>(buf), static_cast<size_t>(n));
  OPENSSL_free(buf);
  return out;
}

Result<Cert> CertFromDer(std::string_view der) {
  const unsigned char* p = reinterpret_cast<const unsigned char*>(der.data());
  X509* c = d2i_X509(nullptr, &p, static_cast<long>(der.size()));
  if (!c) {
    ERR_clear_error();
    return Status::Error("not a DER X.509 certificate");
  }
  if (p != reinterpret_cast<const unsigned char*>(der.data()) + der.size()) {
    X509_free(c);
    return Status::Error("trailing bytes after the certificate");
  }
  return Cert(c, X509Free());
}

Result<std::vector<Cert>> CertsFromPem(std::string_view pem) {
  auto bio = MemBio(pem);
  std::vector<Cert> out;
  while (X509* c = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) out.emplace_back(c, X509Free());
  ERR_clear_error();
  if (out.empty()) return Status::Error("no PEM certificate found");
  return out;
}

std::string CertDer(X509* cert) {
  unsigned char* buf = nullptr;
  int n = i2d_X509(cert, &buf);
  if (n <= 0) return {};
  std::string out(reinterpret_cast<char*>(buf), static_cast<size_t>(n));
  OPENSSL_free(buf);
  return out;
}

const EVP_MD* DefaultDigest(EVP_PKEY* key) {
  int id = EVP_PKEY_get_base_id(key);
  if (id == EVP_PKEY_ED25519 || id == EVP_PKEY_ED448) return nullptr;
  if (id == EVP_PKEY_EC) {
    int bits = EVP_PKEY_get_bits(key);
    if (bits > 384) return EVP_sha512();
    if (bits > 256) return EVP_sha384();
  }
  return EVP_sha256();
}

Status VerifyMessage(EVP_PKEY* key, std::string_view message, std::string_view sig) {
  const EVP_MD* md = DefaultDigest(key);
  for (int attempt = 0; attempt < (IsRsa(key) ? 2 : 1); ++attempt) {
    std::unique_ptr<EVP_MD_CTX, CtxFree> ctx(EVP_MD_CTX_new());
    EVP_PKEY_CTX* pctx = nullptr;
    if (EVP_DigestVerifyInit(ctx.get(), &pctx, md, nullptr, key) != 1) {
      return Status::Error("cannot initialise signature check: " + OpenSslError());
    }
    if (attempt == 1) EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING);
    int rc = EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(sig.data()), sig.size(),
                              reinterpret_cast<const unsigned char*>(message.data()), message.size());
    ERR_clear_error();
    if (rc == 1) return Status::Ok();
  }
  return Status::Error("signature does not verify");
}

Status VerifyPrehashed(EVP_PKEY* key, const EVP_MD* md, std::string_view digest, std::string_view sig) {
  if (!md || DefaultDigest(key) == nullptr) return Status::Error("key type cannot verify a prehashed digest");
  if (digest.size() != static_cast<size_t>(EVP_MD_get_size(md))) return Status::Error("digest has the wrong length");
  for (int attempt = 0; attempt < (IsRsa(key) ? 2 : 1); ++attempt) {
    std::unique_ptr<EVP_PKEY_CTX, PctxFree> ctx(EVP_PKEY_CTX_new(key, nullptr));
    if (!ctx || EVP_PKEY_verify_init(ctx.get()) != 1 || EVP_PKEY_CTX_set_signature_md(ctx.get(), md) != 1) {
      return Status::Error("cannot initialise signature check: " + OpenSslError());
    }
    if (IsRsa(key)) {
      EVP_PKEY_CTX_set_rsa_padding(ctx.get(), attempt == 0 ? RSA_PKCS1_PADDING : RSA_PKCS1_PSS_PADDING);
    }
    int rc = EVP_PKEY_verify(ctx.get(), reinterpret_cast<const unsigned char*>(sig.data()), sig.size(),
                             reinterpret_cast<const unsigned char*>(digest.data()), digest.size());
    ERR_clear_error();
    if (rc == 1) return Status::Ok();
  }
  return Status::Error("signature does not verify");
}

bool Asn1TimeToUnix(const ASN1_TIME* t, int64_t* out) {
  struct tm tm {};
  if (!t || ASN1_TIME_to_tm(t, &tm) != 1) return false;
  *out = static_cast<int64_t>(timegm(&tm));
  return true;
}

bool ParseRfc3339(std::string_view s, int64_t* out) {
  int Y, M, D, h, m, sec;
  if (s.size() < 20) return false;
  std::string str(s);
  int consumed = 0;
  if (std::sscanf(str.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &Y, &M, &D, &h, &m, &sec, &consumed) != 6 ||
      consumed != 19)
    return false;
  size_t i = 19;
  if (i < str.size() && str[i] == '.') {
    ++i;
    while (i < str.size() && str[i] >= '0' && str[i] <= '9') ++i;
  }
  int offset = 0;
  if (i < str.size() && (str[i] == 'Z' || str[i] == 'z')) {
    ++i;
  } else if (i + 6 == str.size() && (str[i] == '+' || str[i] == '-') && str[i + 3] == ':') {
    int oh = 0, om = 0;
    if (std::sscanf(str.c_str() + i + 1, "%2d:%2d", &oh, &om) != 2) return false;
    offset = (oh * 60 + om) * 60 * (str[i] == '-' ? -1 : 1);
    i += 6;
  } else {
    return false;
  }
  if (i != str.size()) return false;
  if (M < 1 || M > 12 || D < 1 || D > 31 || h > 23 || m > 59 || sec > 60) return false;
  struct tm tm {};
  tm.tm_year = Y - 1900;
  tm.tm_mon = M - 1;
  tm.tm_mday = D;
  tm.tm_hour = h;
  tm.tm_min = m;
  tm.tm_sec = sec;
  *out = static_cast<int64_t>(timegm(&tm)) - offset;
  return true;
}

std::string FormatUnix(int64_t t) {
  time_t tt = static_cast<time_t>(t);
  struct tm tm {};
  gmtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace modelgate::signing
