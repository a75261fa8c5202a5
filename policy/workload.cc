#include "policy/workload.h"

#include "policy/json_fields.h"

namespace modelgate::policy {

using internal::FieldErrors;
using internal::Join;
using internal::ObjectAt;
using internal::StringAt;
using nlohmann::json;

const char* ContainerKindName(ContainerKind k) {
  switch (k) {
    case ContainerKind::kInit: return "init container";
    case ContainerKind::kEphemeral: return "ephemeral container";
    case ContainerKind::kRegular: break;
  }
  return "container";
}

bool IsWorkloadKind(const std::string& kind) {
  return kind == "Pod" || kind == "Deployment" || kind == "StatefulSet" || kind == "DaemonSet" ||
         kind == "ReplicaSet" || kind == "ReplicationController" || kind == "Job" || kind == "CronJob";
}

namespace {

// A member that says something: not null, not an empty string, array or object.
bool IsSet(const json& v) {
  if (v.is_null()) return false;
  if (v.is_string()) return !v.get_ref<const std::string&>().empty();
  if (v.is_array() || v.is_object()) return !v.empty();
  return true;
}

void ReadSecurity(const json& parent, const std::string& path, bool container, SecurityContext& sc,
                  FieldErrors& errs) {
  const json* s = ObjectAt(parent, "securityContext", path, errs);
  if (s == nullptr) return;
  const std::string p = Join(path, "securityContext");
  sc.run_as_non_root = internal::BoolAt(*s, "runAsNonRoot", p, errs);
  sc.run_as_user = internal::IntAt(*s, "runAsUser", p, errs);
  if (!container) return;
  sc.allow_privilege_escalation = internal::BoolAt(*s, "allowPrivilegeEscalation", p, errs);
  sc.privileged = internal::BoolAt(*s, "privileged", p, errs);
  if (const json* caps = ObjectAt(*s, "capabilities", p, errs)) {
    sc.capabilities_add = internal::StringsAt(*caps, "add", Join(p, "capabilities"), errs);
    sc.capabilities_drop = internal::StringsAt(*caps, "drop", Join(p, "capabilities"), errs);
  }
}

void ReadContainers(const json& spec, const char* field, ContainerKind kind, const std::string& path,
                    Workload& w, FieldErrors& errs) {
  for (const auto& [item, p] : internal::ObjectsAt(spec, field, path, errs)) {
    const json& c = *item;
    Container out;
    out.kind = kind;
    out.name = StringAt(c, "name", p, errs).value_or("");
    out.image = StringAt(c, "image", p, errs).value_or("");
    out.command = internal::StringsAt(c, "command", p, errs);
    out.args = internal::StringsAt(c, "args", p, errs);
    for (const auto& [key, value] : c.items())
      if (IsSet(value)) out.fields.push_back(key);
    ReadSecurity(c, p, true, out.security, errs);
    for (const auto& [m, mp] : internal::ObjectsAt(c, "volumeMounts", p, errs)) {
      VolumeMount vm;
      vm.name = StringAt(*m, "name", mp, errs).value_or("");
      vm.mount_path = StringAt(*m, "mountPath", mp, errs).value_or("");
      vm.sub_path = StringAt(*m, "subPath", mp, errs).value_or("");
      if (auto expr = StringAt(*m, "subPathExpr", mp, errs); expr && !expr->empty()) {
        vm.sub_path = *expr;
        vm.sub_path_expr = true;
      }
      vm.read_only = internal::BoolAt(*m, "readOnly", mp, errs).value_or(false);
      out.mounts.push_back(std::move(vm));
    }
    w.containers.push_back(std::move(out));
  }
}

void ReadVolumes(const json& spec, const std::string& path, Workload& w, FieldErrors& errs) {
  for (const auto& [item, p] : internal::ObjectsAt(spec, "volumes", path, errs)) {
    const json& v = *item;
    Volume out;
    out.name = StringAt(v, "name", p, errs).value_or("");
    if (const json* pvc = ObjectAt(v, "persistentVolumeClaim", p, errs)) {
      out.kind = VolumeKind::kPvc;
      out.claim_name = StringAt(*pvc, "claimName", Join(p, "persistentVolumeClaim"), errs).value_or("");
      out.read_only = internal::BoolAt(*pvc, "readOnly", Join(p, "persistentVolumeClaim"), errs).value_or(false);
    } else if (const json* hp = ObjectAt(v, "hostPath", p, errs)) {
      out.kind = VolumeKind::kHostPath;
      out.host_path = StringAt(*hp, "path", Join(p, "hostPath"), errs).value_or("");
    } else if (const json* img = ObjectAt(v, "image", p, errs)) {
      out.kind = VolumeKind::kImage;
      out.image_reference = StringAt(*img, "reference", Join(p, "image"), errs).value_or("");
    } else {
      for (const auto& [k, val] : v.items())
        if (k != "name") {
          out.other_type = k;
          break;
        }
    }
    w.volumes.push_back(std::move(out));
  }
}

}  // namespace

Result<Workload> WorkloadFromObject(const json& obj, const std::string& namespace_name) {
  FieldErrors errs;
  Workload w;
  if (!obj.is_object()) return Status::Error("workload: expected an object");
  w.kind = StringAt(obj, "kind", "", errs).value_or("");
  w.api_version = StringAt(obj, "apiVersion", "", errs).value_or("");
  if (!IsWorkloadKind(w.kind)) {
    return Status::Error("workload: unsupported kind \"" + w.kind +
                         "\" (Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, "
                         "Job, CronJob)");
  }
  if (const json* md = ObjectAt(obj, "metadata", "", errs)) {
    w.name = StringAt(*md, "name", "metadata", errs).value_or("");
    if (w.name.empty()) w.name = StringAt(*md, "generateName", "metadata", errs).value_or("");
    w.namespace_name = StringAt(*md, "namespace", "metadata", errs).value_or("");
    if (w.kind == "Pod") {
      w.labels = internal::StringMapAt(*md, "labels", "metadata", errs);
      w.annotations = internal::StringMapAt(*md, "annotations", "metadata", errs);
    }
  }
  if (w.namespace_name.empty()) w.namespace_name = namespace_name;

  // Walk down to the pod spec, remembering the template's metadata.
  const json* spec = ObjectAt(obj, "spec", "", errs);
  std::string path = "spec";
  if (spec != nullptr && w.kind != "Pod") {
    if (w.kind == "CronJob") {
      const json* jt = ObjectAt(*spec, "jobTemplate", path, errs);
      path += ".jobTemplate";
      spec = jt ? ObjectAt(*jt, "spec", path, errs) : nullptr;
      path += ".spec";
    }
    const json* tmpl = spec ? ObjectAt(*spec, "template", path, errs) : nullptr;
    path += ".template";
    if (tmpl != nullptr) {
      if (const json* md = ObjectAt(*tmpl, "metadata", path, errs)) {
        w.labels = internal::StringMapAt(*md, "labels", Join(path, "metadata"), errs);
        w.annotations = internal::StringMapAt(*md, "annotations", Join(path, "metadata"), errs);
      }
      spec = ObjectAt(*tmpl, "spec", path, errs);
    } else {
      spec = nullptr;
    }
    path += ".spec";
  }
  if (spec == nullptr) {
    if (errs.empty()) errs.Add(path, "required (the pod spec)");
    return errs.ToStatus("workload " + w.kind + " \"" + w.name + "\"");
  }
  if (const json* os = ObjectAt(*spec, "os", path, errs))
    w.windows = StringAt(*os, "name", Join(path, "os"), errs).value_or("") == "windows";
  ReadSecurity(*spec, path, false, w.pod_security, errs);
  w.automount_service_account_token = internal::BoolAt(*spec, "automountServiceAccountToken", path, errs);
  w.host_network = internal::BoolAt(*spec, "hostNetwork", path, errs).value_or(false);
  w.host_pid = internal::BoolAt(*spec, "hostPID", path, errs).value_or(false);
  w.host_ipc = internal::BoolAt(*spec, "hostIPC", path, errs).value_or(false);
  ReadContainers(*spec, "initContainers", ContainerKind::kInit, path, w, errs);
  ReadContainers(*spec, "containers", ContainerKind::kRegular, path, w, errs);
  ReadContainers(*spec, "ephemeralContainers", ContainerKind::kEphemeral, path, w, errs);
  ReadVolumes(*spec, path, w, errs);
  if (!errs.empty()) return errs.ToStatus("workload " + w.kind + " \"" + w.name + "\"");
  return w;
}

}  // namespace modelgate::policy
