// Informer: a watch cache of one collection, read by many threads without ever waiting
// on the network.
//
// A background thread runs a ListWatch and applies its results to an in-memory index.
// Readers (Get/List/ListByLabels/Size) take a shared lock that writers hold only for the
// in-memory update of one event, or for the pointer swap after a relist (the new index is
// built outside the lock). Objects are handed out as shared_ptr<const Json>: a reader's
// copy stays valid after the cache moves on.
//
// Handlers run on the informer thread, after the index has been updated, in event order.
// After a relist, handlers receive the difference to the previous state (adds, updates
// for changed resourceVersions, deletes for objects that vanished).
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <thread>
#include <vector>

#include "kube/client.h"
#include "kube/labels.h"
#include "kube/list_watch.h"

namespace modelgate::kube {

using ObjectPtr = std::shared_ptr<const Json>;

struct InformerHandlers {
  std::function<void(const ObjectPtr& obj)> on_add;
  std::function<void(const ObjectPtr& old_obj, const ObjectPtr& new_obj)> on_update;
  std::function<void(const ObjectPtr& last_known)> on_delete;
  // After a (re)list has replaced the index and its add/update/delete handlers have run
  // (before HasSynced turns true on the first list).
  std::function<void()> on_replaced;
  // Every list/watch failure that caused a retry, as ListWatchHandlers::on_error (may be
  // empty; without it failures are retried silently).
  std::function<void(const Status& error)> on_error;
  // The API server answered, as ListWatchHandlers::on_ok (may be empty).
  std::function<void()> on_ok;
};

class Informer {
 public:
  // `ns` empty = all namespaces (or a cluster-scoped resource).
  Informer(std::shared_ptr<Client> client, Resource resource, std::string ns,
           ListWatchOptions options = {}, InformerHandlers handlers = {});
  ~Informer();  // Stop()s
  Informer(const Informer&) = delete;
  Informer& operator=(const Informer&) = delete;

  // Starts the background thread. Call once.
  void Start();
  // Stops the thread and closes the watch; returns when the thread is gone. Idempotent.
  // The index keeps its last contents.
  void Stop();

  // True once the first list has been applied to the index.
  bool HasSynced() const;
  // Blocks until HasSynced() or the timeout; returns HasSynced().
  bool WaitForSync(std::chrono::milliseconds timeout) const;

  // Lookups; never block on the network. Key is namespace/name ("name" if cluster-scoped).
  ObjectPtr Get(const std::string& ns, const std::string& name) const;
  // Every object, or those in one namespace (ns non-empty), matching `selector`.
  std::vector<ObjectPtr> List(const std::string& ns = "", const LabelSelector& selector = {}) const;
  size_t Size() const;

  const ListWatchStats& stats() const { return lw_.stats(); }

 private:
  using Index = std::map<std::string, ObjectPtr>;  // "ns/name" -> object; sorted, so a
                                                   // namespace is one contiguous range
  void OnReplace(std::vector<Json>&& items);
  void OnEvent(const WatchEvent& ev);

  InformerHandlers handlers_;
  ListWatch lw_;
  CancelToken cancel_;
  std::thread thread_;

  mutable std::shared_mutex mu_;
  Index index_;  // guarded by mu_

  mutable std::mutex sync_mu_;
  mutable std::condition_variable sync_cv_;
  bool synced_ = false;  // guarded by sync_mu_
};

// "ns/name" or "name" for an object (empty when metadata.name is missing).
std::string ObjectKey(const Json& object);

}  // namespace modelgate::kube
