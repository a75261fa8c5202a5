// Prometheus metrics of the webhook, served on their own port (prometheus-cpp
// Exposer): requests by kind/operation/decision, violations by rule, latency.
#pragma once

#include <prometheus/counter.h>
#include <prometheus/exposer.h>
#include <prometheus/family.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <memory>
#include <string>
#include <vector>

#include "scanners/status.h"

namespace modelgate::webhook {

class WebhookMetrics {
 public:
  WebhookMetrics();
  // Serves /metrics on `address` ("127.0.0.1:0" picks a port). Error if it cannot bind.
  Status Serve(const std::string& address);
  // The bound port after Serve().
  int port() const;

  // decision: "allowed", "denied", "warned", "skipped", "error".
  void Request(const std::string& kind, const std::string& operation, const std::string& decision,
               double seconds);
  void Violation(const std::string& rule, const std::string& mode);

  std::shared_ptr<prometheus::Registry> registry() const { return registry_; }

 private:
  std::shared_ptr<prometheus::Registry> registry_;
  prometheus::Family<prometheus::Counter>* requests_;
  prometheus::Family<prometheus::Counter>* violations_;
  prometheus::Histogram* latency_;
  std::unique_ptr<prometheus::Exposer> exposer_;
};

}  // namespace modelgate::webhook
