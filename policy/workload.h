// Extracting the pod (template) of a workload object.
#pragma once

#include <nlohmann/json.hpp>

#include "policy/types.h"
#include "scanners/status.h"

namespace modelgate::policy {

// Builds a Workload from an API object: Pod (spec), Deployment, StatefulSet,
// DaemonSet, ReplicaSet, ReplicationController, Job (spec.template.spec), CronJob
// (spec.jobTemplate.spec.template.spec). A Pod body sent to the
// pods/ephemeralcontainers subresource is a Pod and reads the same way.
// `namespace_name` fills the namespace when metadata.namespace is empty (the
// AdmissionRequest carries it). Errors: unsupported kind, missing pod spec, or a field
// of the wrong type, with its path ("spec.template.spec.containers[0].name: ...").
Result<Workload> WorkloadFromObject(const nlohmann::json& obj, const std::string& namespace_name = "");

// True for the kinds WorkloadFromObject accepts.
bool IsWorkloadKind(const std::string& kind);

}  // namespace modelgate::policy
