#include "controller/events.h"

#include <cstdio>

#include <spdlog/spdlog.h>

#include "kube/client.h"

namespace modelgate::controller {

using nlohmann::json;

json BuildEvent(const json& object, const std::string& type, const std::string& reason, const std::string& message,
                const std::string& component, const std::string& instance, TimePoint now) {
  const json md = object.value("metadata", json::object());
  const std::string name = md.value("name", "");
  const std::string ns = md.value("namespace", "");
  char suffix[24];
  std::snprintf(suffix, sizeof suffix, "%016llx",
                static_cast<unsigned long long>(
                    std::chrono::duration_cast<std::chrono::nanoseconds>(now.time_since_epoch()).count()));
  const std::string ts = FormatTime(now);
  std::string msg = message.size() > 1024 ? message.substr(0, 1021) + "..." : message;
  return {{"apiVersion", "v1"},
          {"kind", "Event"},
          {"metadata", {{"name", name + "." + suffix}, {"namespace", ns}}},
          {"involvedObject",
           {{"apiVersion", object.value("apiVersion", "")},
            {"kind", object.value("kind", "")},
            {"name", name},
            {"namespace", ns},
            {"uid", md.value("uid", "")},
            {"resourceVersion", md.value("resourceVersion", "")}}},
          {"reason", reason},
          {"message", msg},
          {"type", type},
          {"source", {{"component", component}}},
          {"reportingComponent", component},
          {"reportingInstance", instance},
          {"firstTimestamp", ts},
          {"lastTimestamp", ts},
          {"count", 1}};
}

EventRecorder::EventRecorder(std::shared_ptr<kube::Client> client, std::string component, std::string instance,
                             Clock clock, EventCorrelatorOptions correlation)
    : client_(std::move(client)), component_(std::move(component)), instance_(std::move(instance)),
      clock_(std::move(clock)), correlator_(correlation) {}

void EventRecorder::Record(const json& object, const std::string& type, const std::string& reason,
                           const std::string& message) {
  const TimePoint now = clock_();
  const EventWrite w = correlator_.Correlate(BuildEvent(object, type, reason, message, component_, instance_, now), now);
  const json& ev = w.event;
  const std::string ns = ev["metadata"]["namespace"].get<std::string>();
  const std::string name = ev["metadata"]["name"].get<std::string>();
  const std::string about = ev["involvedObject"]["name"].get<std::string>();
  const int64_t count = ev["count"].get<int64_t>();
  if (w.kind == EventWrite::Kind::kDrop) {
    spdlog::debug("event {} {}/{}: {} (x{}) held back by the spam filter", type, ns, about, reason, count);
    return;
  }
  spdlog::info("event {} {}/{}: {} {}{}", type, ns, about, reason, message,
               count > 1 ? " (x" + std::to_string(count) + ")" : std::string());
  if (!client_) return;
  const kube::Resource events{"", "v1", "events", true};
  if (w.kind == EventWrite::Kind::kPatch) {
    const json patch = {{"count", count}, {"lastTimestamp", ev["lastTimestamp"]}};
    Result<json> p = client_->Patch(events, ns, name, kube::PatchType::kMerge, patch);
    if (p.ok()) return;
    if (!kube::IsNotFound(p.status())) {
      spdlog::warn("updating event {} on {} (needs RBAC events patch): {}", reason, about, p.status().message());
      return;
    }
    // Expired or deleted: write it again under its name, with the count so far.
  }
  Result<json> r = client_->Create(events, ns, ev);
  if (!r.ok()) spdlog::warn("recording event {} on {}: {}", reason, about, r.status().message());
}

}  // namespace modelgate::controller
