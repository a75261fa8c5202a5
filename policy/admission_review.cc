#include "policy/admission_review.h"

#include "policy/json_fields.h"

namespace modelgate::policy {

using internal::FieldErrors;
using internal::ObjectAt;
using internal::StringAt;
using nlohmann::json;

namespace {

// nlohmann's own DOM builder with a nesting bound: the plain SAX DOM parser is several
// times cheaper than the callback parser (no std::function call and keep-stack per
// value), and failing at start_object/start_array stops deep input at max_depth levels.
// It also leaves out of the DOM what no decision reads: `status` and
// `metadata.managedFields` of request.object and request.oldObject (the API server
// sends both; managedFields is often a third of a pod). They are still lexed, so bad
// syntax or nesting inside them is an error as anywhere else.
class ReviewDomParser : public nlohmann::detail::json_sax_dom_parser<json> {
  using Base = nlohmann::detail::json_sax_dom_parser<json>;
  // What an open object is, as far as skipping is concerned.
  enum class Role : unsigned char { kRoot, kRequest, kObject, kMetadata, kOther };

 public:
  ReviewDomParser(json& root, int max_depth) : Base(root, /*allow_exceptions=*/false), max_depth_(max_depth) {}

  bool null() { return Skip() || (Scalar(), Base::null()); }
  bool boolean(bool v) { return Skip() || (Scalar(), Base::boolean(v)); }
  bool number_integer(json::number_integer_t v) { return Skip() || (Scalar(), Base::number_integer(v)); }
  bool number_unsigned(json::number_unsigned_t v) { return Skip() || (Scalar(), Base::number_unsigned(v)); }
  bool number_float(json::number_float_t v, const json::string_t& s) {
    return Skip() || (Scalar(), Base::number_float(v, s));
  }
  bool string(json::string_t& v) { return Skip() || (Scalar(), Base::string(v)); }
  bool binary(json::binary_t& v) { return Skip() || (Scalar(), Base::binary(v)); }

  bool start_object(std::size_t len) {
    if (++depth_ > max_depth_) return too_deep_ = true, false;
    if (StartSkipped()) return true;
    roles_.push_back(next_role_);
    next_role_ = Role::kOther;
    return Base::start_object(len);
  }
  bool start_array(std::size_t len) {
    if (++depth_ > max_depth_) return too_deep_ = true, false;
    if (StartSkipped()) return true;
    roles_.push_back(Role::kOther);
    next_role_ = Role::kOther;
    return Base::start_array(len);
  }
  bool end_object() { return End() || Base::end_object(); }
  bool end_array() { return End() || Base::end_array(); }

  bool key(json::string_t& k) {
    if (skipping_ > 0) return true;
    const Role parent = roles_.empty() ? Role::kOther : roles_.back();
    if ((parent == Role::kObject && k == "status") || (parent == Role::kMetadata && k == "managedFields")) {
      skip_next_ = true;  // the key is not forwarded, so no member is created
      return true;
    }
    next_role_ = parent == Role::kRoot && k == "request"                          ? Role::kRequest
                 : parent == Role::kRequest && (k == "object" || k == "oldObject") ? Role::kObject
                 : parent == Role::kObject && k == "metadata"                      ? Role::kMetadata
                                                                                   : Role::kOther;
    return Base::key(k);
  }

  bool parse_error(std::size_t pos, const std::string& token, const nlohmann::detail::exception& ex) {
    error_ = ex.what();
    (void)pos, (void)token;
    return false;
  }
  bool too_deep() const { return too_deep_; }
  const std::string& error() const { return error_; }

 private:
  // A scalar value: skipped when it is the value of a skipped key or inside one.
  bool Skip() {
    if (skip_next_) return skip_next_ = false, true;
    return skipping_ > 0;
  }
  void Scalar() { next_role_ = Role::kOther; }
  bool StartSkipped() {
    if (skip_next_ || skipping_ > 0) {
      skip_next_ = false;
      ++skipping_;
      return true;
    }
    return false;
  }
  // True when the container that ends was skipped (then the base must not see it).
  bool End() {
    --depth_;
    if (skipping_ > 0) return --skipping_, true;
    roles_.pop_back();
    return false;
  }

  int depth_ = 0;
  int max_depth_;
  bool too_deep_ = false;
  std::string error_;
  std::vector<Role> roles_;         // one per open container that is built
  Role next_role_ = Role::kRoot;    // the role of the next object started
  bool skip_next_ = false;          // the next value belongs to a skipped key
  int skipping_ = 0;                // open containers inside a skipped value
};

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
  ReviewDomParser sax(doc, limits.max_depth);
  const bool parsed = json::sax_parse(body.begin(), body.end(), &sax);
  if (sax.too_deep()) return Status::Error("AdmissionReview: JSON nesting deeper than " + std::to_string(limits.max_depth));
  if (!parsed) return Status::Error("AdmissionReview: malformed JSON: " + sax.error());
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
  // Moved, not copied: the objects are most of the body and `doc` dies here.
  if (const json* o = ObjectAt(*req, "object", "request", errs)) out.object = std::move(const_cast<json&>(*o));
  if (const json* o = ObjectAt(*req, "oldObject", "request", errs)) out.old_object = std::move(const_cast<json&>(*o));
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
