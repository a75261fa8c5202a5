// From an AdmissionRequest to an AdmissionResponse: which requests need a decision,
// and how a Decision is answered. The webhook's whole request path is
//   DecodeAdmissionReview -> Review -> EncodeAdmissionReview
// plus acting on Decision::scan_requests when !request.dry_run.
#pragma once

#include <string>

#include "policy/admission_review.h"
#include "policy/cluster_view.h"
#include "policy/decision.h"
#include "policy/evaluate.h"

namespace modelgate::policy {

struct RequestPlan {
  bool evaluate = false;
  std::string skip_reason;  // when !evaluate
};

// Skips (allows without evaluating): DELETE and CONNECT; subresources other than
// pods/ephemeralcontainers (status, scale, ...); kinds that carry no pod template;
// objects being deleted; UPDATEs that leave the pod spec (for Pods) or the pod
// template (for workloads) unchanged, so label edits and scaling of already admitted
// workloads never fail because a rule changed since.
RequestPlan PlanRequest(const AdmissionRequest& req);

struct ReviewOutcome {
  AdmissionResponse response;
  Decision decision;  // evaluated == false when the request was skipped
  bool skipped = false;
  std::string skip_reason;
};

// Plans, extracts the workload and evaluates. A workload that cannot be read is denied
// (fail closed, code 400 with the field error). Allowed responses carry Warn-mode
// violations as warnings and Audit-mode ones in auditAnnotations
// ("modelgate.io/violations"), Decision::notes in "modelgate.io/notes" (allowed or
// not); denials carry code 403, reason "Forbidden" and Decision::DenialMessage()
// prefixed by the object.
ReviewOutcome Review(const AdmissionRequest& req, const ClusterView& cluster, const EvaluateOptions& options = {});

}  // namespace modelgate::policy
