#include "webhook/cert_store.h"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include <cstdio>
#include <vector>

#include "scanners/hashing.h"

namespace modelgate::webhook {

struct CertStore::Pair {
  X509* leaf = nullptr;
  STACK_OF(X509)* chain = nullptr;
  EVP_PKEY* key = nullptr;
  std::string fingerprint;
  ~Pair() {
    X509_free(leaf);
    sk_X509_pop_free(chain, X509_free);
    EVP_PKEY_free(key);
  }
};

namespace {

std::string OpenSslError() {
  unsigned long e = ERR_get_error();
  if (e == 0) return "unknown OpenSSL error";
  char buf[256];
  ERR_error_string_n(e, buf, sizeof buf);
  ERR_clear_error();
  return buf;
}

std::string Stamp(const std::string& a, const std::string& b) {
  std::string out;
  for (const std::string* p : {&a, &b}) {
    struct stat st {};
    if (::stat(p->c_str(), &st) != 0) return "";
    out += std::to_string(st.st_mtim.tv_sec) + "." + std::to_string(st.st_mtim.tv_nsec) + ":" +
           std::to_string(st.st_size) + ";";
  }
  return out;
}

}  // namespace

CertStore::CertStore(std::string cert_path, std::string key_path, std::chrono::milliseconds check_interval)
    : cert_path_(std::move(cert_path)),
      key_path_(std::move(key_path)),
      check_interval_(check_interval),
      last_check_(std::chrono::steady_clock::now()) {}  // the files were just read

CertStore::~CertStore() = default;

Result<std::shared_ptr<CertStore>> CertStore::Load(std::string cert_path, std::string key_path,
                                                   std::chrono::milliseconds check_interval) {
  std::shared_ptr<CertStore> store(new CertStore(std::move(cert_path), std::move(key_path), check_interval));
  Status s = store->LoadNow();
  if (!s.ok()) return s;
  return store;
}

Status CertStore::LoadNow() {
  std::string stamp = Stamp(cert_path_, key_path_);
  auto pair = std::make_shared<Pair>();
  FILE* f = std::fopen(cert_path_.c_str(), "r");
  if (!f) return Status::Error("webhook certificate " + cert_path_ + ": cannot open");
  pair->leaf = PEM_read_X509(f, nullptr, nullptr, nullptr);
  if (pair->leaf) {
    pair->chain = sk_X509_new_null();
    while (X509* extra = PEM_read_X509(f, nullptr, nullptr, nullptr)) sk_X509_push(pair->chain, extra);
    ERR_clear_error();  // the loop ends with a "no start line" error
  }
  std::fclose(f);
  if (!pair->leaf) {
    return Status::Error("webhook certificate " + cert_path_ + ": no PEM certificate (" +
                         OpenSslError() + ")");
  }
  f = std::fopen(key_path_.c_str(), "r");
  if (!f) return Status::Error("webhook key " + key_path_ + ": cannot open");
  pair->key = PEM_read_PrivateKey(f, nullptr, nullptr, nullptr);
  std::fclose(f);
  if (!pair->key) {
    return Status::Error("webhook key " + key_path_ + ": no PEM private key (" + OpenSslError() + ")");
  }
  if (X509_check_private_key(pair->leaf, pair->key) != 1) {
    ERR_clear_error();
    return Status::Error("webhook key " + key_path_ + " does not match certificate " + cert_path_ +
                         " (files mid-rotation?)");
  }
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  X509_digest(pair->leaf, EVP_sha256(), md, &len);
  pair->fingerprint = scanners::HexEncode(std::string_view(reinterpret_cast<char*>(md), len));
  std::lock_guard<std::mutex> lock(mu_);
  pair_ = std::move(pair);
  stamp_ = stamp;
  ++generation_;
  return Status::Ok();
}

Status CertStore::ReloadIfChanged() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto now = std::chrono::steady_clock::now();
    if (now - last_check_ < check_interval_) return Status::Ok();
    last_check_ = now;
    if (Stamp(cert_path_, key_path_) == stamp_) return Status::Ok();
  }
  Status s = LoadNow();
  // Logged here, the one place a reload happens: nothing else watches the files.
  std::lock_guard<std::mutex> lock(mu_);
  if (s.ok()) {
    spdlog::info("webhook certificate reloaded from {} and {}: now serving sha256 {} (generation {})",
                 cert_path_, key_path_, pair_->fingerprint, generation_);
    failed_attempts_ = 0;
    last_error_.clear();
    return s;
  }
  ++failed_attempts_;
  // Files that stay broken are retried on every handshake (at most once per interval);
  // only a new error is news.
  if (s.message() != last_error_) {
    spdlog::warn("webhook certificate reload failed, still serving sha256 {} (tried again on later "
                 "handshakes until the files load): {}",
                 pair_ ? pair_->fingerprint : "", s.message());
    last_error_ = s.message();
  }
  return s;
}

CertStore::ReloadState CertStore::reload_state() const {
  std::lock_guard<std::mutex> lock(mu_);
  return {generation_, failed_attempts_, last_error_};
}

std::shared_ptr<const CertStore::Pair> CertStore::Current() const {
  std::lock_guard<std::mutex> lock(mu_);
  return pair_;
}

int CertStore::OnHandshake(SSL* ssl, void* arg) {
  auto* self = static_cast<CertStore*>(arg);
  self->ReloadIfChanged();  // a failure keeps the old pair; ReloadIfChanged logs it
  auto pair = self->Current();
  if (!pair) return 0;
  if (SSL_use_certificate(ssl, pair->leaf) != 1 || SSL_use_PrivateKey(ssl, pair->key) != 1) return 0;
  if (pair->chain && sk_X509_num(pair->chain) > 0 && SSL_set1_chain(ssl, pair->chain) != 1) return 0;
  return 1;
}

void CertStore::Install(SSL_CTX* ctx) {
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  SSL_CTX_set_cert_cb(ctx, &CertStore::OnHandshake, this);
}

std::string CertStore::Fingerprint() const {
  auto p = Current();
  return p ? p->fingerprint : "";
}

int CertStore::generation() const {
  std::lock_guard<std::mutex> lock(mu_);
  return generation_;
}

}  // namespace modelgate::webhook
