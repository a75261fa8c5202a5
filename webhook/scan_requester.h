// ScanRequester that asks the operator for a scan by setting the ModelAdmission
// annotation `modelgate.io/rescan` (controller/status.h) to "webhook-g<generation>".
// The value is fixed per generation, so however many pods are denied with MG002,
// the operator is asked at most once per spec. Requests are queued and patched
// on a background thread: the admission path never waits on the API server.
#pragma once

#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <tuple>

#include "kube/client.h"

namespace modelgate::webhook {

class AnnotationScanRequester {
 public:
  explicit AnnotationScanRequester(std::shared_ptr<kube::Client> client);
  ~AnnotationScanRequester();  // drains nothing: pending requests are dropped (the
                               // operator scans unscanned models on its own anyway)
  // Queues a request; duplicates (same ns/name/generation) are ignored. Never blocks.
  void Request(const std::string& ns, const std::string& name, int64_t generation);
  // Requests patched so far (tests).
  int patched() const;

 private:
  void Run();
  std::shared_ptr<kube::Client> client_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::tuple<std::string, std::string, int64_t>> queue_;  // guarded by mu_
  std::set<std::tuple<std::string, std::string, int64_t>> seen_;     // guarded by mu_
  bool stop_ = false;                                                // guarded by mu_
  int patched_ = 0;                                                  // guarded by mu_
  std::thread thread_;
};

}  // namespace modelgate::webhook
