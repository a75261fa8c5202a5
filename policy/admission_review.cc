#include "policy/admission_review.h"

#include "policy/json_fields.h"

namespace modelgate::policy {

using internal::FieldErrors;
using internal::ObjectAt;
using internal::StringAt;
using nlohmann::json;

namespace {

struct TooDeep {};

void ReadGvk(const json& req, const char* field, bool resource, GroupVersionKind& out, FieldErrors& errs) {
  const json* g = ObjectAt(req, field, "request", errs);
  if (g == nullptr) return;
  const std::string p = std::string("request.") + field;
  out.group = StringAt(*g, "group", p, errs).value_or("");
  out.version = StringAt(*g, "version", p, errs).value_or("");
  out.kind = StringAt(*g, resource ? "resource" : "kind", p, errs).value_or("");
}

}  // namespace

Result<AdmissionRequest> DecodeAdmissionReview(std::string_view body, const DecodeLimits& limits,
                                               std::string* uid_out) {
  if (body.size() > limits.max_body_bytes)
    return Status::Error("AdmissionReview: body of " + std::to_string(body.size()) + " bytes exceeds the limit of " +
                         std::to_string(limits.max_body_bytes));
  json doc;
  try {
    // The callback sees every value with its depth before it is stored; throwing ends
    // the parse early, so deep input costs no more than max_depth levels.
    json::parser_callback_t cb = [&limits](int depth, json::parse_event_t event, json&) {
      if (event == json::parse_event_t::object_start || event == json::parse_event_t::array_start) {
        if (depth >= limits.max_depth) throw TooDeep{};
      }
      return true;
    };
    doc = json::parse(body.begin(), body.end(), cb, /*allow_exceptions=*/true);
  } catch (const TooDeep&) {
    return Status::Error("AdmissionReview: JSON nesting deeper than " + std::to_string(limits.max_depth));
  } catch (const json::exception& e) {
    return Status::Error(std::string("AdmissionReview: malformed JSON: ") + e.what());
  }
  if (!doc.is_object()) return Status::Error("AdmissionReview: expected a JSON object");
  FieldErrors errs;
  auto api = StringAt(doc, "apiVersion", "", errs);
  auto kind = StringAt(doc, "kind", "", errs);
  if (!errs.empty()) return errs.ToStatus("AdmissionReview");
  if (api.value_or("") != "admission.k8s.io/v1")
    return Status::Error("AdmissionReview: apiVersion must be admission.k8s.io/v1, got \"" + api.value_or("") + "\"");
  if (kind.value_or("") != "AdmissionReview")
    return Status::Error("AdmissionReview: kind must be AdmissionReview, got \"" + kind.value_or("") + "\"");
  const json* req = ObjectAt(doc, "request", "", errs);
  if (req == nullptr) {
    if (errs.empty()) errs.Add("request", "required");
    return errs.ToStatus("AdmissionReview");
  }
  AdmissionRequest out;
  out.uid = StringAt(*req, "uid", "request", errs).value_or("");
  if (out.uid.empty()) errs.Add("request.uid", "required");
  else if (uid_out) *uid_out = out.uid;
  ReadGvk(*req, "kind", false, out.kind, errs);
  ReadGvk(*req, "resource", true, out.resource, errs);
  out.sub_resource = StringAt(*req, "subResource", "request", errs).value_or("");
  out.name = StringAt(*req, "name", "request", errs).value_or("");
  out.namespace_name = StringAt(*req, "namespace", "request", errs).value_or("");
  out.operation = StringAt(*req, "operation", "request", errs).value_or("");
  if (out.operation != "CREATE" && out.operation != "UPDATE" && out.operation != "DELETE" &&
      out.operation != "CONNECT")
    errs.Add("request.operation", "must be CREATE, UPDATE, DELETE or CONNECT, got \"" + out.operation + "\"");
  out.dry_run = internal::BoolAt(*req, "dryRun", "request", errs).value_or(false);
  if (const json* ui = ObjectAt(*req, "userInfo", "request", errs)) {
    out.username = StringAt(*ui, "username", "request.userInfo", errs).value_or("");
    out.user_uid = StringAt(*ui, "uid", "request.userInfo", errs).value_or("");
    out.groups = internal::StringsAt(*ui, "groups", "request.userInfo", errs);
  }
  if (const json* o = ObjectAt(*req, "object", "request", errs)) out.object = *o;
  if (const json* o = ObjectAt(*req, "oldObject", "request", errs)) out.old_object = *o;
  if ((out.operation == "CREATE" || out.operation == "UPDATE") && out.object.is_null() && errs.empty())
    errs.Add("request.object", "required for " + out.operation);
  if (!errs.empty()) return errs.ToStatus("AdmissionReview");
  return out;
}

json EncodeAdmissionReview(const AdmissionResponse& r) {
  json resp = {{"uid", r.uid}, {"allowed", r.allowed}};
  if (r.code != 0) {
    resp["status"] = {{"code", r.code}, {"message", r.message}};
    if (!r.reason.empty()) resp["status"]["reason"] = r.reason;
  }
  if (!r.warnings.empty()) resp["warnings"] = r.warnings;
  if (!r.audit_annotations.empty()) resp["auditAnnotations"] = r.audit_annotations;
  return {{"apiVersion", "admission.k8s.io/v1"}, {"kind", "AdmissionReview"}, {"response", resp}};
}

}  // namespace modelgate::policy
