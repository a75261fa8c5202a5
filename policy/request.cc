#include "policy/request.h"

#include "policy/workload.h"

namespace modelgate::policy {

using nlohmann::json;

namespace {

// The part of the object that decides admission: spec for Pods, the pod template for
// workloads (null when absent).
json DecisiveSpec(const json& obj, const std::string& kind) {
  if (!obj.is_object()) return nullptr;
  const json* spec = obj.contains("spec") ? &obj["spec"] : nullptr;
  if (spec == nullptr || !spec->is_object()) return nullptr;
  if (kind == "Pod") return *spec;
  if (kind == "CronJob") {
    if (!spec->contains("jobTemplate") || !(*spec)["jobTemplate"].is_object()) return nullptr;
    const json& jt = (*spec)["jobTemplate"];
    if (!jt.contains("spec") || !jt["spec"].is_object()) return nullptr;
    spec = &jt["spec"];
  }
  if (!spec->contains("template")) return nullptr;
  return (*spec)["template"];
}

}  // namespace

RequestPlan PlanRequest(const AdmissionRequest& req) {
  RequestPlan plan;
  if (req.operation != "CREATE" && req.operation != "UPDATE") {
    plan.skip_reason = req.operation + " is not judged";
    return plan;
  }
  if (!req.sub_resource.empty() && req.sub_resource != "ephemeralcontainers") {
    plan.skip_reason = "subresource " + req.sub_resource + " is not judged";
    return plan;
  }
  std::string kind = req.kind.kind;
  if (req.object.is_object() && req.object.contains("kind") && req.object["kind"].is_string())
    kind = req.object["kind"].get<std::string>();
  if (!IsWorkloadKind(kind)) {
    plan.skip_reason = "kind " + kind + " has no pod template";
    return plan;
  }
  if (req.object.is_object() && req.object.contains("metadata") && req.object["metadata"].is_object() &&
      req.object["metadata"].contains("deletionTimestamp") && !req.object["metadata"]["deletionTimestamp"].is_null()) {
    plan.skip_reason = "object is being deleted";
    return plan;
  }
  if (req.operation == "UPDATE" && !req.old_object.is_null() &&
      DecisiveSpec(req.object, kind) == DecisiveSpec(req.old_object, kind)) {
    plan.skip_reason = kind == "Pod" ? "pod spec unchanged" : "pod template unchanged";
    return plan;
  }
  plan.evaluate = true;
  return plan;
}

ReviewOutcome Review(const AdmissionRequest& req, const ClusterView& cluster, const EvaluateOptions& options) {
  ReviewOutcome out;
  out.response.uid = req.uid;
  RequestPlan plan = PlanRequest(req);
  if (!plan.evaluate) {
    out.skipped = true;
    out.skip_reason = plan.skip_reason;
    return out;
  }
  auto w = WorkloadFromObject(req.object, req.namespace_name);
  if (!w.ok()) {
    out.response.allowed = false;
    out.response.code = 400;
    out.response.reason = "BadRequest";
    out.response.message = "modelgate could not read the object: " + w.status().message();
    return out;
  }
  out.decision = Evaluate(*w, cluster, options);
  const Decision& d = out.decision;
  out.response.allowed = d.allowed;
  out.response.warnings = d.warnings;
  std::string audit;
  for (const Violation* v : d.ViolationsIn(Enforcement::kAudit)) audit += (audit.empty() ? "" : "\n") + v->Line();
  if (!audit.empty()) out.response.audit_annotations["modelgate.io/violations"] = audit;
  std::string notes;
  for (const auto& n : d.notes) notes += (notes.empty() ? "" : "\n") + n;
  if (!notes.empty()) out.response.audit_annotations["modelgate.io/notes"] = notes;
  if (!d.allowed) {
    out.response.code = 403;
    out.response.reason = "Forbidden";
    out.response.message = "modelgate denied " + w->kind + " \"" + w->name + "\" in namespace \"" +
                           w->namespace_name + "\":\n" + d.DenialMessage();
  }
  return out;
}

}  // namespace modelgate::policy
