// Kubernetes Events (core/v1) about ModelAdmissions: "ScanStarted", "ScanCompleted",
// "ScanFailed", shown by `kubectl describe ma`. Recording never fails the caller:
// errors are logged. Repeats are aggregated and spam is held back (event_correlator.h),
// so `kubectl describe` shows "ScanFailed (x12 over 3h)" rather than twelve Events.
#pragma once

#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "controller/clock.h"
#include "controller/event_correlator.h"

namespace modelgate::kube {
class Client;
}

namespace modelgate::controller {

// Builds the core/v1 Event for `object` (must carry apiVersion, kind, metadata.name,
// namespace, uid). `type` is "Normal" or "Warning"; the message is cut at 1024 bytes
// (the API's limit). The name is "<object name>.<16 hex digits of now in ns>".
nlohmann::json BuildEvent(const nlohmann::json& object, const std::string& type, const std::string& reason,
                          const std::string& message, const std::string& component, const std::string& instance,
                          TimePoint now);

class EventRecorder {
 public:
  // `client` null: events are only logged. Thread-safe.
  EventRecorder(std::shared_ptr<kube::Client> client, std::string component, std::string instance, Clock clock,
                EventCorrelatorOptions correlation = {});

  // Records one occurrence. What is written (EventCorrelator decides): a new Event (POST);
  // for a repeat, a merge PATCH of count and lastTimestamp onto the earlier Event, or,
  // when that Event is gone (404: expired or deleted), a POST of it again under the same
  // name with the full count; nothing when the object's spam bucket is empty. Needs RBAC
  // events create and patch; a failed write is logged and not retried.
  void Record(const nlohmann::json& object, const std::string& type, const std::string& reason,
              const std::string& message);

 private:
  std::shared_ptr<kube::Client> client_;
  std::string component_, instance_;
  Clock clock_;
  EventCorrelator correlator_;
};

}  // namespace modelgate::controller
