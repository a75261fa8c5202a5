#include "webhook/validator.h"

#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>

#include "policy/admission_review.h"
#include "policy/request.h"

namespace modelgate::webhook {
namespace {

HttpResponse JsonResponse(int status, const nlohmann::json& body) {
  return {status, "application/json", body.dump()};
}

policy::AdmissionResponse Deny(const std::string& uid, int code, const std::string& message) {
  policy::AdmissionResponse r;
  r.uid = uid;
  r.allowed = false;
  r.code = code;
  r.reason = code == 403 ? "Forbidden" : code == 400 ? "BadRequest" : "InternalError";
  r.message = message;
  return r;
}

std::string ObjectName(const policy::AdmissionRequest& req) {
  std::string name = req.name;
  if (name.empty() && req.object.is_object()) {
    const auto& md = req.object.value("metadata", nlohmann::json::object());
    name = md.value("name", "");
    if (name.empty()) name = md.value("generateName", "") + "*";
  }
  return req.kind.kind + " " + (req.namespace_name.empty() ? "" : req.namespace_name + "/") + name;
}

}  // namespace

Validator::Validator(const policy::ClusterView& view, std::function<bool()> synced, ValidatorOptions options,
                     WebhookMetrics* metrics, ScanRequester request_scan)
    : view_(view),
      synced_(std::move(synced)),
      options_(std::move(options)),
      metrics_(metrics),
      request_scan_(std::move(request_scan)) {}

HttpResponse Validator::Handle(const HttpRequest& http) const {
  auto start = std::chrono::steady_clock::now();
  auto seconds = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(); };
  if (http.method != "POST") {
    return JsonResponse(405, {{"error", "use POST with an admission.k8s.io/v1 AdmissionReview"}});
  }
  std::string uid;
  auto decoded = policy::DecodeAdmissionReview(http.body, {}, &uid);
  if (!decoded.ok()) {
    spdlog::warn("bad AdmissionReview: {}", decoded.status().message());
    if (metrics_) metrics_->Request("unknown", "unknown", "error", seconds());
    if (uid.empty()) {
      return JsonResponse(400, {{"error", "invalid AdmissionReview: " + decoded.status().message()}});
    }
    return JsonResponse(200, policy::EncodeAdmissionReview(
                                 Deny(uid, 400, "modelgate: invalid AdmissionReview: " + decoded.status().message())));
  }
  const policy::AdmissionRequest& req = decoded.value();
  policy::ReviewOutcome outcome;
  std::string decision;
  policy::RequestPlan plan = policy::PlanRequest(req);
  if (plan.evaluate && synced_ && !synced_()) {
    outcome.response = Deny(req.uid, 403,
                            "modelgate: the webhook is starting and its caches are not synced yet; "
                            "nothing was evaluated, retry in a few seconds");
    decision = "error";
  } else {
    outcome = policy::Review(req, view_, options_.evaluate);
    if (std::chrono::steady_clock::now() - start > options_.deadline) {
      outcome.response = Deny(req.uid, 403,
                              "modelgate: the decision took longer than the internal deadline of " +
                                  std::to_string(options_.deadline.count()) +
                                  " ms; denied rather than guessed, retry");
      decision = "error";
    } else if (outcome.skipped) {
      decision = "skipped";
    } else if (!outcome.response.allowed) {
      decision = "denied";
    } else {
      decision = outcome.response.warnings.empty() ? "allowed" : "warned";
    }
  }
  if (!req.dry_run && request_scan_) {
    for (const auto& s : outcome.decision.scan_requests) {
      int64_t generation = 0;
      if (auto ma = view_.FindModelAdmission(s.namespace_name, s.name)) generation = ma->generation;
      request_scan_(s.namespace_name, s.name, generation);
    }
  }
  std::vector<std::string> rules = outcome.decision.Rules();
  if (metrics_) {
    metrics_->Request(req.kind.kind, req.operation, decision, seconds());
    for (const auto& v : outcome.decision.violations) {
      metrics_->Violation(v.rule, std::string(policy::EnforcementName(v.enforcement)));
    }
  }
  // The audit trail: one JSON line per decision.
  nlohmann::json audit = {{"audit", "admission"},
                          {"uid", req.uid},
                          {"user", req.username},
                          {"object", ObjectName(req)},
                          {"operation", req.operation},
                          {"subResource", req.sub_resource},
                          {"dryRun", req.dry_run},
                          {"decision", decision},
                          {"allowed", outcome.response.allowed},
                          {"rules", rules},
                          {"policies", outcome.decision.policies},
                          {"latencyMs", seconds() * 1000}};
  // Why nothing was judged: the request (PlanRequest) or the namespace (never affected,
  // or no policy selects it); without it such a line reads as an ordinary "allowed".
  if (outcome.skipped) {
    audit["skipReason"] = outcome.skip_reason;
  } else if (!outcome.decision.evaluated && !outcome.decision.skip_reason.empty()) {
    audit["skipReason"] = outcome.decision.skip_reason;
  }
  if (!outcome.decision.notes.empty()) audit["notes"] = outcome.decision.notes;  // e.g. a recognised scanner pod
  spdlog::info("{}", audit.dump());
  return JsonResponse(200, policy::EncodeAdmissionReview(outcome.response));
}

}  // namespace modelgate::webhook
