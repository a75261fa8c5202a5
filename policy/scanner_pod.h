// Recognising modelgate's own scan pods by their shape.
//
// The operator (--scan-mode job) scans a model with a Job in the model's namespace
// (controller/job.h BuildScanJob): the pod mounts the model before it is scanned, so
// MG002 would deny it and scans could never run under an Enforce policy. A label or
// name exemption would let anyone bypass modelgate; instead, a pod is recognised when
// everything it can run is the scanner reading files, whoever created it:
//
//  1. the feature is on: `scanner_image` is not empty;
//  2. the workload is a Pod or a Job (what the operator creates; other kinds are never
//     scanner pods);
//  3. exactly one container, a regular one: no init and no ephemeral containers;
//  4. its image is exactly `scanner_image` (string equality; a tag is as trustworthy as
//     the registry, so pin a digest);
//  5. no `command` (the image's ENTRYPOINT, the modelgate binary, runs);
//  6. `args` are `scan` followed only by model paths and the flags the operator passes:
//     each other argument is a path "/model" or "/model/<segments>" (no ".", ".." or
//     empty segment), `--output json`, `--no-progress`, or at most once
//     `--embed-signature <segments>` (a relative path in clean segments, not starting
//     with '-': the scanner
//     prints that file of the model, base64, in its report, and reads nothing else);
//  7. the container sets no field outside kScannerContainerFields (so no env/envFrom,
//     lifecycle hooks, probes, workingDir, stdin, volumeDevices, ...): each of these
//     can run another program or change what the scanner does;
//  8. every volumeMount has readOnly: true, no subPathExpr, and a mountPath that is
//     "/model" or below it (clean segments): a mount elsewhere could shadow the binary
//     or its libraries with the model's bytes;
//  9. every pod volume is a persistentVolumeClaim with readOnly: true, a hostPath or an
//     image volume (no secret, projected token, emptyDir, ...);
// 10. spec.automountServiceAccountToken is explicitly false;
// 11. no hostNetwork, hostPID or hostIPC.
//
// Anything else (a second container, a writable mount, a token, ...) is an ordinary pod.
// A recognised pod is still judged by the pod-hardening and egress rules (MG009-MG012);
// only the model rules (MG001-MG008, MG013-MG015) are skipped, since a scanner that
// only reads the model is what produces the verdict those rules wait for.
#pragma once

#include <string>
#include <string_view>

#include "policy/types.h"

namespace modelgate::policy {

// Where the scanner sees the model (controller/job.h kJobModelMount).
inline constexpr std::string_view kScannerModelMount = "/model";

// The container keys a scanner pod may set: what BuildScanJob writes plus what the API
// server defaults (terminationMessagePath, resizePolicy, ...).
inline constexpr std::string_view kScannerContainerFields[] = {
    "name",      "image",           "imagePullPolicy",          "args",
    "resources", "securityContext", "volumeMounts",             "terminationMessagePath",
    "terminationMessagePolicy",     "resizePolicy"};

struct ScannerPodCheck {
  bool recognised = false;
  // recognised: what was recognised ("scanner pod: ..."); otherwise the first shape
  // condition that failed ("container \"scan\" sets env"), "" when the feature is off.
  std::string reason;
};

// Decides whether `w` is a scanner pod for `scanner_image` ("" = never). Pure; never
// fails: anything unexpected is simply not a scanner pod.
ScannerPodCheck CheckScannerPod(const Workload& w, const std::string& scanner_image);

}  // namespace modelgate::policy
