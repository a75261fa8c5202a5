#include "controller/job.h"

#include <openssl/evp.h>

#include <cstdio>

#include "scanners/scan.h"
#include "scanners/signing/embedded_signature.h"

namespace modelgate::controller {

using nlohmann::json;

namespace {

std::string Sha256Hex(const std::string& data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), md, &len, EVP_sha256(), nullptr) != 1) return "";
  std::string hex;
  char buf[3];
  for (unsigned int i = 0; i < len; ++i) {
    std::snprintf(buf, sizeof buf, "%02x", md[i]);
    hex += buf;
  }
  return hex;
}

}  // namespace

std::string JobSignaturePath(const policy::ModelAdmission& ma) {
  if (!ma.signature_declared) return "";
  const std::string sig = ma.signature_path.empty() ? "model.sig" : ma.signature_path;
  return signing::CheckEmbedPath(sig).ok() ? sig : "";
}

std::string ScanJobName(const std::string& uid, int64_t generation, const std::string& rescan_token) {
  return "mg-scan-" + Sha256Hex(uid + "/" + std::to_string(generation) + "/" + rescan_token).substr(0, 20);
}

Result<json> BuildScanJob(const policy::ModelAdmission& ma, const std::string& rescan_token,
                          const ControllerOptions& opts) {
  using Kind = policy::ModelSource::Kind;
  json volume = {{"name", "model"}};
  std::string sub_path;
  switch (ma.source.kind) {
    case Kind::kPvc:
      volume["persistentVolumeClaim"] = {{"claimName", ma.source.claim_name}, {"readOnly", true}};
      sub_path = ma.source.sub_path;
      break;
    case Kind::kHostPath:
      volume["hostPath"] = {{"path", ma.source.host_path}};
      break;
    case Kind::kImage:
      volume["image"] = {{"reference", ma.source.image_reference}, {"pullPolicy", "IfNotPresent"}};
      break;
    case Kind::kNone:
      return Status::Error("spec.source has no pvc, hostPath or image");
  }
  json mount = {{"name", "model"}, {"mountPath", kJobModelMount}, {"readOnly", true}};
  if (!sub_path.empty()) mount["subPath"] = sub_path;

  const json labels = {{kScanJobLabel, "true"},
                       {"app.kubernetes.io/name", "modelgate"},
                       {"app.kubernetes.io/component", "scan-job"},
                       {"modelgate.io/model", ma.name}};
  const int64_t deadline = std::max<int64_t>(1, opts.scan_timeout.count());
  json args = {"scan", kJobModelMount, "--output", "json", "--no-progress"};
  // Only the Job can read the model volume: it hands the signature file to the operator,
  // which verifies it against the report's file hashes. A path the scanner would refuse
  // is left out (the verifier reports the bad spec.signature.path itself).
  if (const std::string sig = JobSignaturePath(ma); !sig.empty()) {
    args.push_back("--embed-signature");
    args.push_back(sig);
  }
  json container = {
      {"name", kJobContainer},
      {"image", opts.scanner_image},
      {"imagePullPolicy", "IfNotPresent"},
      {"args", args},
      {"volumeMounts", json::array({mount})},
      {"resources",
       {{"limits", {{"cpu", opts.job_cpu_limit}, {"memory", opts.job_memory_limit}}},
        {"requests", {{"cpu", opts.job_cpu_request}, {"memory", opts.job_memory_request}}}}},
      {"securityContext",
       {{"runAsNonRoot", true},
        {"runAsUser", 65532},
        {"runAsGroup", 65532},
        {"allowPrivilegeEscalation", false},
        {"privileged", false},
        {"readOnlyRootFilesystem", true},
        {"capabilities", {{"drop", {"ALL"}}}},
        {"seccompProfile", {{"type", "RuntimeDefault"}}}}},
      {"terminationMessagePolicy", "File"}};
  json pod_spec = {
      {"restartPolicy", "Never"},
      {"automountServiceAccountToken", false},
      {"enableServiceLinks", false},
      {"securityContext",
       {{"runAsNonRoot", true},
        {"runAsUser", 65532},
        {"runAsGroup", 65532},
        {"fsGroup", 65532},
        {"seccompProfile", {{"type", "RuntimeDefault"}}}}},
      {"containers", json::array({container})},
      {"volumes", json::array({volume})}};
  json job = {
      {"apiVersion", "batch/v1"},
      {"kind", "Job"},
      {"metadata",
       {{"name", ScanJobName(ma.uid, ma.generation, rescan_token)},
        {"namespace", ma.namespace_name},
        {"labels", labels},
        {"annotations",
         {{"modelgate.io/model-uid", ma.uid}, {"modelgate.io/generation", std::to_string(ma.generation)}}},
        {"ownerReferences",
         json::array({{{"apiVersion", "modelgate.io/v1alpha1"},
                       {"kind", "ModelAdmission"},
                       {"name", ma.name},
                       {"uid", ma.uid},
                       {"controller", true},
                       {"blockOwnerDeletion", false}}})}}},
      {"spec",
       {{"backoffLimit", 0},
        {"activeDeadlineSeconds", deadline},
        {"ttlSecondsAfterFinished", 600},
        {"template", {{"metadata", {{"labels", labels}}}, {"spec", pod_spec}}}}}};
  return job;
}

JobState JobStateOf(const json& job, std::string* reason) {
  if (!job.is_object() || !job.contains("status") || !job["status"].is_object()) return JobState::kRunning;
  const json& st = job["status"];
  if (st.contains("conditions") && st["conditions"].is_array()) {
    for (const json& c : st["conditions"]) {
      if (!c.is_object() || c.value("status", "") != "True") continue;
      const std::string type = c.value("type", "");
      if (type == "Complete") return JobState::kSucceeded;
      if (type == "Failed") {
        if (reason) *reason = c.value("reason", "") + ": " + c.value("message", "");
        return JobState::kFailed;
      }
    }
  }
  if (st.value("succeeded", 0) > 0) return JobState::kSucceeded;
  if (st.value("failed", 0) > 0) {
    if (reason) *reason = "a scan pod failed";
    return JobState::kFailed;
  }
  return JobState::kRunning;
}

}  // namespace modelgate::controller
