// The job executor: one scan Job per model generation, result read from the pod log.
#include <filesystem>
#include <thread>

#include <spdlog/spdlog.h>

#include "controller/executor.h"
#include "controller/job.h"
#include "controller/scan_result.h"
#include "controller/scan_source.h"
#include "kube/client.h"

namespace modelgate::controller {
namespace {

const kube::Resource kJobs{"batch", "v1", "jobs", true};

// The last path component of a hostPath or PVC subPath source ("" otherwise): the name
// inline mode gives a model that is a single file.
std::string SourceBaseName(const policy::ModelAdmission& ma) {
  using Kind = policy::ModelSource::Kind;
  std::string p = ma.source.kind == Kind::kHostPath ? ma.source.host_path
                  : ma.source.kind == Kind::kPvc    ? ma.source.sub_path
                                                    : "";
  while (p.size() > 1 && p.back() == '/') p.pop_back();
  return std::filesystem::path(p).filename().string();
}

// A source naming a single file is mounted as the file kJobModelMount, so the scanner
// reports it as "/model" (and archive members as "/model!member"). Inline mode reports
// such a model by its own name, and pinned hashes use that name: rename to match.
void NameSingleFileRoot(scanners::ScanReport& report, const std::string& name) {
  const std::string root = kJobModelMount;
  bool root_is_file = false;
  for (const auto& f : report.files) root_is_file |= f.path == root;
  if (!root_is_file || name.empty()) return;
  auto rename = [&](std::string& p) {
    if (p == root || p.rfind(root + "!", 0) == 0) p = name + p.substr(root.size());
  };
  for (auto& f : report.files) {
    rename(f.path);
    for (auto& x : f.findings) rename(x.file);
    for (auto& u : f.undecided) rename(u.file);
  }
  for (auto& e : report.errors) rename(e.file);
}

class JobExecutor : public Executor {
 public:
  JobExecutor(std::shared_ptr<kube::Client> client, const ControllerOptions& opts, std::chrono::milliseconds poll)
      : client_(std::move(client)), opts_(opts), poll_(poll) {}

  Result<ExecutorResult> Scan(const policy::ModelAdmission& ma, const std::string& token,
                              std::chrono::steady_clock::time_point deadline,
                              const std::atomic<bool>& stop) override {
    Result<nlohmann::json> manifest = BuildScanJob(ma, token, opts_);
    if (!manifest.ok()) return manifest.status();
    const std::string name = manifest.value()["metadata"]["name"].get<std::string>();
    Result<nlohmann::json> created = client_->Create(kJobs, ma.namespace_name, manifest.value());
    if (!created.ok() && !kube::IsAlreadyExists(created.status()))
      return Status::Error("creating scan Job " + name + ": " + created.status().message());
    if (!created.ok()) spdlog::info("adopting existing scan Job {}/{}", ma.namespace_name, name);

    std::string failure;
    while (true) {
      if (stop.load()) return Status::Error("scan abandoned: the controller is stopping (Job " + name + " kept)");
      if (std::chrono::steady_clock::now() >= deadline) {
        Cleanup(ma.namespace_name, name);
        return Status::Error("scan Job " + name + " timed out after " + std::to_string(opts_.scan_timeout.count()) + "s");
      }
      Result<nlohmann::json> job = client_->Get(kJobs, ma.namespace_name, name);
      if (!job.ok()) {
        if (kube::IsNotFound(job.status())) return Status::Error("scan Job " + name + " disappeared");
        spdlog::warn("reading scan Job {}/{}: {}", ma.namespace_name, name, job.status().message());
      } else {
        const JobState state = JobStateOf(job.value(), &failure);
        if (state != JobState::kRunning) break;
      }
      std::this_thread::sleep_for(poll_);
    }
    // The scanner exits 1 (findings) or 2 (undecided), which fails the Job: the log, not
    // the Job's state, carries the verdict. Only a missing/garbled log is an error.
    Result<std::string> log = ReadLog(ma.namespace_name, name);
    Cleanup(ma.namespace_name, name);
    if (!log.ok()) {
      return Status::Error("scan Job " + name + " produced no result" + (failure.empty() ? "" : " (" + failure + ")") +
                           ": " + log.status().message());
    }
    Result<ScanOutput> parsed = ParseScanOutput(log.value());
    if (!parsed.ok()) {
      return Status::Error("scan Job " + name + (failure.empty() ? "" : " (" + failure + ")") + ": " +
                           parsed.status().message());
    }
    ExecutorResult out;
    out.report = std::move(parsed.value().report);
    out.signature = std::move(parsed.value().signature);
    NameSingleFileRoot(out.report, SourceBaseName(ma));
    RelativizeReport(out.report, kJobModelMount, false);
    return out;
  }

 private:
  Result<std::string> ReadLog(const std::string& ns, const std::string& job) {
    kube::ListOptions lo;
    lo.label_selector = "job-name=" + job;
    Result<nlohmann::json> pods = client_->List(kube::Pods(), ns, lo);
    if (!pods.ok()) return pods.status();
    const auto& items = pods.value()["items"];
    if (!items.is_array() || items.empty()) return Status::Error("no pod found for the Job");
    const std::string pod = items.back()["metadata"].value("name", "");
    return client_->Raw("GET", kube::Pods().Path(ns, pod, "log") + "?container=" + kJobContainer);
  }

  void Cleanup(const std::string& ns, const std::string& name) {
    kube::DeleteOptions d;
    d.propagation_policy = "Background";
    Result<nlohmann::json> r = client_->Delete(kJobs, ns, name, d);
    if (!r.ok() && !kube::IsNotFound(r.status()))
      spdlog::warn("deleting scan Job {}/{}: {}", ns, name, r.status().message());
  }

  std::shared_ptr<kube::Client> client_;
  ControllerOptions opts_;
  std::chrono::milliseconds poll_;
};

}  // namespace

std::unique_ptr<Executor> NewJobExecutor(std::shared_ptr<kube::Client> client, const ControllerOptions& opts,
                                         std::chrono::milliseconds poll) {
  return std::make_unique<JobExecutor>(std::move(client), opts, poll);
}

}  // namespace modelgate::controller
