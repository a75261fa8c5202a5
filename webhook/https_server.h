// HttpsServer: a small routing HTTP(S) server on cpprestsdk's listener, shared
// by the webhook (/validate, /healthz, /readyz) and the benchmarks' bare server.
//
// Requests are read with a body limit (413 above it, checked against
// Content-Length before reading); handlers run on cpprestsdk's thread pool and
// must be thread-safe. A handler that throws yields a 500, never a crash.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "scanners/status.h"
#include "webhook/cert_store.h"

namespace modelgate::webhook {

struct HttpRequest {
  std::string method;  // "GET", "POST", ...
  std::string path;    // "/validate"
  std::string query;   // "timeout=10s"
  std::string content_type;
  std::string body;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
};

using Handler = std::function<HttpResponse(const HttpRequest&)>;

struct ServerOptions {
  std::string address = "127.0.0.1";  // "0.0.0.0" to listen on every interface
  int port = 0;                        // 0: pick a free port (see HttpsServer::port())
  std::shared_ptr<CertStore> tls;      // null: plain HTTP (tests and metrics only)
  size_t max_body_bytes = 3 << 20;     // the API server never sends more than 3 MiB
  std::chrono::seconds timeout{10};    // per-connection read/write timeout
};

class HttpsServer {
 public:
  // Binds and starts serving `routes` (exact path -> handler; other paths 404).
  static Result<std::unique_ptr<HttpsServer>> Start(ServerOptions options,
                                                    std::map<std::string, Handler> routes);
  ~HttpsServer();  // Stop()s
  void Stop();
  int port() const { return port_; }
  // "https://127.0.0.1:PORT" (or http).
  std::string url() const;

 private:
  struct Impl;
  HttpsServer() = default;
  std::unique_ptr<Impl> impl_;
  int port_ = 0;
  std::string scheme_;
  std::string address_;
};

// A TCP port on `address` that was free a moment ago (bind to port 0, close).
Result<int> PickFreePort(const std::string& address);

}  // namespace modelgate::webhook
