// One reconcile pass over one ModelAdmission: decide whether it needs a scan, mark it
// Scanning, run the scan through an Executor, compute and write the status, record
// Events and metrics. Thread-safe: workers call Reconcile for distinct keys at once
// (the WorkQueue never hands one key to two workers).
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
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
  //
  // A retry (this reconciler's previous attempt at the same uid, generation and rescan
  // value failed, and the object still shows that phase Error) writes no phase Scanning
  // and records no ScanStarted: the model stays Error, which the webhook already answers
  // with MG002 "scan failed: <message>", until the retry's result replaces it. A retry
  // that fails with the same message writes no status at all (ErrorStatus is idempotent)
  // and only adds one to the existing ScanFailed Event's count. So a model failing for
  // good costs one GET and at most one Event write per retry instead of two status writes
  // and two Event creates.
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

  // The attempt whose failure makes the next one a retry.
  struct Attempt {
    std::string uid;
    int64_t generation = 0;
    std::string token;  // kRescanAnnotation value
    bool operator==(const Attempt&) const = default;
  };
  // Removes and returns whether `key`'s last attempt failed as `a`.
  bool TakeFailed(const std::string& key, const Attempt& a);
  void RememberFailed(const std::string& key, Attempt a);

  std::mutex failed_mu_;
  // Keys whose last attempt failed; an entry lives only between a failure and the next
  // attempt, so this holds at most the models currently failing.
  std::map<std::string, Attempt> failed_;  // guarded by failed_mu_
};

}  // namespace modelgate::controller
