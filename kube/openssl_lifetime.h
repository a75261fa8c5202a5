// OpenSSL's global state lives until the process ends: its atexit cleanup is off.
//
// Why: at exit, cpprestsdk's static thread pool is joined while a pool thread may still
// be freeing a TLS context (a connection being torn down). If OpenSSL 3's atexit cleanup
// has run first, that thread spins forever on a destroyed lock and the process never
// exits. Seen with the kube client (kube_errors_test in CI) and with the HTTPS server
// (the webhook benchmark's bare server after SIGTERM): a webhook or operator pod would
// hang on shutdown until Kubernetes killed it.
//
// OPENSSL_INIT_NO_ATEXIT only works before OpenSSL's first initialisation, so the
// switch is thrown by a static initialiser in openssl_lifetime.cc, before main and any
// other use of OpenSSL. Every component that runs cpprestsdk over TLS (kube::Client,
// webhook::HttpsServer) calls KeepOpenSslUntilExit(), which links that file in.
#pragma once

namespace modelgate::kube {

// True when OpenSSL accepted the no-atexit initialisation at start-up.
bool KeepOpenSslUntilExit();

}  // namespace modelgate::kube
