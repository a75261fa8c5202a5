// The inline executor: the operator scans files it can read itself.
#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <thread>

#include "controller/executor.h"
#include "controller/scan_source.h"

namespace modelgate::controller {
namespace {

namespace fs = std::filesystem;

// Shared between the waiting reconciler and the (possibly abandoned) scan thread.
struct ScanSlot {
  std::mutex mu;
  std::condition_variable cv;
  bool done = false;  // guarded by mu
  scanners::ScanReport report;
};

class InlineExecutor : public Executor {
 public:
  explicit InlineExecutor(const ControllerOptions& opts) : opts_(opts) {}

  Result<ExecutorResult> Scan(const policy::ModelAdmission& ma, const std::string&,
                              std::chrono::steady_clock::time_point deadline,
                              const std::atomic<bool>& stop) override {
    Result<std::string> root = InlineModelRoot(ma, opts_.pvc_root);
    if (!root.ok()) return root.status();
    std::error_code ec;
    const fs::file_status st = fs::status(root.value(), ec);
    if (ec || !fs::exists(st)) return Status::Error("model path " + root.value() + " does not exist on the operator's node");
    const bool is_file = fs::is_regular_file(st);
    if (!is_file && !fs::is_directory(st))
      return Status::Error("model path " + root.value() + " is neither a file nor a directory");

    auto slot = std::make_shared<ScanSlot>();
    scanners::ScanOptions so;
    so.threads = opts_.scan_threads;
    std::thread([slot, path = root.value(), so] {
      scanners::ScanReport r = scanners::ScanPaths({path}, so);
      std::lock_guard<std::mutex> lock(slot->mu);
      slot->report = std::move(r);
      slot->done = true;
      slot->cv.notify_all();
    }).detach();

    std::unique_lock<std::mutex> lock(slot->mu);
    while (!slot->done) {
      if (stop.load()) return Status::Error("scan abandoned: the controller is stopping");
      if (std::chrono::steady_clock::now() >= deadline)
        return Status::Error("scan timed out after " + std::to_string(opts_.scan_timeout.count()) + "s");
      // Wake up regularly to notice `stop`.
      slot->cv.wait_until(lock, std::min(deadline, std::chrono::steady_clock::now() + std::chrono::milliseconds(200)));
    }
    ExecutorResult out;
    out.report = std::move(slot->report);
    RelativizeReport(out.report, root.value(), is_file);
    out.model_root = is_file ? fs::path(root.value()).parent_path().string() : root.value();
    return out;
  }

 private:
  ControllerOptions opts_;
};

}  // namespace

std::unique_ptr<Executor> NewInlineExecutor(const ControllerOptions& opts) {
  return std::make_unique<InlineExecutor>(opts);
}

}  // namespace modelgate::controller
