#include "kube/errors.h"

#include <nlohmann/json.hpp>

namespace modelgate::kube {

Status ApiError(int http_status, const std::string& body, const std::string& what) {
  std::string reason;
  std::string message;
  // The API server answers errors with a metav1.Status; anything else (a proxy's HTML
  // page) is quoted, truncated.
  const auto j = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (j.is_object() && j.value("kind", "") == "Status") {
    if (j.contains("reason") && j["reason"].is_string()) reason = j["reason"].get<std::string>();
    if (j.contains("message") && j["message"].is_string()) message = j["message"].get<std::string>();
  }
  if (reason.empty()) {
    switch (http_status) {
      case 400: reason = "BadRequest"; break;
      case 401: reason = "Unauthorized"; break;
      case 403: reason = "Forbidden"; break;
      case 404: reason = "NotFound"; break;
      case 409: reason = "Conflict"; break;
      case 410: reason = "Gone"; break;
      case 422: reason = "Invalid"; break;
      case 429: reason = "TooManyRequests"; break;
      default: reason = http_status >= 500 ? "InternalError" : "Unknown"; break;
    }
  }
  if (message.empty()) message = body.substr(0, 200);
  return Status::Error(reason + ": " + message + " (HTTP " + std::to_string(http_status) + ", " + what + ")",
                       http_status);
}

Status TransportError(const std::string& detail, const std::string& what) {
  return Status::Error("transport: " + detail + " (" + what + ")", 0);
}

}  // namespace modelgate::kube
