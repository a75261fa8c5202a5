// The admission.k8s.io/v1 AdmissionReview edge: bounded decoding of the raw request
// body into a plain struct, and encoding of the response. The webhook passes the raw
// HTTP body; nothing here trusts it.
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "scanners/status.h"

namespace modelgate::policy {

struct DecodeLimits {
  size_t max_body_bytes = 3 * 1024 * 1024;  // the API server's own request limit
  int max_depth = 64;                       // JSON nesting (objects + arrays)
};

struct GroupVersionKind {
  std::string group, version, kind;
};

struct AdmissionRequest {
  std::string uid;
  GroupVersionKind kind;          // request.kind (of the object)
  GroupVersionKind resource;      // request.resource: kind holds the resource ("pods")
  std::string sub_resource;       // "", "ephemeralcontainers", "status", ...
  std::string name, namespace_name;
  std::string operation;          // CREATE | UPDATE | DELETE | CONNECT
  bool dry_run = false;
  std::string username, user_uid;
  std::vector<std::string> groups;
  // The objects without `status` and `metadata.managedFields`, which no decision reads
  // (left out while decoding: they are a large share of a real review).
  nlohmann::json object;          // null when absent (DELETE)
  nlohmann::json old_object;      // null when absent (CREATE)
};

// Decodes an AdmissionReview. Errors (each message says which): body over
// max_body_bytes, nesting over max_depth, malformed JSON, apiVersion not
// "admission.k8s.io/v1", kind not "AdmissionReview", missing request, missing or
// empty request.uid, unknown operation, request.object missing for CREATE/UPDATE,
// fields of the wrong type. A decode error maps to HTTP 400; when the uid could be
// read, `uid_out` receives it so the caller may answer with a denial instead.
Result<AdmissionRequest> DecodeAdmissionReview(std::string_view body, const DecodeLimits& limits = {},
                                               std::string* uid_out = nullptr);

struct AdmissionResponse {
  std::string uid;
  bool allowed = true;
  int code = 0;                 // HTTP-like status code on denial (403), 0 = omit status
  std::string reason;           // "Forbidden"
  std::string message;          // the denial text
  std::vector<std::string> warnings;
  std::map<std::string, std::string> audit_annotations;
};

// {"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","response":{uid,
//  allowed, status:{code, reason, message}?, warnings?, auditAnnotations?}}
nlohmann::json EncodeAdmissionReview(const AdmissionResponse& response);

}  // namespace modelgate::policy
