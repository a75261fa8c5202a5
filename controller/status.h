// Pure status computation for a ModelAdmission: from the spec, a scan report, a
// signature result and `now`, the status object the operator writes. No I/O.
//
// Status layout (documented for users and the CRD in docs/operator.md):
//   phase, observedGeneration, conditions[Scanned, HashesMatch, SignatureVerified,
//   FormatAllowed, Ready], scan{scannerVersion, startedAt, completedAt, format, files[],
//   manifestDigest, findings[], undecided[]}, signature{status, identity, issuer,
//   message}, workloads[] (kept as is). Exactly the fields crds/modelgate.io_modeladmissions.yaml
//   declares: anything else would be pruned by the API server.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "controller/clock.h"
#include "controller/signature.h"
#include "policy/objects.h"
#include "scanners/finding.h"
#include "scanners/scan.h"

namespace modelgate::controller {

inline constexpr const char* kPhasePending = "Pending";
inline constexpr const char* kPhaseScanning = "Scanning";
inline constexpr const char* kPhaseAdmitted = "Admitted";
inline constexpr const char* kPhaseRejected = "Rejected";
inline constexpr const char* kPhaseError = "Error";

// Annotation the webhook (or a user) sets to ask for a new scan of an unchanged spec.
// Any new value triggers one scan; after it the controller copies the value to
// kRescanAnsweredAnnotation (a metadata merge patch: the CRD's status schema has no
// field for it, and removing the request instead would fight GitOps tools that own it).
inline constexpr const char* kRescanAnnotation = "modelgate.io/rescan";
inline constexpr const char* kRescanAnsweredAnnotation = "modelgate.io/rescan-answered";

// The kRescanAnnotation / kRescanAnsweredAnnotation values of an object ("" when absent).
std::string RescanRequested(const nlohmann::json& object);
std::string RescanAnswered(const nlohmann::json& object);

struct StatusOptions {
  // Scanner format names (scanners/format.h) allowed for weight files. The webhook's
  // ModelAdmissionPolicy (MG004) has the final word; this mirrors its default.
  std::vector<std::string> allowed_formats = {"safetensors"};
  // Findings at or above this severity reject the model (as `modelgate scan --fail-on`).
  scanners::Severity fail_on = scanners::Severity::kMedium;
  // Bounds on the lists kept in status (etcd objects are limited to ~1.5 MB; the CRD caps
  // files at 10000, findings and undecided at 1000). A cut findings/undecided list ends
  // with a marker entry (rule kTruncatedRule / reason "N more ... not listed"), and the
  // Scanned condition's message always has the full counts.
  size_t max_findings = 100;
  size_t max_files = 1000;
  size_t max_undecided = 100;
};

// Everything a finished scan produced. Report paths are relative to the model root.
struct ScanOutcome {
  scanners::ScanReport report;
  std::string manifest_digest;  // "sha256:<hex>" of the model_signing manifest, "" if unknown
  SignatureResult signature;
};

// The status after a completed scan of `ma` (generation ma.generation). `previous` is the
// object's current status (null or {} when none): condition transition times and
// status.workloads are carried over from it. Phase: Admitted when nothing blocks, else
// Rejected (findings >= fail_on, undecided files, hash or digest mismatch, format not
// allowed, signature Invalid/Untrusted). An unsigned model is not rejected here: the
// admission policy (MG008) decides whether signatures are required.
nlohmann::json CompletedStatus(const policy::ModelAdmission& ma, const ScanOutcome& outcome,
                               const nlohmann::json& previous, const StatusOptions& opts, TimePoint now);

// The status written before a scan starts: phase Scanning, Scanned=Unknown/ScanInProgress,
// Ready=False/ScanInProgress. observedGeneration keeps its previous value (so a restart
// finds the scan unfinished); everything else is carried over.
nlohmann::json ScanningStatus(const policy::ModelAdmission& ma, const nlohmann::json& previous, TimePoint now);

// What the operator does after an Error; the Ready condition's message says it.
enum class ErrorRetry {
  kWithBackoff,   // the scan could not run: tried again with exponential backoff
  kOnSpecChange,  // the spec cannot be read: nothing happens until it changes
};

// The status after a scan could not run (source unreadable, Job failed, timeout) or the
// spec could not be read: phase Error, Scanned=False/ScanFailed with `message` (what the
// webhook's MG002 quotes), Ready=False/ScanFailed with `message` and what happens next
// (`retry`), the other conditions Unknown; no scan or signature results (they belonged
// to an older spec). observedGeneration = ma.generation.
// Idempotent: applied to its own result with the same arguments (any `now`) it returns
// that result unchanged, so a retry failing the same way needs no status write.
nlohmann::json ErrorStatus(const policy::ModelAdmission& ma, const std::string& message, ErrorRetry retry,
                           const nlohmann::json& previous, TimePoint now);

// Rule id of the marker finding that ends a cut findings list.
inline constexpr const char* kTruncatedRule = "modelgate/findings-truncated";

// True when `object` (a ModelAdmission as JSON) needs a scan: no status or phase, phase
// Pending/Scanning/Error, status.observedGeneration != metadata.generation, or a
// kRescanAnnotation value different from kRescanAnsweredAnnotation.
bool NeedsScan(const nlohmann::json& object);

// The format the scan detected for the model's weights: the single weight-file format,
// several joined by "," (sorted), or the format of the only file kind present when the
// model has no weight files. "" for an empty report.
std::string DetectedFormat(const scanners::ScanReport& report);

// True for formats that carry no weights and run no code by themselves: json, text,
// empty, unknown (unrecognised binary data, e.g. tokenizer.model; reported as an info
// finding by the scanner).
bool IsAuxiliaryFormat(const std::string& format);

}  // namespace modelgate::controller
