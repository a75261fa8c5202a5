#include "policy/objects.h"

#include <optional>
#include <string>
#include <string_view>

#include "policy/hex.h"
#include "policy/json_fields.h"

namespace modelgate::policy {

using internal::ArrayAt;
using internal::FieldErrors;
using internal::Index;
using internal::Join;
using internal::Member;
using internal::ObjectAt;
using internal::ObjectsAt;
using internal::StringAt;
using nlohmann::json;

namespace {

std::string Str(const json& obj, std::string_view key, const std::string& path, FieldErrors& errs) {
  return StringAt(obj, key, path, errs).value_or("");
}

// metadata.name/namespace/labels; checks `kind` when the object states one.
void ReadMeta(const json& obj, const char* kind, std::string* name, std::string* ns, Labels* labels,
              FieldErrors& errs) {
  if (!obj.is_object()) {
    errs.Add("", "expected a " + std::string(kind) + " object");
    return;
  }
  if (auto k = StringAt(obj, "kind", "", errs); k && *k != kind)
    errs.Add("kind", "expected " + std::string(kind) + ", got \"" + *k + "\"");
  const json* md = ObjectAt(obj, "metadata", "", errs);
  if (md == nullptr) return;
  *name = Str(*md, "name", "metadata", errs);
  if (ns) *ns = Str(*md, "namespace", "metadata", errs);
  if (labels) *labels = internal::StringMapAt(*md, "labels", "metadata", errs);
}

void ReadSource(const json& spec, ModelSource& src, FieldErrors& errs) {
  const json* s = ObjectAt(spec, "source", "spec", errs);
  if (s == nullptr) return;
  int count = 0;
  if (const json* pvc = ObjectAt(*s, "pvc", "spec.source", errs)) {
    ++count;
    src.kind = ModelSource::Kind::kPvc;
    src.claim_name = Str(*pvc, "claimName", "spec.source.pvc", errs);
    src.sub_path = Str(*pvc, "subPath", "spec.source.pvc", errs);
  }
  if (const json* hp = ObjectAt(*s, "hostPath", "spec.source", errs)) {
    ++count;
    src.kind = ModelSource::Kind::kHostPath;
    src.host_path = Str(*hp, "path", "spec.source.hostPath", errs);
  }
  if (const json* img = ObjectAt(*s, "image", "spec.source", errs)) {
    ++count;
    src.kind = ModelSource::Kind::kImage;
    src.image_reference = Str(*img, "reference", "spec.source.image", errs);
  }
  if (count > 1) errs.Add("spec.source", "exactly one of pvc, hostPath, image may be set");
}

// The CRD's patterns for pins (crds/modelgate.io_modeladmissions.yaml): spec.files[].sha256
// is ^[a-f0-9]{64}$, spec.digest ^sha256:[a-f0-9]{64}$. Checked here too so that
// `modelgate check` refuses what `kubectl apply` would; the API server never hands the
// webhook or the operator anything else.
// A pin: `key` of `obj` (at `path`), `prefix` followed by 64 lowercase hex digits. An
// absent pin is "" and an error only when `required`.
std::string ReadPin(const json& obj, std::string_view key, const std::string& path, std::string_view prefix,
                    bool required, FieldErrors& errs) {
  const std::optional<std::string> v = StringAt(obj, key, path, errs);
  if (!v) {
    if (required && Member(obj, key) == nullptr) errs.Add(Join(path, key), "required");
    return "";
  }
  if (v->compare(0, prefix.size(), prefix) != 0 || !IsLowerHex(std::string_view(*v).substr(prefix.size()), 64))
    errs.Add(Join(path, key), (v->size() <= 80 ? "\"" + *v + "\"" : std::to_string(v->size()) + " characters") +
                                  " does not match the CRD's pattern ^" + std::string(prefix) +
                                  "[a-f0-9]{64}$ (64 lowercase hex digits)");
  return *v;
}

std::optional<KeyRef> ReadKeyRef(const json& pk, const std::string& path, FieldErrors& errs) {
  for (const auto& [field, kind] : {std::pair{"secretRef", "Secret"}, std::pair{"configMapRef", "ConfigMap"}}) {
    if (const json* r = ObjectAt(pk, field, path, errs)) {
      const std::string p = Join(path, field);
      return KeyRef{kind, Str(*r, "name", p, errs), Str(*r, "key", p, errs)};
    }
  }
  return std::nullopt;
}

void ReadStatus(const json& st, ModelAdmission& ma, FieldErrors& errs) {
  ma.has_status = true;
  ma.phase = Str(st, "phase", "status", errs);
  ma.observed_generation = internal::IntAt(st, "observedGeneration", "status", errs).value_or(0);
  const auto conds = ObjectsAt(st, "conditions", "status", errs);
  ma.conditions.reserve(conds.size());
  for (const auto& [c, p] : conds)
    ma.conditions.push_back({Str(*c, "type", p, errs), Str(*c, "status", p, errs), Str(*c, "reason", p, errs),
                             Str(*c, "message", p, errs)});
  if (const json* scan = ObjectAt(st, "scan", "status", errs)) {
    ma.has_scan = true;
    ma.scan_completed_at = Str(*scan, "completedAt", "status.scan", errs);
    ma.scan_format = Str(*scan, "format", "status.scan", errs);
    ma.scan_manifest_digest = Str(*scan, "manifestDigest", "status.scan", errs);
    const auto files = ObjectsAt(*scan, "files", "status.scan", errs);
    ma.scan_files.reserve(files.size());
    for (const auto& [f, p] : files)
      ma.scan_files.push_back({Str(*f, "path", p, errs), Str(*f, "sha256", p, errs), Str(*f, "format", p, errs),
                               internal::IntAt(*f, "size", p, errs)});
    const auto findings = ObjectsAt(*scan, "findings", "status.scan", errs);
    ma.scan_findings.reserve(findings.size());
    for (const auto& [f, p] : findings)
      ma.scan_findings.push_back({Str(*f, "rule", p, errs), Str(*f, "severity", p, errs), Str(*f, "file", p, errs),
                                  Str(*f, "detail", p, errs)});
    const auto undecided = ObjectsAt(*scan, "undecided", "status.scan", errs);
    ma.scan_undecided.reserve(undecided.size());
    for (const auto& [f, p] : undecided)
      ma.scan_undecided.push_back({"", "", Str(*f, "file", p, errs), Str(*f, "reason", p, errs)});
  }
  if (const json* sig = ObjectAt(st, "signature", "status", errs)) {
    ma.signature_status = Str(*sig, "status", "status.signature", errs);
    ma.signature_status_identity = Str(*sig, "identity", "status.signature", errs);
    ma.signature_status_issuer = Str(*sig, "issuer", "status.signature", errs);
  }
}

}  // namespace

Result<ModelAdmission> ParseModelAdmission(const json& obj) {
  FieldErrors errs;
  ModelAdmission ma;
  ReadMeta(obj, "ModelAdmission", &ma.name, &ma.namespace_name, &ma.labels, errs);
  if (const json* md = ObjectAt(obj, "metadata", "", errs)) {
    ma.uid = Str(*md, "uid", "metadata", errs);
    ma.generation = internal::IntAt(*md, "generation", "metadata", errs).value_or(0);
  }
  const json* spec = ObjectAt(obj, "spec", "", errs);
  if (spec == nullptr) {
    if (errs.empty()) errs.Add("spec", "required");
    return errs.ToStatus("invalid ModelAdmission");
  }
  ReadSource(*spec, ma.source, errs);
  if (const json* origin = ObjectAt(*spec, "origin", "spec", errs)) {
    if (const json* hf = ObjectAt(*origin, "huggingFace", "spec.origin", errs)) {
      ma.hf_repo = StringAt(*hf, "repo", "spec.origin.huggingFace", errs);
      ma.hf_revision = StringAt(*hf, "revision", "spec.origin.huggingFace", errs);
    }
  }
  const auto files = ObjectsAt(*spec, "files", "spec", errs);
  ma.files.reserve(files.size());
  for (const auto& [f, p] : files)
    ma.files.push_back({Str(*f, "path", p, errs), ReadPin(*f, "sha256", p, "", /*required=*/true, errs)});
  ma.digest = ReadPin(*spec, "digest", "spec", "sha256:", /*required=*/false, errs);
  ma.format = Str(*spec, "format", "spec", errs);
  if (const json* sig = ObjectAt(*spec, "signature", "spec", errs)) {
    ma.signature_declared = true;
    ma.signature_path = Str(*sig, "path", "spec.signature", errs);
    if (const json* kl = ObjectAt(*sig, "keyless", "spec.signature", errs)) {
      ma.signature_identity = Str(*kl, "identity", "spec.signature.keyless", errs);
      ma.signature_issuer = Str(*kl, "issuer", "spec.signature.keyless", errs);
    }
    if (const json* pk = ObjectAt(*sig, "publicKey", "spec.signature", errs))
      ma.signature_key = ReadKeyRef(*pk, "spec.signature.publicKey", errs);
  }
  if (const json* lic = ObjectAt(*spec, "license", "spec", errs)) ma.license = Str(*lic, "spdx", "spec.license", errs);
  if (const json* c = ObjectAt(*spec, "compliance", "spec", errs)) {
    ma.training_data_summary = StringAt(*c, "trainingDataSummary", "spec.compliance", errs);
    ma.training_compute_flops = internal::NumberAt(*c, "trainingComputeFlops", "spec.compliance", errs);
  }
  if (const json* st = ObjectAt(obj, "status", "", errs)) ReadStatus(*st, ma, errs);
  if (!errs.empty()) return errs.ToStatus("invalid ModelAdmission \"" + ma.name + "\"");
  return ma;
}

namespace {

void ReadPeer(const json& p, const std::string& path, NetworkPolicyPeer& peer, FieldErrors& errs) {
  if (const json* ps = Member(p, "podSelector")) {
    peer.has_pod_selector = true;
    auto sel = LabelSelector::FromJson(*ps, Join(path, "podSelector"));
    if (sel.ok()) peer.pod_selector = std::move(sel).value();
    else errs.Add("", sel.status().message());
  }
  if (const json* ns = Member(p, "namespaceSelector")) {
    peer.has_namespace_selector = true;
    auto sel = LabelSelector::FromJson(*ns, Join(path, "namespaceSelector"));
    if (sel.ok()) peer.namespace_selector = std::move(sel).value();
    else errs.Add("", sel.status().message());
  }
  if (const json* ip = ObjectAt(p, "ipBlock", path, errs)) {
    peer.has_ip_block = true;
    peer.cidr = Str(*ip, "cidr", Join(path, "ipBlock"), errs);
    peer.except = internal::StringsAt(*ip, "except", Join(path, "ipBlock"), errs);
  }
}

}  // namespace

Result<NetworkPolicy> ParseNetworkPolicy(const json& obj) {
  FieldErrors errs;
  NetworkPolicy np;
  ReadMeta(obj, "NetworkPolicy", &np.name, &np.namespace_name, nullptr, errs);
  const json* spec = ObjectAt(obj, "spec", "", errs);
  if (spec == nullptr) {
    if (errs.empty()) errs.Add("spec", "required");
    return errs.ToStatus("invalid NetworkPolicy");
  }
  // An absent podSelector is invalid in the API; treat it like {} (all pods), the
  // reading that restricts more pods.
  if (const json* ps = Member(*spec, "podSelector")) {
    auto sel = LabelSelector::FromJson(*ps, "spec.podSelector");
    if (sel.ok()) np.pod_selector = std::move(sel).value();
    else errs.Add("", sel.status().message());
  }
  const auto egress = ObjectsAt(*spec, "egress", "spec", errs);
  np.egress_rules.reserve(egress.size());
  for (const auto& [r, p] : egress) {
    NetworkPolicyEgressRule rule;
    const auto peers = ObjectsAt(*r, "to", p, errs);
    rule.to.reserve(peers.size());
    for (const auto& [peer_json, peer_path] : peers) {
      NetworkPolicyPeer peer;
      ReadPeer(*peer_json, peer_path, peer, errs);
      rule.to.push_back(std::move(peer));
    }
    if (const json* ports = ArrayAt(*r, "ports", p, errs)) rule.port_count = ports->size();
    np.egress_rules.push_back(std::move(rule));
  }
  std::vector<std::string> types = internal::StringsAt(*spec, "policyTypes", "spec", errs);
  if (types.empty()) {
    // API defaulting: Ingress always; Egress when the policy has egress rules.
    np.ingress = true;
    np.egress = !egress.empty();
  } else {
    for (size_t i = 0; i < types.size(); ++i) {
      if (types[i] == "Ingress") np.ingress = true;
      else if (types[i] == "Egress") np.egress = true;
      else errs.Add(Index("spec.policyTypes", i), "unknown policy type \"" + types[i] + "\"");
    }
  }
  if (!errs.empty()) return errs.ToStatus("invalid NetworkPolicy \"" + np.name + "\"");
  return np;
}

Result<Pvc> ParsePvc(const json& obj) {
  FieldErrors errs;
  Pvc pvc;
  ReadMeta(obj, "PersistentVolumeClaim", &pvc.name, &pvc.namespace_name, &pvc.labels, errs);
  if (!errs.empty()) return errs.ToStatus("invalid PersistentVolumeClaim");
  return pvc;
}

Result<Namespace> ParseNamespace(const json& obj) {
  FieldErrors errs;
  Namespace ns;
  ReadMeta(obj, "Namespace", &ns.name, nullptr, &ns.labels, errs);
  if (!errs.empty()) return errs.ToStatus("invalid Namespace");
  return ns;
}

}  // namespace modelgate::policy
