// A small, synchronous Kubernetes REST client over cpprestsdk. Objects are plain JSON
// (nlohmann::json); resources are addressed by group/version/resource (kube/resource.h).
//
// Thread safety: a Client may be used from many threads at once. Calls block the calling
// thread; do not call from a cpprestsdk (pplx) continuation.
// TLS: the server certificate is always verified (CA from the Config, else the system
// store); there is no switch to turn that off. Every call has a timeout.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "kube/config.h"
#include "kube/errors.h"
#include "kube/resource.h"
#include "scanners/status.h"

namespace modelgate::kube {

using Json = nlohmann::json;

struct ListOptions {
  std::string label_selector;  // ?labelSelector=
  std::string field_selector;  // ?fieldSelector=
  int64_t limit = 0;           // page size; 0 = server default (everything)
  std::string continue_token;  // from the previous page's metadata.continue
  std::string resource_version;
};

enum class PatchType {
  kMerge,           // application/merge-patch+json (RFC 7386)
  kStrategicMerge,  // application/strategic-merge-patch+json (built-in types only)
  kJson,            // application/json-patch+json (RFC 6902), body is an array of ops
  kApply,           // server-side apply; field_manager is required
};

struct PatchOptions {
  std::string field_manager;  // ?fieldManager=; required for kApply
  bool force = false;         // ?force=true (apply only): take over conflicting fields
  std::string subresource;    // e.g. "status"
};

struct DeleteOptions {
  std::string propagation_policy;  // "Foreground" | "Background" | "Orphan" | "" (default)
  std::optional<int64_t> grace_period_seconds;
  std::string precondition_uid;    // delete only this incarnation
  std::string precondition_resource_version;
};

struct WatchOptions {
  std::string resource_version;       // start after this version; "" = "most recent"
  std::string label_selector;
  std::string field_selector;
  bool allow_bookmarks = true;        // ?allowWatchBookmarks=true
  int timeout_seconds = 60;           // server closes the stream after this long
};

struct WatchEvent {
  enum class Type { kAdded, kModified, kDeleted, kBookmark, kError };
  Type type;
  Json object;  // the object; for kError a metav1.Status
};

// Cancels a blocking call (Watch) from another thread. Copies share one state.
class CancelToken {
 public:
  CancelToken();
  void Cancel() const;
  bool cancelled() const;
  struct Impl;
  std::shared_ptr<Impl> impl() const { return impl_; }

 private:
  std::shared_ptr<Impl> impl_;
};

class Client {
 public:
  // Validates the config (https server, parsable PEM) and builds the HTTP clients.
  // Errors name the bad field.
  static Result<std::shared_ptr<Client>> Create(Config config);
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  const Config& config() const;

  // GET one object (or a subresource of it). 404 -> IsNotFound.
  Result<Json> Get(const Resource& r, const std::string& ns, const std::string& name,
                   const std::string& subresource = "");
  // GET one page of a collection: the List object with items and metadata.continue.
  Result<Json> List(const Resource& r, const std::string& ns, const ListOptions& opts = {});
  // Every page (limit = page_size) merged into one List; its metadata.resourceVersion is
  // that of the consistent snapshot the pages were read from. A continue token that
  // expires mid-way (410) is returned as the error; callers relist. `each_item`, when
  // set, is applied to every item as its page arrives (before the next page is read),
  // so trimming items there bounds the memory a large list holds.
  Result<Json> ListAll(const Resource& r, const std::string& ns, ListOptions opts = {},
                       int64_t page_size = 500, const std::function<void(Json&)>& each_item = {});
  // POST; ns from the argument (the object's metadata.namespace is ignored).
  Result<Json> Create(const Resource& r, const std::string& ns, const Json& object);
  // PUT the whole object (name from metadata.name; include metadata.resourceVersion for
  // optimistic concurrency, 409 -> IsConflict). `subresource` "status" updates status only.
  Result<Json> Update(const Resource& r, const std::string& ns, const Json& object,
                      const std::string& subresource = "");
  Result<Json> UpdateStatus(const Resource& r, const std::string& ns, const Json& object) {
    return Update(r, ns, object, "status");
  }
  // PATCH with the given type; returns the patched object.
  Result<Json> Patch(const Resource& r, const std::string& ns, const std::string& name,
                     PatchType type, const Json& body, const PatchOptions& opts = {});
  // DELETE; returns the server's answer (the object being deleted or a Status).
  Result<Json> Delete(const Resource& r, const std::string& ns, const std::string& name,
                      const DeleteOptions& opts = {});

  // Opens one watch stream and calls on_event for each event, in order, on the calling
  // thread. Returns OK when the server ended the stream (timeout) or on_event returned
  // false; an error when the connection failed or dropped (IsTransport), when the
  // server refused (e.g. IsGone for a too-old resource_version), or when cancelled.
  // ERROR events are delivered to on_event like any other; a 410 there also means relist.
  Status Watch(const Resource& r, const std::string& ns, const WatchOptions& opts,
               const std::function<bool(WatchEvent&&)>& on_event, const CancelToken& cancel);

  // Raw request for anything not covered above. `path_and_query` is e.g. "/readyz" or
  // "/api/v1/pods?limit=1". Returns the body text on 2xx.
  Result<std::string> Raw(const std::string& method, const std::string& path_and_query,
                          const std::string& body = "", const std::string& content_type = "");

 private:
  struct Impl;
  explicit Client(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace modelgate::kube
