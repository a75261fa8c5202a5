// CertStore: the webhook's serving certificate, reloaded from disk when the
// files change, so rotation (cert-manager, the chart's CronJob) needs no restart.
//
// Each TLS handshake asks the store for the current key pair (OpenSSL cert
// callback), so a reload takes effect on the next connection and never races
// a handshake in progress. A reload that fails (half-written files, key not
// matching the certificate) keeps the previous pair; it is logged as a warning
// once per distinct error (not on every handshake that retries it), and a
// successful reload is logged at info. Thread-safe.
#pragma once

#include <openssl/ssl.h>

#include <chrono>
#include <ctime>
#include <memory>
#include <mutex>
#include <string>

#include "scanners/status.h"

namespace modelgate::webhook {

class CertStore {
 public:
  // Loads `cert_path` (PEM, leaf first, then any intermediates) and `key_path`.
  // Error when a file is unreadable, unparsable, or the key does not match.
  // `check_interval`: ReloadIfChanged looks at the files at most this often
  // (default 1 s; tests pass 0).
  static Result<std::shared_ptr<CertStore>> Load(
      std::string cert_path, std::string key_path,
      std::chrono::milliseconds check_interval = std::chrono::seconds(1));
  ~CertStore();

  // Re-reads the files when their modification time or size changed since the
  // pair in use was loaded, at most once per check interval. Returns OK when
  // nothing changed, the interval has not passed, or the reload succeeded; the
  // error otherwise (the old pair stays in use, and the files are re-read on a
  // later call until they load). Logs a successful reload at info, and a failed
  // one as a warning when its error differs from the previous failed attempt's,
  // so files that stay broken are reported once, not once a second.
  // Called on every TLS handshake.
  Status ReloadIfChanged();

  // What the reload attempts so far came to (for logs, metrics, tests).
  struct ReloadState {
    int generation = 0;       // successful loads, as generation()
    int failed_attempts = 0;  // failed reload attempts since the last success
    std::string last_error;   // the latest failed attempt's error; empty after a success
  };
  ReloadState reload_state() const;

  // Configures `ctx` to ask this store for the certificate on every handshake
  // and to refuse protocols below TLS 1.2. The store must outlive `ctx`.
  void Install(SSL_CTX* ctx);

  // SHA-256 fingerprint (hex) of the leaf certificate in use (for logs, tests).
  std::string Fingerprint() const;
  // How many successful loads so far (1 after Load()).
  int generation() const;

 private:
  struct Pair;
  CertStore(std::string cert_path, std::string key_path, std::chrono::milliseconds check_interval);
  Status LoadNow();
  static int OnHandshake(SSL* ssl, void* arg);
  std::shared_ptr<const Pair> Current() const;

  const std::string cert_path_;
  const std::string key_path_;
  const std::chrono::milliseconds check_interval_;
  mutable std::mutex mu_;
  std::shared_ptr<const Pair> pair_;    // guarded by mu_
  std::string stamp_;                   // guarded by mu_: mtime+size of both files
  int generation_ = 0;                  // guarded by mu_
  std::chrono::steady_clock::time_point last_check_{};  // guarded by mu_
  int failed_attempts_ = 0;                             // guarded by mu_
  std::string last_error_;                              // guarded by mu_
};

}  // namespace modelgate::webhook
