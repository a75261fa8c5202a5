// Inventory of who uses which model: watches Pods, ties each to the ModelAdmissions it
// uses (the policy library's binding rules, DESIGN.md "How a pod is tied to its models":
// the modelgate.io/models annotation, a volume matching spec.source, a PVC labelled
// modelgate.io/model is NOT followed here because the operator does not watch PVCs),
// climbs owner references to the top workload (Pod -> ReplicaSet -> Deployment,
// Pod -> Job -> CronJob, StatefulSet, DaemonSet) and writes status.workloads
// [{kind, name, firstSeen}] of each ModelAdmission: the workloads that use it now, oldest
// first, at most max_workloads (the oldest are kept; firstSeen survives restarts because
// it is read back from the status).
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "controller/clock.h"
#include "kube/client.h"
#include "kube/informer.h"
#include "kube/watch_health.h"

namespace modelgate::controller {

struct WorkloadRef {
  std::string kind, name;
  bool operator<(const WorkloadRef& o) const { return std::tie(kind, name) < std::tie(o.kind, o.name); }
  bool operator==(const WorkloadRef& o) const = default;
};

// The ModelAdmission names (in the pod's namespace) a Pod uses, given the models of that
// namespace (ModelAdmission JSON objects). Never fails: an unparsable pod uses nothing.
// A modelgate scan pod for `scanner_image` (recognised by shape, policy/scanner_pod.h,
// not by label: a label would let any workload hide from the inventory) uses nothing:
// scanning a model is not running it.
std::vector<std::string> ModelsUsedByPod(const nlohmann::json& pod, const std::vector<nlohmann::json>& models,
                                         const std::string& scanner_image = "");

// The new status.workloads: `current` users with firstSeen carried over from `previous`
// (entries of status.workloads) or `now`, sorted by firstSeen then kind/name, cut to
// `max` (oldest kept).
nlohmann::json MergeWorkloads(const nlohmann::json& previous, const std::set<WorkloadRef>& current, size_t max,
                              TimePoint now);

class WorkloadTracker {
 public:
  // `models` is the controller's ModelAdmission informer (borrowed, must outlive this).
  // Pods of scan Jobs for `scanner_image` are not counted (see ModelsUsedByPod).
  WorkloadTracker(std::shared_ptr<kube::Client> client, kube::Informer* models, size_t max_workloads,
                  std::chrono::milliseconds flush_every, Clock clock, std::string scanner_image = "");
  ~WorkloadTracker();  // Stop()s

  // Starts the Pod informer and the flush thread. Writes happen only while `active()`
  // returns true (the leader).
  void Start(std::function<bool()> active);
  void Stop();
  bool HasSynced() const;
  // True once Start() has run; thread-safe (HasSynced() is, from then on).
  bool started() const { return started_.load(std::memory_order_acquire); }
  // The Pod cache's list/watch failures (logged, rate-limited; last error for /readyz).
  const kube::WatchHealth& health() const { return health_; }

  // Marks every model of `ns` for recomputation (called when models change).
  void MarkNamespace(const std::string& ns);

 private:
  void OnPod(const kube::ObjectPtr& pod);
  void FlushLoop();
  void Flush();
  void FlushNamespace(const std::string& ns);
  WorkloadRef TopOwner(const nlohmann::json& pod);

  std::shared_ptr<kube::Client> client_;
  kube::Informer* models_;
  size_t max_;
  std::string scanner_image_;
  std::chrono::milliseconds flush_every_;
  Clock clock_;
  kube::WatchHealth health_{kube::ResourceName(kube::Pods())};
  std::unique_ptr<kube::Informer> pods_;
  std::function<bool()> active_;
  std::thread flusher_;
  std::atomic<bool> stop_{false};
  std::atomic<bool> started_{false};  // set after pods_

  std::mutex mu_;
  std::set<std::string> dirty_ns_;  // guarded by mu_
  // "ns/Kind/name" -> top owner; owners rarely change, so lookups are cached.
  std::map<std::string, WorkloadRef> owner_cache_;  // guarded by mu_
};

}  // namespace modelgate::controller
