// Settings of `modelgate controller`, with their defaults and validation.
#pragma once

#include <chrono>
#include <string>

#include "controller/event_correlator.h"
#include "controller/signature.h"
#include "controller/status.h"
#include "scanners/status.h"

namespace modelgate::controller {

enum class ScanMode {
  kInline,  // the operator reads hostPath (and --pvc-root) files itself
  kJob,     // one batch/v1 Job per scan, result read from the pod log
};

struct ControllerOptions {
  ScanMode scan_mode = ScanMode::kInline;
  // Scans running at once (worker pool size). >= 1.
  int max_concurrent_scans = 2;
  // A scan (inline or Job) that runs longer fails with phase Error (and is retried).
  std::chrono::seconds scan_timeout = std::chrono::minutes(10);
  // Retries of failed scans (--retry-min, --retry-max): the delay doubles from min to max
  // per consecutive failure of a model. The cap is client-go's default controller rate
  // limiter's (1000 s = 16m40s; it was 5 min): at the cap each failing model costs one
  // GET and one Event update per retry, 10 writes/s for 10,000 failing models. A new
  // generation or a new modelgate.io/rescan value retries at once, whatever the backoff.
  std::chrono::milliseconds retry_min = std::chrono::seconds(1);
  std::chrono::milliseconds retry_max = std::chrono::seconds(1000);
  // Threads one inline scan uses for hashing/analysis (0 = one per core).
  unsigned scan_threads = 1;
  // Inline mode: PVC contents are found at <pvc_root>/<namespace>/<claimName>/<subPath>.
  std::string pvc_root;
  // Job mode: the image that runs `modelgate scan`.
  std::string scanner_image = "ghcr.io/modelgate/modelgate:latest";
  // Job mode: resources of the scan container.
  std::string job_cpu_limit = "2", job_memory_limit = "2Gi";
  std::string job_cpu_request = "250m", job_memory_request = "256Mi";
  // Leader election (coordination.k8s.io/v1 Lease). Empty namespace: the client
  // config's namespace. Identity: hostname + pid when empty.
  bool leader_election = true;
  std::string lease_namespace;
  std::string lease_name = "modelgate-controller";
  std::string identity;
  std::chrono::milliseconds lease_duration = std::chrono::seconds(15);
  std::chrono::milliseconds renew_deadline = std::chrono::seconds(10);
  std::chrono::milliseconds retry_period = std::chrono::seconds(2);
  // host:port for /metrics (prometheus-cpp) and /healthz + /readyz (cpprestsdk).
  // "" disables the server; port 0 picks a free port (see Controller::metrics_port()).
  std::string metrics_addr = "127.0.0.1:8081";
  std::string health_addr = "127.0.0.1:8082";
  // Inventory: track pods that use models and write status.workloads (at most
  // max_workloads entries per model, oldest kept).
  bool inventory = true;
  size_t max_workloads = 50;
  std::chrono::milliseconds inventory_flush = std::chrono::seconds(2);
  // What a completed scan is judged against (see status.h).
  StatusOptions status;
  // Signature verification seam (signature.h); DefaultSignatureVerifier when empty.
  SignatureVerifier signature_verifier;
  // Emit Kubernetes Events (scan started/completed/failed), repeats aggregated and spam
  // held back per model as described in event_correlator.h.
  bool events = true;
  EventCorrelatorOptions event_correlation;
};

// Checks ranges and combinations; errors name the flag ("--max-concurrent-scans must be
// >= 1").
Status ValidateOptions(const ControllerOptions& o);

// "90s", "10m", "1h", "1h30m", "500ms" -> duration; a bare number is seconds.
Result<std::chrono::milliseconds> ParseDuration(const std::string& text);

// "inline" | "job".
Result<ScanMode> ParseScanMode(const std::string& text);

}  // namespace modelgate::controller
