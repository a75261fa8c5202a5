#include "webhook/metrics.h"

namespace modelgate::webhook {

WebhookMetrics::WebhookMetrics() : registry_(std::make_shared<prometheus::Registry>()) {
  requests_ = &prometheus::BuildCounter()
                   .Name("modelgate_webhook_requests_total")
                   .Help("Admission requests by object kind, operation and decision")
                   .Register(*registry_);
  violations_ = &prometheus::BuildCounter()
                     .Name("modelgate_webhook_violations_total")
                     .Help("Failing checks by rule id and enforcement mode")
                     .Register(*registry_);
  latency_ = &prometheus::BuildHistogram()
                  .Name("modelgate_webhook_request_duration_seconds")
                  .Help("Time to answer an AdmissionReview")
                  .Register(*registry_)
                  .Add({}, prometheus::Histogram::BucketBoundaries{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                                  0.05, 0.1, 0.25, 0.5, 1, 2.5});
}

Status WebhookMetrics::Serve(const std::string& address) {
  try {
    exposer_ = std::make_unique<prometheus::Exposer>(address);
  } catch (const std::exception& e) {
    return Status::Error("cannot serve metrics on " + address + ": " + e.what());
  }
  exposer_->RegisterCollectable(registry_);
  return Status::Ok();
}

int WebhookMetrics::port() const {
  if (!exposer_) return 0;
  auto ports = exposer_->GetListeningPorts();
  return ports.empty() ? 0 : ports.front();
}

void WebhookMetrics::Request(const std::string& kind, const std::string& operation,
                             const std::string& decision, double seconds) {
  requests_->Add({{"kind", kind}, {"operation", operation}, {"decision", decision}}).Increment();
  latency_->Observe(seconds);
}

void WebhookMetrics::Violation(const std::string& rule, const std::string& mode) {
  violations_->Add({{"rule", rule}, {"mode", mode}}).Increment();
}

}  // namespace modelgate::webhook
