// The operator: watches ModelAdmissions (all namespaces), scans those whose scan is
// missing or stale with a bounded worker pool, retries failures with exponential
// backoff, keeps the workload inventory, and serves metrics and health. With leader
// election only the Lease holder reconciles and writes; every replica serves metrics
// and health.
//
// Lifecycle: Create() validates the options; Start() starts the caches, servers and
// the election; Stop() (or the destructor) stops everything and returns when every
// thread is gone. Scans running at Stop() are abandoned without writing; the models stay
// in phase Scanning and the next leader scans them again.
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "controller/clock.h"
#include "controller/events.h"
#include "controller/executor.h"
#include "controller/health.h"
#include "controller/metrics.h"
#include "controller/options.h"
#include "controller/reconciler.h"
#include "controller/work_queue.h"
#include "controller/workloads.h"
#include "kube/client.h"
#include "kube/informer.h"
#include "kube/leader_election.h"
#include "kube/watch_health.h"

namespace modelgate::controller {

class Controller {
 public:
  // `executor` null: NewInlineExecutor or NewJobExecutor per opts.scan_mode.
  static Result<std::unique_ptr<Controller>> Create(std::shared_ptr<kube::Client> client, ControllerOptions opts,
                                                    std::unique_ptr<Executor> executor = nullptr,
                                                    Clock clock = SystemClock());
  ~Controller();

  // Starts everything. Errors: the metrics or health address cannot be bound.
  Status Start();
  void Stop();

  bool IsLeader() const;
  // The ModelAdmission cache has listed once (this is /readyz).
  bool Ready() const;
  // One entry per watch cache that has not listed yet (the ModelAdmission cache, and the
  // Pod cache when the inventory is on and started): its resource
  // ("modeladmissions.modelgate.io", "pods"), followed by " (last error: <why>)" when its
  // latest list/watch attempt failed. List/watch failures are also logged per cache,
  // rate-limited (kube/watch_health.h). For /readyz's 503 body.
  std::vector<std::string> UnsyncedCaches() const;
  int metrics_port() const { return metrics_.port(); }
  int health_port() const { return health_ ? health_->port() : 0; }
  const Metrics& metrics() const { return metrics_; }
  int64_t scans_started() const { return reconciler_->scans_started(); }
  size_t queue_pending() const { return queue_.Pending() + queue_.Processing(); }

 private:
  Controller(std::shared_ptr<kube::Client> client, ControllerOptions opts, std::unique_ptr<Executor> executor,
             Clock clock);
  void StartWorkers();
  void StopWorkers();
  void Worker();
  void Enqueue(const kube::ObjectPtr& obj);
  // Clears `key`'s retry hold and failure count: its next attempt runs as soon as queued.
  void RestartBackoff(const std::string& key);
  void StatsLoop();

  std::shared_ptr<kube::Client> client_;
  ControllerOptions opts_;
  Clock clock_;
  std::unique_ptr<Executor> executor_;
  Metrics metrics_;
  std::unique_ptr<EventRecorder> events_;
  std::unique_ptr<Reconciler> reconciler_;
  std::unique_ptr<kube::WatchHealth> informer_health_;  // logs informer_'s list/watch failures
  std::unique_ptr<kube::Informer> informer_;
  std::unique_ptr<WorkloadTracker> tracker_;
  std::unique_ptr<kube::LeaderElector> elector_;
  std::unique_ptr<HealthServer> health_;
  WorkQueue queue_;

  std::mutex workers_mu_;  // serialises StartWorkers/StopWorkers
  std::vector<std::thread> workers_;  // guarded by workers_mu_
  std::atomic<bool> leading_{false};
  std::atomic<bool> stop_work_{true};

  std::mutex failures_mu_;
  std::map<std::string, int> failures_;  // consecutive failures per key; guarded by failures_mu_

  std::thread stats_;
  std::atomic<bool> stopping_{false};
  bool started_ = false;
};

}  // namespace modelgate::controller
