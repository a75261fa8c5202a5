// OpenSSL 3 handles for keys and certificates, and signature checks with the
// hash Sigstore pairs with each key type. Nothing here hand-rolls crypto.
#pragma once

#include <openssl/evp.h>
#include <openssl/x509.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "scanners/status.h"

namespace modelgate::signing {

struct PkeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct X509Free {
  void operator()(X509* c) const { X509_free(c); }
};
using PKey = std::shared_ptr<EVP_PKEY>;
using Cert = std::shared_ptr<X509>;

// A public key from PEM ("PUBLIC KEY" or "RSA PUBLIC KEY") text.
Result<PKey> PublicKeyFromPem(std::string_view pem);
// A public key from DER: SubjectPublicKeyInfo, else a PKCS#1 RSAPublicKey.
Result<PKey> PublicKeyFromDer(std::string_view der);
// DER SubjectPublicKeyInfo of `key`.
std::string PublicKeyDer(EVP_PKEY* key);

// One certificate from DER; error when trailing bytes follow it.
Result<Cert> CertFromDer(std::string_view der);
// Every certificate of a PEM text, in order; error when there is none.
Result<std::vector<Cert>> CertsFromPem(std::string_view pem);
// DER encoding of `cert`.
std::string CertDer(X509* cert);

// The digest Sigstore and model-transparency pair with `key`: SHA-256 for
// P-256 and RSA, SHA-384 for P-384, SHA-512 for P-521, none (nullptr) for
// Ed25519/Ed448 (pure signatures).
const EVP_MD* DefaultDigest(EVP_PKEY* key);

// Verifies `sig` over `message` (hashing it with DefaultDigest(key)).
// RSA keys are tried with PKCS#1 v1.5 padding, then PSS.
Status VerifyMessage(EVP_PKEY* key, std::string_view message, std::string_view sig);

// Verifies `sig` over an already computed `digest` made with `md`. Error for
// pure-signature keys (Ed25519), which cannot sign a prehash.
Status VerifyPrehashed(EVP_PKEY* key, const EVP_MD* md, std::string_view digest, std::string_view sig);

// Unix seconds of an ASN1_TIME; false when it cannot be represented.
bool Asn1TimeToUnix(const ASN1_TIME* t, int64_t* out);
// Parses an RFC 3339 UTC time ("2021-01-12T11:53:27Z", fractional seconds
// and numeric offsets allowed); false when malformed.
bool ParseRfc3339(std::string_view text, int64_t* out);
// "2024-03-19T17:26:26Z".
std::string FormatUnix(int64_t t);

// The last OpenSSL error as text (and clears the queue).
std::string OpenSslError();

}  // namespace modelgate::signing
