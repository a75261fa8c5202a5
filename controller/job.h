// Scan Jobs (--scan-mode job): one batch/v1 Job per (model uid, generation, rescan
// token). The Job mounts the model read-only and runs `modelgate scan --output json`
// (plus `--embed-signature PATH` when spec.signature is declared)
// as a non-root user with no capabilities, a read-only root file system, seccomp
// RuntimeDefault, no service-account token (no API access at all) and resource limits;
// its pods carry kScanJobLabel so a NetworkPolicy can deny them all egress (the chart
// ships one). The operator reads the result from the pod's log (pods/log), so the Job
// needs no write access anywhere.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "controller/options.h"
#include "policy/objects.h"
#include "scanners/status.h"

namespace modelgate::controller {

// Label on scan Jobs and their pods ("true"); the egress-deny NetworkPolicy selects it.
inline constexpr const char* kScanJobLabel = "modelgate.io/scan-job";
// Where the model is mounted in the scan container.
inline constexpr const char* kJobModelMount = "/model";
inline constexpr const char* kJobContainer = "scan";

// The signature path a scan Job embeds (`--embed-signature`, relative to kJobModelMount):
// spec.signature.path (default "model.sig") when a signature is declared and the path is
// clean (signing::CheckEmbedPath), else "" (no option).
std::string JobSignaturePath(const policy::ModelAdmission& ma);

// Deterministic name, so a restarted operator adopts the Job it created before:
// "mg-scan-" + the first 20 hex digits of SHA-256(uid "/" generation "/" token).
std::string ScanJobName(const std::string& uid, int64_t generation, const std::string& rescan_token);

// The Job manifest for scanning `ma` (namespace = the model's). Errors: a source the Job
// cannot mount (none set). hostPath sources are mounted with type Directory-or-File
// semantics left to the kubelet ("" type); image sources use the `image` volume type
// (Kubernetes >= 1.31, ImageVolume feature).
Result<nlohmann::json> BuildScanJob(const policy::ModelAdmission& ma, const std::string& rescan_token,
                                    const ControllerOptions& opts);

// What a Job's status says.
enum class JobState { kRunning, kSucceeded, kFailed };
// From job.status: conditions Complete/Failed (True), else succeeded/failed counts.
// `reason` receives the Failed condition's reason/message ("DeadlineExceeded: ...").
JobState JobStateOf(const nlohmann::json& job, std::string* reason);

}  // namespace modelgate::controller
