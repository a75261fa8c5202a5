// Internal: the rule checks Evaluate combines. Each appends violations without the
// policy/enforcement fields (Evaluate fills those) and only for enabled rules.
#pragma once

#include <string>
#include <vector>

#include "policy/cluster_view.h"
#include "policy/decision.h"
#include "policy/types.h"

namespace modelgate::policy::internal {

// The models a workload uses (rule "How a pod is tied to its models" in DESIGN.md) and
// the MG001 violations for model volumes nobody registered.
struct Binding {
  std::vector<std::pair<Ptr<ModelAdmission>, ModelUse>> uses;  // unique by ModelAdmission
  std::vector<Violation> unregistered;                         // MG001
  bool model_workload = false;  // uses a model, mounts a model volume or carries the annotation
};
Binding BindModels(const Workload& w, const ClusterView& cluster, const AdmissionPolicy& policy);

// MG002-MG008 and MG013-MG015 for one ModelAdmission.
void CheckModel(const ModelAdmission& ma, const AdmissionPolicy& policy, std::vector<Violation>& out,
                std::vector<ScanRequest>& scans);

// MG009-MG011 for every container (init, regular, ephemeral).
void CheckPodSecurity(const Workload& w, const AdmissionPolicy& policy, std::vector<Violation>& out);

// MG012 against the NetworkPolicies of the workload's namespace.
void CheckEgress(const Workload& w, const ClusterView& cluster, const AdmissionPolicy& policy,
                 std::vector<Violation>& out);

// `Pod "x"`, `Deployment "web"`: how messages name the workload.
std::string WorkloadTarget(const Workload& w);
// `container "server"`, `init container "fetch"`.
std::string ContainerTarget(const Container& c);
std::string Quote(const std::string& s);

}  // namespace modelgate::policy::internal
