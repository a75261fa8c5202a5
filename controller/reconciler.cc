#include "controller/reconciler.h"

#include <spdlog/spdlog.h>

#include "controller/scan_source.h"
#include "controller/signature.h"
#include "controller/status.h"
#include "policy/objects.h"

namespace modelgate::controller {

using nlohmann::json;

kube::Resource ModelAdmissions() { return {"modelgate.io", "v1alpha1", "modeladmissions", true}; }

namespace {

std::pair<std::string, std::string> SplitKey(const std::string& key) {
  const size_t slash = key.find('/');
  if (slash == std::string::npos) return {"", key};
  return {key.substr(0, slash), key.substr(slash + 1)};
}

int64_t Generation(const json& object) {
  const json& md = object.contains("metadata") ? object["metadata"] : json::object();
  return md.contains("generation") && md["generation"].is_number_integer() ? md["generation"].get<int64_t>() : 0;
}

std::string Uid(const json& object) {
  return object.contains("metadata") ? object["metadata"].value("uid", "") : "";
}

const json& StatusOf(const json& object) {
  static const json kEmpty = json::object();
  return object.contains("status") && object["status"].is_object() ? object["status"] : kEmpty;
}

}  // namespace

Reconciler::Reconciler(std::shared_ptr<kube::Client> client, Executor* executor, EventRecorder* events,
                       Metrics* metrics, ControllerOptions opts, Clock clock)
    : client_(std::move(client)), executor_(executor), events_(events), metrics_(metrics), opts_(std::move(opts)),
      clock_(std::move(clock)) {
  if (!opts_.signature_verifier) opts_.signature_verifier = DefaultSignatureVerifier;
}

Status Reconciler::WriteStatus(const std::string& ns, const std::string& name, json object,
                               const std::function<json(const json&)>& compute, json* written) {
  for (int attempt = 0; attempt < 5; ++attempt) {
    json st = compute(object);
    if (st.is_null()) return Status::Ok();
    if (st == StatusOf(object)) {
      if (written) *written = object;
      return Status::Ok();
    }
    object["status"] = std::move(st);
    Result<json> r = client_->UpdateStatus(ModelAdmissions(), ns, object);
    if (r.ok()) {
      if (written) *written = r.value();
      return Status::Ok();
    }
    if (!kube::IsConflict(r.status())) return r.status();
    Result<json> fresh = client_->Get(ModelAdmissions(), ns, name);
    if (!fresh.ok()) return kube::IsNotFound(fresh.status()) ? Status::Ok() : fresh.status();
    object = std::move(fresh).value();
  }
  return Status::Error("status of " + ns + "/" + name + ": too many conflicts");
}

bool Reconciler::TakeFailed(const std::string& key, const Attempt& a) {
  std::lock_guard<std::mutex> lock(failed_mu_);
  auto it = failed_.find(key);
  if (it == failed_.end()) return false;
  const bool same = it->second == a;
  failed_.erase(it);
  return same;
}

void Reconciler::RememberFailed(const std::string& key, Attempt a) {
  std::lock_guard<std::mutex> lock(failed_mu_);
  failed_[key] = std::move(a);
}

Status Reconciler::Reconcile(const std::string& key, const std::atomic<bool>& stop) {
  const auto [ns, name] = SplitKey(key);
  Result<json> got = client_->Get(ModelAdmissions(), ns, name);
  if (!got.ok() && !kube::IsNotFound(got.status())) return got.status();
  const Attempt attempt = got.ok() ? Attempt{Uid(got.value()), Generation(got.value()), RescanRequested(got.value())}
                                   : Attempt{};
  // Taken before anything can return, so an entry never outlives the failing model.
  const bool retried_attempt = TakeFailed(key, attempt);
  if (!got.ok()) return Status::Ok();  // deleted
  json object = std::move(got).value();
  if (!NeedsScan(object)) return Status::Ok();

  Result<policy::ModelAdmission> parsed = policy::ParseModelAdmission(object);
  if (!parsed.ok()) {
    // A spec the operator cannot read is not retried: a new generation will come.
    policy::ModelAdmission stub;
    stub.generation = Generation(object);
    const std::string msg = "invalid spec: " + parsed.status().message();
    Status s = WriteStatus(ns, name, object,
                           [&](const json& o) {
                             return ErrorStatus(stub, msg, ErrorRetry::kOnSpecChange, StatusOf(o), clock_());
                           },
                           nullptr);
    if (events_) events_->Record(object, "Warning", "InvalidSpec", msg);
    return s;
  }
  const policy::ModelAdmission ma = std::move(parsed).value();
  const std::string token = RescanRequested(object);
  const std::string uid = ma.uid;

  // 1. Phase Scanning, so the webhook can answer "scan in progress" (MG002). Not on a
  // retry whose previous attempt left phase Error for this generation: writing Scanning
  // and then the same Error again would be two status writes per retry that tell
  // nobody anything new (the webhook answers MG002 for Error too, quoting the failure).
  const json& prev = StatusOf(object);
  const bool retry = retried_attempt && prev.value("phase", "") == kPhaseError &&
                     prev.value("observedGeneration", int64_t{0}) == ma.generation;
  json scanning_obj = object;  // the object the result is written onto
  if (!retry) {
    Status s = WriteStatus(ns, name, object,
                           [&](const json& o) -> json {
                             if (Uid(o) != uid || Generation(o) != ma.generation) return nullptr;
                             return ScanningStatus(ma, StatusOf(o), clock_());
                           },
                           &scanning_obj);
    if (!s.ok()) return s;
    if (scanning_obj.is_null()) return Status::Ok();  // the spec moved on; its own event is queued
    if (events_) {
      events_->Record(scanning_obj, "Normal", "ScanStarted",
                      "scanning generation " + std::to_string(ma.generation) +
                          (opts_.scan_mode == ScanMode::kJob ? " in a Job" : " inline"));
    }
  }
  scans_started_.fetch_add(1);

  // 2. The scan.
  const auto t0 = std::chrono::steady_clock::now();
  Result<ExecutorResult> result = executor_->Scan(ma, token, t0 + opts_.scan_timeout, stop);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (!result.ok() && stop.load()) {
    // Leave phase Scanning: whoever leads next finds the scan unfinished and redoes it.
    return Status::Error("stopped: " + result.status().message());
  }
  auto same_spec = [&](const json& o) { return Uid(o) == uid && Generation(o) == ma.generation; };
  if (!result.ok()) {
    const std::string msg = result.status().message();
    json written;
    Status w = WriteStatus(ns, name, scanning_obj,
                           [&](const json& o) -> json {
                             if (!same_spec(o)) return nullptr;
                             return ErrorStatus(ma, msg, ErrorRetry::kWithBackoff, StatusOf(o), clock_());
                           },
                           &written);
    if (w.ok() && !written.is_null()) RememberFailed(key, attempt);
    if (metrics_) metrics_->ScanFinished("error", seconds, 0);
    if (events_) events_->Record(written.is_null() ? scanning_obj : written, "Warning", "ScanFailed", msg);
    spdlog::warn("scan of {} failed: {}", key, msg);
    return Status::Error(msg);
  }

  // 3. Judge and write.
  ScanOutcome outcome;
  outcome.report = std::move(result.value().report);
  std::vector<std::string> ignore;
  if (!ma.signature_path.empty()) ignore.push_back(ma.signature_path);
  outcome.manifest_digest = ManifestDigest(outcome.report, ignore);
  SignatureInput sin;
  sin.model = &ma;
  sin.model_root = result.value().model_root;
  if (result.value().signature) sin.embedded_signature = &*result.value().signature;
  for (const auto& f : outcome.report.files) sin.files.push_back({f.path, f.sha256});
  sin.manifest_digest = outcome.manifest_digest;
  outcome.signature = opts_.signature_verifier(sin);

  json written;
  Status w = WriteStatus(ns, name, scanning_obj,
                         [&](const json& o) -> json {
                           if (!same_spec(o)) return nullptr;
                           return CompletedStatus(ma, outcome, StatusOf(o), opts_.status, clock_());
                         },
                         &written);
  if (!w.ok()) return w;
  if (written.is_null()) return Status::Ok();  // a newer generation supersedes this scan
  if (!token.empty() && RescanAnswered(written) != token) {
    // Answer the request (see kRescanAnsweredAnnotation). If this fails the model is
    // scanned once more later: harmless.
    const json patch = {{"metadata", {{"annotations", {{kRescanAnsweredAnnotation, token}}}}}};
    Result<json> p = client_->Patch(ModelAdmissions(), ns, name, kube::PatchType::kMerge, patch);
    if (!p.ok()) spdlog::warn("answering the rescan request of {}: {}", key, p.status().message());
  }
  const json& st = StatusOf(written);
  const std::string phase = st.value("phase", "");
  if (metrics_) {
    metrics_->ScanFinished(phase == kPhaseAdmitted ? "admitted" : "rejected", seconds,
                           outcome.report.total_bytes);
  }
  if (events_) {
    std::string msg = "phase " + phase;
    if (st.contains("conditions")) {
      for (const json& c : st["conditions"]) {
        if (c.value("type", "") == "Ready") msg += ": " + c.value("reason", "") + ": " + c.value("message", "");
      }
    }
    events_->Record(written, phase == kPhaseAdmitted ? "Normal" : "Warning", "ScanCompleted", msg);
  }
  spdlog::info("scanned {} (generation {}): {} in {:.3f}s", key, ma.generation, phase, seconds);
  return Status::Ok();
}

}  // namespace modelgate::controller
