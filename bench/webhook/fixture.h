// The webhook benchmark's world: a cluster cache the size of a large shared ML
// cluster, and the AdmissionReviews a vLLM rollout sends into it.
//
// Background objects are spread over kNamespaces namespaces; the workload's own
// namespace (kWorkloadNamespace) is one of them, so the decision walks its full
// share of NetworkPolicies and ModelAdmission indexes, not an empty namespace.
#pragma once

#include <vector>

#include <nlohmann/json.hpp>

#include "policy/cluster_view.h"

namespace modelgate::bench {

inline constexpr const char* kWorkloadNamespace = "ml-serving";
inline constexpr int kNamespaces = 100;

struct ClusterObjects {
  std::vector<policy::ModelAdmission> model_admissions;
  std::vector<policy::NetworkPolicy> network_policies;
  std::vector<policy::Pvc> pvcs;
  std::vector<policy::Namespace> namespaces;
};

// `models` scanned-and-admitted ModelAdmissions, `netpols` NetworkPolicies with
// label selectors (ingress + restricted egress), the namespaces and PVCs, plus
// the workload's own three models (by annotation, hostPath and PVC), its PVC and
// the NetworkPolicy that restricts its egress. The Pod and Deployment from
// PodObject()/DeploymentObject() are then allowed by the default policy (every
// rule MG001-MG012 is evaluated and passes).
ClusterObjects MakeCluster(int models, int netpols);

// A vLLM server pod as the ReplicaSet controller creates it: env, resources, probes,
// hardened security context; mounts models by annotation, hostPath and PVC; and the
// metadata.managedFields the API server adds before admission.
nlohmann::json PodObject();
// A Deployment whose template is PodObject()'s pod, as `kubectl apply` sends it
// (last-applied-configuration annotation, managedFields).
nlohmann::json DeploymentObject();

// An admission.k8s.io/v1 AdmissionReview CREATE request for `object`
// (kind "Pod" or "Deployment").
nlohmann::json ReviewFor(const nlohmann::json& object, const std::string& uid);

}  // namespace modelgate::bench
