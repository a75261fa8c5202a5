// WatchHealth: what one watch cache (a kube::Informer of the webhook or the operator)
// reports about its connection to the API server, so an unreachable or refusing API
// server is visible in the log and in /readyz instead of only as "caches not synced".
//
// The informer's owner passes InformerHandlers::on_error to Failed() for every list/watch
// attempt that failed (the informer retries with backoff, ~5 s apart at most), and
// InformerHandlers::on_ok to Succeeded() (a list, an event, a bookmark, or a watch that
// ran to its timeout: so recovery is seen on a quiet collection too). The first failure is logged as a warning at once; further ones at most once
// per interval (with how many were held back), so a long outage is a line every 30 s,
// not every retry; the first success after failures is logged at info. Thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>

#include "kube/resource.h"
#include "scanners/status.h"

namespace modelgate::kube {

// "modeladmissions.modelgate.io", "namespaces": how kubectl names a resource.
std::string ResourceName(const Resource& resource);

class WatchHealth {
 public:
  using Clock = std::function<std::chrono::steady_clock::time_point()>;

  // `resource` names the cache in every line; `clock` defaults to steady_clock::now
  // (tests pass a fake one).
  explicit WatchHealth(std::string resource, std::chrono::milliseconds log_interval = std::chrono::seconds(30),
                       Clock clock = nullptr);

  // A list or watch attempt failed. An HTTP 410 ("version too old") is not a failure:
  // the informer relists, as the protocol asks, and it is not counted or logged.
  void Failed(const Status& error);
  // A list succeeded: the cache is in step again.
  void Succeeded();

  // The latest failure's message since the last success; empty when there is none.
  std::string last_error() const;
  // "<resource>" or "<resource> (last error: <message>)": how /readyz names a cache that
  // has not synced.
  std::string Describe() const;
  // Failed attempts since the last success.
  int64_t failures() const;
  const std::string& name() const { return resource_; }

 private:
  const std::string resource_;
  const std::chrono::milliseconds log_interval_;
  const Clock clock_;
  mutable std::mutex mu_;
  std::string last_error_;                           // guarded by mu_
  int64_t failures_ = 0;                             // guarded by mu_
  int64_t held_back_ = 0;                            // guarded by mu_: failures not logged
  std::chrono::steady_clock::time_point last_log_{};  // guarded by mu_
};

}  // namespace modelgate::kube
