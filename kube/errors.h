// API errors as Status values: the HTTP status is Status::code(), the message carries the
// API server's Status reason and message ("NotFound: configmaps \"x\" not found").
#pragma once

#include <string>

#include "scanners/status.h"

namespace modelgate::kube {

// Builds the error for a failed API response. `body` is the response body; when it is a
// metav1.Status its reason and message are used, otherwise the first 200 bytes of the
// body. `what` names the request ("GET /api/v1/..."). Code = `http_status`.
Status ApiError(int http_status, const std::string& body, const std::string& what);

// A transport failure (no HTTP response): connect refused, TLS failure, timeout. Code 0.
Status TransportError(const std::string& detail, const std::string& what);

// Classifiers over any Status (false for OK or non-API errors).
inline bool IsNotFound(const Status& s) { return !s.ok() && s.code() == 404; }
inline bool IsAlreadyExists(const Status& s) { return !s.ok() && s.code() == 409 && s.message().rfind("AlreadyExists", 0) == 0; }
inline bool IsConflict(const Status& s) { return !s.ok() && s.code() == 409; }
// 410 Gone / reason Expired: the resourceVersion is too old; the caller must relist.
inline bool IsGone(const Status& s) { return !s.ok() && s.code() == 410; }
inline bool IsForbidden(const Status& s) { return !s.ok() && s.code() == 403; }
inline bool IsTransport(const Status& s) { return !s.ok() && s.code() == 0; }

}  // namespace modelgate::kube
