// Where a scan runs. The reconciler asks an Executor for one model's scan report; the
// inline executor reads local files, the job executor runs a scan Job and reads its log.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "controller/options.h"
#include "policy/objects.h"
#include "scanners/scan.h"
#include "scanners/signing/embedded_signature.h"
#include "scanners/status.h"

namespace modelgate::kube {
class Client;
}

namespace modelgate::controller {

struct ExecutorResult {
  scanners::ScanReport report;  // paths relative to the model root
  std::string model_root;       // local directory of the model ("" when not local)
  // Job mode: the signature file the scan Job embedded (unchecked), when it was asked to.
  std::optional<signing::EmbeddedSignature> signature;
};

class Executor {
 public:
  virtual ~Executor() = default;
  // Scans `ma` (for `rescan_token`), giving up at `deadline`. An error means the scan did
  // not run to the end (unreadable source, timeout, Job failure without a report); the
  // caller writes phase Error and retries. `stop` is set when the operator shuts down or
  // loses leadership: return promptly (any error).
  virtual Result<ExecutorResult> Scan(const policy::ModelAdmission& ma, const std::string& rescan_token,
                                      std::chrono::steady_clock::time_point deadline,
                                      const std::atomic<bool>& stop) = 0;
};

// Inline scans with scanners::ScanPaths on InlineModelRoot(ma, opts.pvc_root). A root
// that does not exist is an error (retried: the volume may still be filling), not a
// report. On timeout the scan thread is abandoned (it finishes in the background and its
// result is dropped) and an error returned.
std::unique_ptr<Executor> NewInlineExecutor(const ControllerOptions& opts);

// Job scans: creates BuildScanJob(...) (adopting an existing Job of the same name),
// polls it every `poll` until it finishes or the deadline passes, reads the log of its
// pod's "scan" container and parses it (ParseScanJson). Deletes the Job when done
// (background propagation), also on timeout.
std::unique_ptr<Executor> NewJobExecutor(std::shared_ptr<kube::Client> client, const ControllerOptions& opts,
                                         std::chrono::milliseconds poll = std::chrono::seconds(2));

}  // namespace modelgate::controller
