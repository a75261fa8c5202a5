#include "kube/list_watch.h"

#include <thread>

namespace modelgate::kube {
namespace {

std::string ResourceVersionOf(const Json& object) {
  if (object.is_object() && object.contains("metadata") && object["metadata"].is_object()) {
    const auto& md = object["metadata"];
    if (md.contains("resourceVersion") && md["resourceVersion"].is_string())
      return md["resourceVersion"].get<std::string>();
  }
  return "";
}

}  // namespace

ListWatch::ListWatch(std::shared_ptr<Client> client, Resource resource, std::string ns,
                     ListWatchOptions options, ListWatchHandlers handlers)
    : client_(std::move(client)),
      resource_(std::move(resource)),
      ns_(std::move(ns)),
      options_(std::move(options)),
      handlers_(std::move(handlers)) {}

std::string ListWatch::last_resource_version() const {
  std::lock_guard<std::mutex> l(rv_mu_);
  return rv_;
}

bool ListWatch::SleepBackoff(const CancelToken& cancel, std::chrono::milliseconds& backoff) {
  // Sleeps in small steps so Stop() is honoured promptly.
  auto until = std::chrono::steady_clock::now() + backoff;
  while (std::chrono::steady_clock::now() < until) {
    if (cancel.cancelled()) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  backoff = std::min(backoff * 2, options_.backoff_max);
  return !cancel.cancelled();
}

void ListWatch::Run(const CancelToken& cancel) {
  auto report = [&](const Status& s) {
    if (handlers_.on_error) handlers_.on_error(s);
  };
  auto ok = [&] {
    if (handlers_.on_ok) handlers_.on_ok();
  };
  auto set_rv = [&](const std::string& rv) {
    std::lock_guard<std::mutex> l(rv_mu_);
    rv_ = rv;
  };
  std::chrono::milliseconds backoff = options_.backoff_min;
  bool need_list = options_.initial_resource_version.empty();
  if (!need_list) set_rv(options_.initial_resource_version);
  while (!cancel.cancelled()) {
    if (need_list) {
      ListOptions lo;
      lo.label_selector = options_.label_selector;
      lo.field_selector = options_.field_selector;
      auto list = client_->ListAll(resource_, ns_, lo, options_.page_size, options_.transform);
      if (!list.ok()) {
        report(list.status());
        if (!SleepBackoff(cancel, backoff)) return;
        continue;
      }
      std::vector<Json> items;
      // Moved, not copied: a copy held the whole collection twice until `list` went out of
      // scope (10,000 ModelAdmissions: ~220 MB more at the operator's peak,
      // bench/operator/README.md). Result::operator* had only a const overload then.
      for (auto& item : (*list)["items"]) items.push_back(std::move(item));
      const std::string rv = ResourceVersionOf(*list);
      set_rv(rv);
      ++stats_.lists;
      if (handlers_.on_replace) handlers_.on_replace(std::move(items), rv);
      ok();
      need_list = false;
      backoff = options_.backoff_min;
    } else {
      ++stats_.resumes;
    }

    WatchOptions wo;
    wo.resource_version = last_resource_version();
    wo.label_selector = options_.label_selector;
    wo.field_selector = options_.field_selector;
    wo.allow_bookmarks = true;
    wo.timeout_seconds = options_.watch_timeout_seconds;
    bool gone = false;
    bool progressed = false;
    Status st = client_->Watch(
        resource_, ns_, wo,
        [&](WatchEvent&& ev) {
          if (ev.type == WatchEvent::Type::kError) {
            // A metav1.Status inside the stream; 410 = our version was compacted away.
            const int code = ev.object.is_object() ? ev.object.value("code", 0) : 0;
            if (code == 410) gone = true;
            report(Status::Error("watch ERROR event: " + ev.object.dump(), code));
            return false;
          }
          const std::string rv = ResourceVersionOf(ev.object);
          if (!rv.empty()) set_rv(rv);
          progressed = true;
          ok();
          if (ev.type == WatchEvent::Type::kBookmark) {
            ++stats_.bookmarks;
            return !cancel.cancelled();
          }
          ++stats_.events;
          if (options_.transform && ev.object.is_object()) options_.transform(ev.object);
          if (handlers_.on_event) handlers_.on_event(ev);
          return !cancel.cancelled();
        },
        cancel);
    if (cancel.cancelled()) return;
    if (IsGone(st) || gone) {
      need_list = true;  // relist immediately: the server told us exactly what to do
      continue;
    }
    if (!st.ok()) {
      report(st);
      if (progressed) backoff = options_.backoff_min;
      if (!SleepBackoff(cancel, backoff)) return;
    } else {
      ok();  // the stream ran to its timeout: reachable, even if nothing changed
      backoff = options_.backoff_min;
    }
  }
}

}  // namespace modelgate::kube
