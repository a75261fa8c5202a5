// One reconcile pass over one ModelAdmission: decide whether it needs a scan, mark it
// Scanning, run the scan through an Executor, compute and write the status, record
// Events and metrics. Thread-safe: workers call Reconcile for distinct keys at once
// (the WorkQueue never hands one key to two workers).
#pragma once

#include <atomic>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "controller/clock.h"
#include "controller/events.h"
#include "controller/executor.h"
#include "controller/metrics.h"
#include "controller/options.h"
#include "kube/client.h"

namespace modelgate::controller {

// modelgate.io/v1alpha1 modeladmissions.
kube::Resource ModelAdmissions();

class Reconciler {
 public:
  // Borrowed pointers must outlive the Reconciler; `events`/`metrics` may be null.
  Reconciler(std::shared_ptr<kube::Client> client, Executor* executor, EventRecorder* events, Metrics* metrics,
             ControllerOptions opts, Clock clock);

  // Reconciles "namespace/name". Reads the object fresh from the API server (the cache
  // may lag behind this controller's own writes), so a model is never scanned twice for
  // one generation by one leader. OK: nothing more to do. Error: retry with backoff
  // (the scan failed and phase Error was written, or the API server could not be reached).
  // `stop` aborts a running scan without writing a result (the next leader rescans).
  Status Reconcile(const std::string& key, const std::atomic<bool>& stop);

  // Scans started by this reconciler (for tests and the two-replica check).
  int64_t scans_started() const { return scans_started_.load(); }

 private:
  // PUT status with the object's resourceVersion; on conflict re-reads and calls
  // `compute(fresh_object)` again (up to 5 times). `compute` returns null to give up
  // (e.g. the spec moved on). Skips the write when the status is unchanged.
  Status WriteStatus(const std::string& ns, const std::string& name, nlohmann::json object,
                     const std::function<nlohmann::json(const nlohmann::json& object)>& compute,
                     nlohmann::json* written);

  std::shared_ptr<kube::Client> client_;
  Executor* executor_;
  EventRecorder* events_;
  Metrics* metrics_;
  ControllerOptions opts_;
  Clock clock_;
  std::atomic<int64_t> scans_started_{0};
};

}  // namespace modelgate::controller
