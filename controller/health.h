// /healthz and /readyz over cpprestsdk's http_listener (prometheus-cpp's Exposer serves
// only metrics and cannot answer 503). /healthz: 200 while the process runs. /readyz:
// 200 "ok" while `not_ready()` returns "", else 503 with its text as the body (the
// controller names the unsynced caches and their last list/watch error there).
// Other paths: 404.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "scanners/status.h"

namespace modelgate::controller {

class HealthServer {
 public:
  // `not_ready` is called per /readyz request, on a listener thread: "" when ready,
  // else why not. Null: always ready.
  explicit HealthServer(std::function<std::string()> not_ready);
  ~HealthServer();  // Stop()s

  // Listens on "host:port". Port 0: a free port is chosen first (bind to port 0, read
  // it back, release it; a race with another process is possible but harmless in tests).
  Status Start(const std::string& addr);
  void Stop();
  int port() const { return port_; }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::function<std::string()> not_ready_;
  int port_ = 0;
};

// Splits "host:port" ("[::1]:80" allowed). Errors name the address.
Result<std::pair<std::string, int>> SplitHostPort(const std::string& addr);

}  // namespace modelgate::controller
