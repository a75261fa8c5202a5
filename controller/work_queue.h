// A keyed work queue with client-go workqueue semantics: a key is queued at most once;
// a key being processed that is added again is processed once more after Done(); a key
// can be held back until a time (retry backoff), and plain Add() respects that hold.
//
// Thread-safe. Keys are "namespace/name".
#pragma once

#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <set>
#include <string>

namespace modelgate::controller {

class WorkQueue {
 public:
  using SteadyTime = std::chrono::steady_clock::time_point;

  // Queues `key` to run as soon as a worker is free and its hold (if any) has passed.
  void Add(const std::string& key);
  // Holds `key` back until now + delay, then queues it (a sooner Add waits for the hold).
  void AddAfter(const std::string& key, std::chrono::milliseconds delay);
  // Clears the hold of `key` (after a success).
  void Forget(const std::string& key);

  // Blocks until a key is due or the queue is shut down. Returns false on shutdown.
  // The key is "processing" until Done(key).
  bool Get(std::string* key);
  void Done(const std::string& key);

  // Wakes every Get() with false; later Adds are ignored.
  void ShutDown();
  // Reopens a shut-down queue, empty (used when leadership is regained).
  void Reset();

  // Keys waiting (due or held), plus those processing.
  size_t Pending() const;
  size_t Processing() const;

 private:
  void Schedule(const std::string& key, SteadyTime at);  // requires mu_

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::map<std::string, SteadyTime> waiting_;  // key -> when due; guarded by mu_
  std::map<std::string, SteadyTime> hold_;     // key -> not before; guarded by mu_
  std::set<std::string> processing_;           // guarded by mu_
  std::map<std::string, SteadyTime> dirty_;    // re-added while processing; guarded by mu_
  bool shutdown_ = false;                      // guarded by mu_
};

}  // namespace modelgate::controller
