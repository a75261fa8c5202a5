// Leader election on a coordination.k8s.io/v1 Lease, with client-go's semantics: a
// candidate takes the lease when it is free or when its holder has not renewed it for
// lease_duration (measured on the candidate's own clock from when it last saw the lease
// change, so clock skew between candidates does not matter); the leader renews every
// retry_period and steps down if it could not renew for renew_deadline. Updates carry the
// lease's resourceVersion, so two candidates can never both win the same round.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "kube/client.h"

namespace modelgate::kube {

struct LeaderElectionConfig {
  std::string lease_namespace;
  std::string lease_name;
  std::string identity;  // unique per candidate, e.g. the pod name
  // Defaults follow client-go (15 s / 10 s / 2 s). Must hold:
  // lease_duration > renew_deadline > retry_period > 0.
  std::chrono::milliseconds lease_duration = std::chrono::seconds(15);
  std::chrono::milliseconds renew_deadline = std::chrono::seconds(10);
  std::chrono::milliseconds retry_period = std::chrono::seconds(2);
  // On Stop() while leading: clear the holder so another candidate can take over at once.
  bool release_on_stop = true;
  // Called on the elector's thread. on_stopped_leading runs before the lease is released
  // (when leading ended by Stop()) or after renewal failed; do the step-down work in it.
  std::function<void()> on_started_leading;
  std::function<void()> on_stopped_leading;
  // Optional: every time the observed holder changes (identity may be "").
  std::function<void(const std::string& identity)> on_new_leader;
};

class LeaderElector {
 public:
  // Validates the config (the field path of a bad setting is in the message).
  static Result<std::unique_ptr<LeaderElector>> Create(std::shared_ptr<Client> client,
                                                       LeaderElectionConfig config);
  ~LeaderElector();  // Stop()s

  // Starts campaigning on a background thread. Call once.
  void Start();
  // Stops campaigning; if leading, calls on_stopped_leading and then releases the lease
  // (when release_on_stop). Returns when the thread is gone. Idempotent.
  void Stop();

  bool IsLeader() const;
  // The holder last observed on the lease ("" when none).
  std::string observed_leader() const;

 private:
  LeaderElector(std::shared_ptr<Client> client, LeaderElectionConfig config);
  void Run();
  // One attempt to acquire or renew; true when this candidate holds the lease afterwards.
  bool TryAcquireOrRenew();
  void Release();
  bool SleepFor(std::chrono::milliseconds d);

  std::shared_ptr<Client> client_;
  LeaderElectionConfig cfg_;
  std::thread thread_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;             // guarded by mu_
  bool leading_ = false;          // guarded by mu_
  std::string observed_holder_;   // guarded by mu_
  // What the lease looked like when we last saw it change, and when (our clock).
  std::string observed_record_;   // guarded by mu_
  std::chrono::steady_clock::time_point observed_time_;  // guarded by mu_
  std::chrono::milliseconds observed_duration_{0};        // guarded by mu_
};

}  // namespace modelgate::kube
