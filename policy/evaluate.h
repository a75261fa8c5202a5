// The admission decision: a pure function of the workload, what the cluster holds and
// the policies. No I/O, no clock, no side effects; safe to call concurrently with
// distinct or shared (thread-safe) ClusterViews.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "policy/cluster_view.h"
#include "policy/decision.h"
#include "policy/types.h"

namespace modelgate::policy {

struct EvaluateOptions {
  // Namespaces never affected (the decision is "allowed, not evaluated").
  std::vector<std::string> excluded_namespaces = {"kube-system", "kube-public", "kube-node-lease"};
  // modelgate's own namespace (webhook, operator, scan Jobs); never affected. "" = none.
  std::string own_namespace;
  // Rules switched off for this evaluation on top of the policies (`check --disable`).
  std::set<std::string> disabled_rules;
  // The image the operator's scan Jobs run (`--scanner-image`), "" = none. A workload of
  // exactly the scan-pod shape for this image (policy/scanner_pod.h) skips the model
  // rules (MG001-MG008, MG013-MG015) and gets a note in Decision::notes; the other
  // rules judge it as any model workload.
  std::string scanner_image;
};

// Evaluates `w` against every ModelAdmissionPolicy whose namespaceSelector selects the
// workload's namespace (DefaultPolicy() when the cluster has no policy at all).
//  - allowed is false iff a policy in Enforce mode has a non-exempted violation;
//  - Warn-mode violations become `warnings` (one line each), Audit-mode ones are only
//    listed in `violations`;
//  - the same failing check from several policies is reported once, under the
//    strictest mode;
//  - models and scan_requests are filled whenever the workload was evaluated (a
//    recognised scanner pod lists its models but never requests a scan).
// A namespace without a Namespace object in the view has only the label
// kubernetes.io/metadata.name=<name> (which the API server sets on every namespace).
Decision Evaluate(const Workload& w, const ClusterView& cluster, const EvaluateOptions& options = {});

// The same against one policy, ignoring its namespaceSelector and the cluster's policies.
Decision EvaluateWithPolicy(const Workload& w, const ClusterView& cluster, const AdmissionPolicy& policy,
                            const EvaluateOptions& options = {});

}  // namespace modelgate::policy
