// Validator: the /validate handler. Raw AdmissionReview body in, AdmissionReview
// out, with the decision library in between:
//   DecodeAdmissionReview -> (caches synced?) -> policy::Review -> deadline ->
//   scan requests (never on dry-run) -> audit log line + metrics -> encode.
// Fail closed: a body that cannot be decoded but has a uid is answered with a
// denial; a request that needs a decision while the caches are not synced, or
// whose decision overran the internal deadline, is denied with a message that
// says so. Thread-safe (handlers run concurrently).
#pragma once

#include <chrono>
#include <functional>
#include <string>

#include "policy/cluster_view.h"
#include "policy/evaluate.h"
#include "webhook/https_server.h"
#include "webhook/metrics.h"

namespace modelgate::webhook {

struct ValidatorOptions {
  policy::EvaluateOptions evaluate;
  // Below the webhook's timeoutSeconds (the chart sets 5 s), so the API server
  // gets our denial instead of applying failurePolicy to a timeout.
  std::chrono::milliseconds deadline{2500};
};

// Asks the operator to scan ModelAdmission ns/name (MG002); must not block.
using ScanRequester = std::function<void(const std::string& ns, const std::string& name, int64_t generation)>;

class Validator {
 public:
  // `view` and `metrics` must outlive the validator; `synced` says whether the
  // view's caches are complete; `metrics` and `request_scan` may be null.
  Validator(const policy::ClusterView& view, std::function<bool()> synced, ValidatorOptions options,
            WebhookMetrics* metrics, ScanRequester request_scan);

  HttpResponse Handle(const HttpRequest& request) const;

 private:
  const policy::ClusterView& view_;
  std::function<bool()> synced_;
  ValidatorOptions options_;
  WebhookMetrics* metrics_;
  ScanRequester request_scan_;
};

}  // namespace modelgate::webhook
