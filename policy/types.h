// Plain structs the decision works on. Built from API JSON by workload.h/objects.h
// (or by the caller from its own caches); the decision never sees JSON.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "policy/label_selector.h"

namespace modelgate::policy {

// The fields of a (Pod)SecurityContext that Pod Security "restricted" judges.
// Unset stays unset (std::nullopt) so pod-level defaults can be inherited.
struct SecurityContext {
  std::optional<bool> run_as_non_root;
  std::optional<int64_t> run_as_user;
  std::optional<bool> allow_privilege_escalation;  // container only
  std::optional<bool> privileged;                  // container only
  std::vector<std::string> capabilities_add;       // container only
  std::vector<std::string> capabilities_drop;      // container only
};

struct VolumeMount {
  std::string name;        // the pod volume it mounts
  std::string mount_path;  // where the container sees it
  std::string sub_path;    // "" = the whole volume
  bool sub_path_expr = false;  // subPathExpr: resolved at runtime, unknown here
  bool read_only = false;      // readOnly: true
};

enum class ContainerKind { kInit, kRegular, kEphemeral };

struct Container {
  ContainerKind kind = ContainerKind::kRegular;
  std::string name;
  std::string image;
  SecurityContext security;
  std::vector<VolumeMount> mounts;
  std::vector<std::string> command;  // replaces the image's ENTRYPOINT when non-empty
  std::vector<std::string> args;     // replaces the image's CMD when non-empty
  // Every key of the container object whose value is not null, "", [] or {}, sorted
  // ("args", "env", "image", "livenessProbe", "name", ...). The scanner-pod
  // recognition (scanner_pod.h) admits only a known set, so a field that can start a
  // program or change what the image runs (env, lifecycle hooks, exec probes, fields a
  // later Kubernetes adds) makes a pod an ordinary one.
  std::vector<std::string> fields;
};

enum class VolumeKind { kPvc, kHostPath, kImage, kOther };

struct Volume {
  std::string name;
  VolumeKind kind = VolumeKind::kOther;
  std::string claim_name;       // kPvc
  std::string host_path;        // kHostPath
  std::string image_reference;  // kImage
  std::string other_type;       // kOther: the volume source key ("emptyDir", "configMap", ...)
  bool read_only = false;       // kPvc: persistentVolumeClaim.readOnly: true
};

// A pod, or the pod template of a workload. `kind`/`name` name the object admitted
// (Deployment "web"), not the pods it will create.
struct Workload {
  std::string kind;       // Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob, ...
  std::string api_version;
  std::string namespace_name;
  std::string name;       // metadata.name, or metadata.generateName when the name is not set yet
  Labels labels;          // of the pod (template), used for NetworkPolicy selection
  Labels annotations;     // of the pod (template); modelgate.io/models lives here
  bool windows = false;   // spec.os.name == windows: Pod Security skips user/escalation checks
  SecurityContext pod_security;  // pod-level securityContext (runAsNonRoot, runAsUser)
  // spec.automountServiceAccountToken as written: unset means the ServiceAccount decides
  // (and by default a token is mounted).
  std::optional<bool> automount_service_account_token;
  bool host_network = false;  // spec.hostNetwork
  bool host_pid = false;      // spec.hostPID
  bool host_ipc = false;      // spec.hostIPC
  std::vector<Container> containers;  // init, regular and ephemeral, in that order
  std::vector<Volume> volumes;

  const Volume* FindVolume(const std::string& name) const {
    for (const auto& v : volumes)
      if (v.name == name) return &v;
    return nullptr;
  }
};

// "container", "init container", "ephemeral container".
const char* ContainerKindName(ContainerKind k);

}  // namespace modelgate::policy
