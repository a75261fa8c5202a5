#include "policy/evaluate.h"

#include <algorithm>
#include <map>
#include <optional>

#include "policy/checks.h"
#include "policy/glob.h"
#include "policy/scanner_pod.h"

namespace modelgate::policy {

namespace {

int Strictness(Enforcement e) {
  switch (e) {
    case Enforcement::kEnforce: return 2;
    case Enforcement::kWarn: return 1;
    case Enforcement::kAudit: break;
  }
  return 0;
}

const Exemption* FindExemption(const Workload& w, const AdmissionPolicy& p, const std::string& rule) {
  for (const auto& e : p.exemptions) {
    if (!e.namespace_name.empty() && e.namespace_name != w.namespace_name) continue;
    if (!e.kind.empty() && e.kind != w.kind) continue;
    if (!e.name.empty() && !GlobMatch(e.name, w.name)) continue;
    if (e.rules.count("*") || e.rules.count(rule)) return &e;
  }
  return nullptr;
}

// Runs every check of one policy, appending to `d` (dedup happens in Finish). A scanner
// pod still binds its models (they are listed, and make it a model workload for the
// pod-hardening and egress rules) but is not judged by the model rules.
void Apply(const Workload& w, const ClusterView& cluster, const AdmissionPolicy& p, const EvaluateOptions& o,
           bool scanner_pod, Decision& d) {
  // A copy only when rules are switched off for this evaluation (`check --disable`):
  // the webhook never does, and copying the policy per request is measurable.
  std::optional<AdmissionPolicy> narrowed;
  if (!o.disabled_rules.empty()) {
    narrowed = p;
    for (const auto& r : o.disabled_rules) narrowed->rules.enabled.erase(r);
  }
  const AdmissionPolicy& policy = narrowed ? *narrowed : p;
  std::vector<Violation> found;
  internal::Binding b = internal::BindModels(w, cluster, policy);
  if (policy.RuleEnabled("MG001") && !scanner_pod) found = b.unregistered;
  for (const auto& entry : b.uses) {  // not a structured binding: clang 14 cannot capture those
    const ModelUse& use = entry.second;
    if (!scanner_pod) internal::CheckModel(*entry.first, policy, found, d.scan_requests);
    if (std::none_of(d.models.begin(), d.models.end(), [&](const ModelUse& m) { return m.name == use.name; }))
      d.models.push_back(use);
  }
  if (policy.applies_to == Scope::kAllWorkloads || b.model_workload) {
    internal::CheckPodSecurity(w, policy, found);
    internal::CheckEgress(w, cluster, policy, found);
  }
  for (Violation& v : found) {
    v.policy = policy.name;
    v.enforcement = policy.enforcement;
    if (const Exemption* e = FindExemption(w, policy, v.rule)) {
      v.exemption_reason = e->reason;
      d.exempted.push_back(std::move(v));
    } else {
      d.violations.push_back(std::move(v));
    }
  }
  d.policies.push_back(policy.name);
  if (d.policies.size() == 1 || Strictness(policy.enforcement) > Strictness(d.enforcement))
    d.enforcement = policy.enforcement;
}

// Dedups violations by line (keeping the strictest mode), then derives allowed/warnings.
// MG002 on a workload's pod template only warns: the scan is transient, GitOps applies
// the ModelAdmission and the Deployment together, and every pod the controller creates
// is still judged (denied until the scan is done, then the ReplicaSet's retry succeeds).
void Finish(const Workload& w, Decision& d) {
  if (w.kind != "Pod") {
    for (Violation& v : d.violations) {
      if (v.rule == "MG002" && v.enforcement == Enforcement::kEnforce) {
        v.enforcement = Enforcement::kWarn;
        v.fix += "; the " + w.kind + " is admitted, its pods are denied until the scan is done";
      }
    }
  }
  std::vector<Violation> unique;
  std::map<std::string, size_t> seen;
  for (Violation& v : d.violations) {
    auto [it, inserted] = seen.emplace(v.Line(), unique.size());
    if (inserted) unique.push_back(std::move(v));
    else if (Strictness(v.enforcement) > Strictness(unique[it->second].enforcement)) unique[it->second] = std::move(v);
  }
  d.violations = std::move(unique);
  std::sort(d.scan_requests.begin(), d.scan_requests.end(),
            [](const ScanRequest& a, const ScanRequest& b) { return a.name < b.name; });
  d.scan_requests.erase(std::unique(d.scan_requests.begin(), d.scan_requests.end(),
                                    [](const ScanRequest& a, const ScanRequest& b) { return a.name == b.name; }),
                        d.scan_requests.end());
  d.allowed = true;
  for (const auto& v : d.violations) {
    if (v.enforcement == Enforcement::kEnforce) d.allowed = false;
    if (v.enforcement == Enforcement::kWarn) d.warnings.push_back(v.Line());
  }
}

bool Excluded(const Workload& w, const EvaluateOptions& o, std::string* why) {
  const auto& ex = o.excluded_namespaces;
  if (std::find(ex.begin(), ex.end(), w.namespace_name) != ex.end() ||
      (!o.own_namespace.empty() && w.namespace_name == o.own_namespace)) {
    *why = "namespace " + internal::Quote(w.namespace_name) + " is never affected";
    return true;
  }
  return false;
}

// The scanner-pod recognition, noted in the decision when it holds.
bool RecognisedScannerPod(const Workload& w, const EvaluateOptions& o, Decision& d) {
  ScannerPodCheck check = CheckScannerPod(w, o.scanner_image);
  if (check.recognised) d.notes.push_back(std::move(check.reason));
  return check.recognised;
}

}  // namespace

Decision Evaluate(const Workload& w, const ClusterView& cluster, const EvaluateOptions& options) {
  Decision d;
  if (Excluded(w, options, &d.skip_reason)) return d;
  auto policies = cluster.Policies();
  if (policies.empty()) policies.push_back(std::make_shared<const AdmissionPolicy>(DefaultPolicy()));
  Labels ns_labels;
  if (auto ns = cluster.FindNamespace(w.namespace_name)) ns_labels = ns->labels;
  ns_labels["kubernetes.io/metadata.name"] = w.namespace_name;
  const bool scanner_pod = RecognisedScannerPod(w, options, d);
  for (const auto& p : policies) {
    if (p->has_namespace_selector && !p->namespace_selector.Matches(ns_labels)) continue;
    Apply(w, cluster, *p, options, scanner_pod, d);
  }
  if (d.policies.empty()) {
    d.notes.clear();
    d.skip_reason = "no ModelAdmissionPolicy selects namespace " + internal::Quote(w.namespace_name);
    return d;
  }
  d.evaluated = true;
  Finish(w, d);
  return d;
}

Decision EvaluateWithPolicy(const Workload& w, const ClusterView& cluster, const AdmissionPolicy& policy,
                            const EvaluateOptions& options) {
  Decision d;
  if (Excluded(w, options, &d.skip_reason)) return d;
  Apply(w, cluster, policy, options, RecognisedScannerPod(w, options, d), d);
  d.evaluated = true;
  Finish(w, d);
  return d;
}

}  // namespace modelgate::policy
