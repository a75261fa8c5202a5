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
                             Clock clock)
    : client_(std::move(client)), component_(std::move(component)), instance_(std::move(instance)),
      clock_(std::move(clock)) {}

void EventRecorder::Record(const json& object, const std::string& type, const std::string& reason,
                           const std::string& message) {
  const json ev = BuildEvent(object, type, reason, message, component_, instance_, clock_());
  const std::string ns = ev["metadata"]["namespace"].get<std::string>();
  spdlog::info("event {} {}/{}: {} {}", type, ns, ev["involvedObject"]["name"].get<std::string>(), reason, message);
  if (!client_) return;
  Result<json> r = client_->Create(kube::Resource{"", "v1", "events", true}, ns, ev);
  if (!r.ok()) spdlog::warn("recording event {} on {}: {}", reason, ev["involvedObject"]["name"].get<std::string>(),
                            r.status().message());
}

}  // namespace modelgate::controller
