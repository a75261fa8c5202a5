#include "policy/admission_policy.h"

#include <algorithm>

#include "policy/json_fields.h"

namespace modelgate::policy {

using internal::FieldErrors;
using internal::Index;
using internal::Join;
using internal::ObjectAt;
using internal::StringAt;
using nlohmann::json;

bool IsRuleId(std::string_view id) {
  return std::find(kRuleIds.begin(), kRuleIds.end(), id) != kRuleIds.end();
}

std::string_view RuleTitle(std::string_view id) {
  static constexpr std::pair<std::string_view, std::string_view> kTitles[] = {
      {"MG001", "model volume with no ModelAdmission"},
      {"MG002", "ModelAdmission not scanned yet"},
      {"MG003", "unsafe content found in the model"},
      {"MG004", "model format not allowed"},
      {"MG005", "file hashes differ from the pinned ones"},
      {"MG006", "no pinned hashes or digest"},
      {"MG007", "origin revision is a branch or tag, not a commit"},
      {"MG008", "signature missing, invalid or from an untrusted signer"},
      {"MG009", "a container may run as root"},
      {"MG010", "privilege escalation or privileged mode allowed"},
      {"MG011", "capabilities not dropped (drop ALL; only NET_BIND_SERVICE may be added)"},
      {"MG012", "egress not restricted by a NetworkPolicy"},
      {"MG013", "licence not in the allowed list"},
      {"MG014", "training compute at or above the systemic-risk threshold"},
      {"MG015", "no training-data summary on file"}};
  for (const auto& [rid, title] : kTitles)
    if (rid == id) return title;
  return "";
}

bool RuleOnByDefault(std::string_view id) { return IsRuleId(id) && id < "MG013"; }

std::string_view EnforcementName(Enforcement e) {
  switch (e) {
    case Enforcement::kWarn: return "Warn";
    case Enforcement::kAudit: return "Audit";
    case Enforcement::kEnforce: break;
  }
  return "Enforce";
}

bool IsFormatName(std::string_view name) {
  // Kept in step with scanners/format.h FormatName().
  static constexpr std::string_view kNames[] = {
      "safetensors", "pickle", "pytorch-zip", "pytorch-tar", "numpy", "npz", "gguf", "gzip", "xz", "bzip2",
      "7z",          "tar",    "zip",         "hdf5",        "keras", "onnx", "json", "text", "empty", "unknown"};
  return std::find(std::begin(kNames), std::end(kNames), name) != std::end(kNames);
}

int SeverityRank(std::string_view s) {
  static constexpr std::string_view kNames[] = {"info", "low", "medium", "high", "critical"};
  for (int i = 0; i < 5; ++i)
    if (kNames[i] == s) return i;
  return -1;
}

AdmissionPolicy DefaultPolicy() {
  AdmissionPolicy p;
  for (auto id : kRuleIds)
    if (RuleOnByDefault(id)) p.rules.enabled.insert(std::string(id));
  return p;
}

namespace {

std::vector<std::string> RuleList(const json& rules, const char* field, FieldErrors& errs) {
  auto ids = internal::StringsAt(rules, field, "spec.rules", errs);
  for (size_t i = 0; i < ids.size(); ++i)
    if (!IsRuleId(ids[i]))
      errs.Add(Index(Join("spec.rules", field), i), "unknown rule \"" + ids[i] + "\" (MG001..MG015)");
  return ids;
}

void ReadRules(const json& spec, AdmissionPolicy& p, FieldErrors& errs, std::vector<std::string>& warns) {
  const json* r = ObjectAt(spec, "rules", "spec", errs);
  if (r == nullptr) return;
  const std::string path = "spec.rules";
  auto disabled = RuleList(*r, "disabled", errs);
  auto enabled = RuleList(*r, "enabled", errs);
  for (const auto& id : disabled) {
    if (std::find(enabled.begin(), enabled.end(), id) != enabled.end())
      errs.Add(path, "rule " + id + " is both enabled and disabled");
    p.rules.enabled.erase(id);
  }
  for (const auto& id : enabled) p.rules.enabled.insert(id);

  if (internal::Member(*r, "allowedFormats")) {
    p.rules.allowed_formats = internal::StringsAt(*r, "allowedFormats", path, errs);
    for (size_t i = 0; i < p.rules.allowed_formats.size(); ++i)
      if (!IsFormatName(p.rules.allowed_formats[i]))
        errs.Add(Index(Join(path, "allowedFormats"), i),
                 "unknown format \"" + p.rules.allowed_formats[i] + "\" (see docs/policy.md for the names)");
    if (p.rules.allowed_formats.empty() && p.RuleEnabled("MG004"))
      errs.Add(Join(path, "allowedFormats"), "must not be empty while MG004 is enabled (disable MG004 instead)");
  }
  if (auto s = StringAt(*r, "failOnSeverity", path, errs)) {
    if (SeverityRank(*s) < 0)
      errs.Add(Join(path, "failOnSeverity"), "unknown severity \"" + *s + "\" (info, low, medium, high, critical)");
    else
      p.rules.fail_on_severity = *s;
  }
  p.rules.require_signature = internal::BoolAt(*r, "requireSignature", path, errs).value_or(false);
  p.rules.require_digest = internal::BoolAt(*r, "requireDigest", path, errs).value_or(false);
  for (const auto& [item, tp] : internal::ObjectsAt(*r, "trustedSigners", path, errs)) {
    const json& t = *item;
    TrustedSigner s;
    s.identity = StringAt(t, "identity", tp, errs).value_or("");
    s.issuer = StringAt(t, "issuer", tp, errs).value_or("");
    if (const json* pk = ObjectAt(t, "publicKey", tp, errs)) {
      for (const auto& [field, kind] :
           {std::pair{"secretRef", "Secret"}, std::pair{"configMapRef", "ConfigMap"}}) {
        if (const json* ref = ObjectAt(*pk, field, Join(tp, "publicKey"), errs)) {
          const std::string rp = Join(Join(tp, "publicKey"), field);
          s.public_key = KeyRef{kind, StringAt(*ref, "name", rp, errs).value_or(""),
                                StringAt(*ref, "key", rp, errs).value_or("")};
          if (s.public_key->name.empty()) errs.Add(Join(rp, "name"), "required");
        }
      }
      if (!s.public_key) errs.Add(Join(tp, "publicKey"), "needs secretRef or configMapRef");
    }
    const bool keyless = !s.identity.empty() || !s.issuer.empty();
    if (keyless && s.public_key) errs.Add(tp, "set either identity/issuer or publicKey, not both");
    if (!keyless && !s.public_key) errs.Add(tp, "needs identity and issuer, or publicKey");
    if (keyless && (s.identity.empty() || s.issuer.empty()))
      errs.Add(tp, "keyless signers need both identity and issuer");
    p.rules.trusted_signers.push_back(std::move(s));
  }
  p.rules.allowed_licenses = internal::StringsAt(*r, "allowedLicenses", path, errs);
  if (p.RuleEnabled("MG013") && p.rules.allowed_licenses.empty())
    errs.Add(Join(path, "allowedLicenses"), "required while MG013 is enabled");
  if (!p.RuleEnabled("MG013") && !p.rules.allowed_licenses.empty())
    warns.push_back(Join(path, "allowedLicenses") + ": set but MG013 is not enabled, so it has no effect");
  if (auto f = internal::NumberAt(*r, "systemicRiskFlops", path, errs)) {
    if (!(*f > 0)) errs.Add(Join(path, "systemicRiskFlops"), "must be a positive number");
    else p.rules.systemic_risk_flops = *f;
  }
}

void ReadDetection(const json& spec, AdmissionPolicy& p, FieldErrors& errs) {
  const json* d = ObjectAt(spec, "modelVolumeDetection", "spec", errs);
  if (d == nullptr) return;
  const std::string path = "spec.modelVolumeDetection";
  if (internal::Member(*d, "mountPathGlobs")) {
    p.detection.mount_path_globs = internal::StringsAt(*d, "mountPathGlobs", path, errs);
    for (size_t i = 0; i < p.detection.mount_path_globs.size(); ++i)
      if (p.detection.mount_path_globs[i].empty() || p.detection.mount_path_globs[i][0] != '/')
        errs.Add(Index(Join(path, "mountPathGlobs"), i), "must be an absolute path glob");
  }
  if (internal::Member(*d, "volumeNamePatterns"))
    p.detection.volume_name_patterns = internal::StringsAt(*d, "volumeNamePatterns", path, errs);
  if (auto l = StringAt(*d, "pvcLabel", path, errs)) p.detection.pvc_label = *l;
  p.detection.image_volumes = internal::BoolAt(*d, "imageVolumes", path, errs).value_or(true);
}

void ReadExemptions(const json& spec, AdmissionPolicy& p, FieldErrors& errs) {
  for (const auto& [item, ep] : internal::ObjectsAt(spec, "exemptions", "spec", errs)) {
    const json& e = *item;
    Exemption ex;
    ex.namespace_name = StringAt(e, "namespace", ep, errs).value_or("");
    ex.kind = StringAt(e, "kind", ep, errs).value_or("");
    ex.name = StringAt(e, "name", ep, errs).value_or("");
    ex.reason = StringAt(e, "reason", ep, errs).value_or("");
    auto rules = internal::StringsAt(e, "rules", ep, errs);
    for (size_t j = 0; j < rules.size(); ++j) {
      if (rules[j] != "*" && !IsRuleId(rules[j]))
        errs.Add(Index(Join(ep, "rules"), j), "unknown rule \"" + rules[j] + "\" (MG001..MG015 or \"*\")");
      ex.rules.insert(rules[j]);
    }
    if (rules.empty()) errs.Add(Join(ep, "rules"), "required: list the rules exempted (or \"*\")");
    if (ex.reason.empty()) errs.Add(Join(ep, "reason"), "required: say why this exemption exists");
    p.exemptions.push_back(std::move(ex));
  }
}

}  // namespace

Result<AdmissionPolicy> ParsePolicy(const json& obj, std::vector<std::string>* warnings) {
  FieldErrors errs;
  std::vector<std::string> warns;
  AdmissionPolicy p = DefaultPolicy();
  if (!obj.is_object()) return Status::Error("invalid ModelAdmissionPolicy: expected an object");
  if (auto k = StringAt(obj, "kind", "", errs); k && *k != "ModelAdmissionPolicy")
    errs.Add("kind", "expected ModelAdmissionPolicy, got \"" + *k + "\"");
  if (const json* md = ObjectAt(obj, "metadata", "", errs)) p.name = StringAt(*md, "name", "metadata", errs).value_or("");
  const json* spec = ObjectAt(obj, "spec", "", errs);
  if (spec != nullptr) {
    if (auto e = StringAt(*spec, "enforcement", "spec", errs)) {
      if (*e == "Enforce") p.enforcement = Enforcement::kEnforce;
      else if (*e == "Warn") p.enforcement = Enforcement::kWarn;
      else if (*e == "Audit") p.enforcement = Enforcement::kAudit;
      else errs.Add("spec.enforcement", "unknown mode \"" + *e + "\" (Enforce, Warn, Audit)");
    }
    if (const json* sel = internal::Member(*spec, "namespaceSelector")) {
      auto s = LabelSelector::FromJson(*sel, "spec.namespaceSelector");
      if (s.ok()) {
        p.has_namespace_selector = true;
        p.namespace_selector = *s;
      } else {
        errs.Add("", s.status().message());
      }
    }
    if (auto a = StringAt(*spec, "appliesTo", "spec", errs)) {
      if (*a == "ModelWorkloads") p.applies_to = Scope::kModelWorkloads;
      else if (*a == "AllWorkloads") p.applies_to = Scope::kAllWorkloads;
      else errs.Add("spec.appliesTo", "unknown scope \"" + *a + "\" (ModelWorkloads, AllWorkloads)");
    }
    ReadRules(*spec, p, errs, warns);
    ReadDetection(*spec, p, errs);
    ReadExemptions(*spec, p, errs);
  }
  if (!errs.empty()) return errs.ToStatus("invalid ModelAdmissionPolicy \"" + p.name + "\"");
  if (warnings) *warnings = std::move(warns);
  return p;
}

}  // namespace modelgate::policy
