// ListWatch keeps a consumer in step with a collection: it lists, then watches from the
// list's resourceVersion; when the stream ends or drops it resumes from the last version
// it saw (bookmarks included); when the server says that version is gone (HTTP 410 or a
// watch ERROR event with code 410) it lists again and hands over the full new state.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "kube/client.h"

namespace modelgate::kube {

struct ListWatchOptions {
  std::string label_selector;
  std::string field_selector;
  int64_t page_size = 500;          // list pagination
  int watch_timeout_seconds = 300;  // server-side stream timeout; then a cheap resume
  // Start by watching from this version instead of listing (e.g. a version kept from an
  // earlier run). If the server no longer has it (410), the ListWatch lists as usual.
  std::string initial_resource_version;
  // Wait between failed attempts doubles from min to max (reset after a success), so a
  // restarting API server is retried quickly but not hammered.
  std::chrono::milliseconds backoff_min = std::chrono::milliseconds(100);
  std::chrono::milliseconds backoff_max = std::chrono::seconds(5);
  // Applied to every object as soon as it is decoded (each list page, each watch
  // event), before any handler or store sees it: a read-only consumer drops what it
  // never reads (e.g. StripBookkeeping) so a large collection is never held whole.
  // Must keep metadata.name, namespace and resourceVersion.
  std::function<void(Json& object)> transform;
};

struct ListWatchHandlers {
  // After every successful (re)list: the complete current collection and its version.
  std::function<void(std::vector<Json>&& items, const std::string& resource_version)> on_replace;
  // Each ADDED / MODIFIED / DELETED event, in order.
  std::function<void(const WatchEvent& event)> on_event;
  // Every failure that caused a retry (informational; may be empty).
  std::function<void(const Status& error)> on_error;
  // The API server answered: after each successful list, each watch event or bookmark,
  // and each watch stream that ended without error (its server-side timeout). With
  // on_error it tells whether the collection is reachable; a resumed watch on a quiet
  // collection reports through the bookmark or the stream's end (may be empty).
  std::function<void()> on_ok;
};

// Counters for tests and metrics; read at any time.
struct ListWatchStats {
  std::atomic<int64_t> lists{0};    // successful lists (first + relists)
  std::atomic<int64_t> resumes{0};  // watches reopened from a known version
  std::atomic<int64_t> events{0};   // ADDED/MODIFIED/DELETED delivered
  std::atomic<int64_t> bookmarks{0};
};

class ListWatch {
 public:
  ListWatch(std::shared_ptr<Client> client, Resource resource, std::string ns,
            ListWatchOptions options, ListWatchHandlers handlers);

  // Runs until `cancel` fires; handlers are called on this thread. Never throws.
  void Run(const CancelToken& cancel);

  const ListWatchStats& stats() const { return stats_; }
  // The last resourceVersion seen (list, event or bookmark); empty before the first list.
  std::string last_resource_version() const;

 private:
  bool SleepBackoff(const CancelToken& cancel, std::chrono::milliseconds& backoff);

  std::shared_ptr<Client> client_;
  Resource resource_;
  std::string ns_;
  ListWatchOptions options_;
  ListWatchHandlers handlers_;
  ListWatchStats stats_;
  mutable std::mutex rv_mu_;
  std::string rv_;  // guarded by rv_mu_
};

}  // namespace modelgate::kube
