// Builders shared by the policy tests: a compliant model-serving pod, ModelAdmissions
// in every state, NetworkPolicies. Each test mutates the JSON it needs.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include <nlohmann/json.hpp>

#include "policy/cluster_view.h"
#include "policy/evaluate.h"
#include "policy/objects.h"
#include "policy/workload.h"

namespace modelgate::policy::testing {

using nlohmann::json;

inline const std::string kSha(64, 'a');
inline const std::string kSha2(64, 'b');
inline const std::string kCommit(40, 'c');

// A pod that passes every default rule when `Cluster()` (which holds the "llama"
// ModelAdmission and a deny-all egress policy) is the view.
inline json CompliantPod() {
  return json::parse(R"({
    "apiVersion": "v1", "kind": "Pod",
    "metadata": {"name": "server", "namespace": "ml", "labels": {"app": "llm"}},
    "spec": {
      "securityContext": {"runAsNonRoot": true},
      "containers": [{
        "name": "server", "image": "vllm/vllm-openai@sha256:00",
        "securityContext": {"allowPrivilegeEscalation": false, "capabilities": {"drop": ["ALL"]}},
        "volumeMounts": [{"name": "weights", "mountPath": "/models/llama", "subPath": "llama-3-8b"}]
      }],
      "volumes": [{"name": "weights", "persistentVolumeClaim": {"claimName": "models"}}]
    }})");
}

// A scanned, clean, pinned ModelAdmission "llama" on PVC models/llama-3-8b.
inline json AdmittedModel(const std::string& name = "llama") {
  json ma = json::parse(R"({
    "apiVersion": "modelgate.io/v1alpha1", "kind": "ModelAdmission",
    "metadata": {"name": "llama", "namespace": "ml", "uid": "u-1", "generation": 2},
    "spec": {
      "source": {"pvc": {"claimName": "models", "subPath": "llama-3-8b"}},
      "origin": {"huggingFace": {"repo": "meta-llama/Meta-Llama-3-8B"}},
      "files": [{"path": "model.safetensors"}],
      "format": "safetensors",
      "license": {"spdx": "Apache-2.0"},
      "compliance": {"trainingDataSummary": "https://example.com/summary", "trainingComputeFlops": 1.2e24}
    },
    "status": {
      "phase": "Admitted", "observedGeneration": 2,
      "conditions": [{"type": "HashesMatch", "status": "True"}],
      "scan": {"completedAt": "2025-01-01T00:00:00Z", "format": "safetensors",
               "files": [{"path": "model.safetensors", "format": "safetensors", "size": 10},
                         {"path": "config.json", "format": "json", "size": 2}]}
    }})");
  ma["metadata"]["name"] = name;
  ma["spec"]["origin"]["huggingFace"]["revision"] = kCommit;
  ma["spec"]["files"][0]["sha256"] = kSha;
  ma["status"]["scan"]["files"][0]["sha256"] = kSha;
  return ma;
}

inline json DenyAllEgress() {
  return json::parse(R"({"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
    "metadata": {"name": "deny-egress", "namespace": "ml"},
    "spec": {"podSelector": {}, "policyTypes": ["Egress"]}})");
}

inline ModelAdmission MA(const json& j) {
  auto r = ParseModelAdmission(j);
  EXPECT_TRUE(r.ok()) << r.status().message();
  return r.ok() ? r.value() : ModelAdmission{};
}

inline NetworkPolicy NP(const json& j) {
  auto r = ParseNetworkPolicy(j);
  EXPECT_TRUE(r.ok()) << r.status().message();
  return r.ok() ? r.value() : NetworkPolicy{};
}

inline Workload W(const json& j) {
  auto r = WorkloadFromObject(j);
  EXPECT_TRUE(r.ok()) << r.status().message();
  return r.ok() ? r.value() : Workload{};
}

// The view a compliant pod is admitted in: model "llama" + deny-all egress.
inline InMemoryClusterView Cluster(const json& ma = AdmittedModel()) {
  InMemoryClusterView c;
  c.AddModelAdmission(MA(ma));
  c.AddNetworkPolicy(NP(DenyAllEgress()));
  return c;
}

inline bool HasRule(const Decision& d, const std::string& rule) {
  return std::any_of(d.violations.begin(), d.violations.end(), [&](const Violation& v) { return v.rule == rule; });
}

inline std::string Lines(const Decision& d) {
  std::string out;
  for (const auto& v : d.violations) out += v.Line() + "\n";
  return out;
}

// The names in a NetworkPolicy list, in its order.
inline std::vector<std::string> PolicyNames(const NetworkPolicyList& list) {
  std::vector<std::string> out;
  for (const auto& np : list) out.push_back(np->name);
  return out;
}

}  // namespace modelgate::policy::testing
