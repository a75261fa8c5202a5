#include "controller/controller.h"

#include <malloc.h>
#include <unistd.h>

#include <spdlog/spdlog.h>

#include "controller/status.h"
#include "kube/bookkeeping.h"

namespace modelgate::controller {

using nlohmann::json;

namespace {

std::string DefaultIdentity() {
  char host[256] = {0};
  if (gethostname(host, sizeof host - 1) != 0) std::snprintf(host, sizeof host, "unknown");
  return std::string(host) + "_" + std::to_string(getpid());
}

int64_t GenerationOf(const kube::ObjectPtr& o) {
  if (!o || !o->contains("metadata")) return 0;
  const json& md = (*o)["metadata"];
  return md.contains("generation") && md["generation"].is_number_integer() ? md["generation"].get<int64_t>() : 0;
}

}  // namespace

Result<std::unique_ptr<Controller>> Controller::Create(std::shared_ptr<kube::Client> client, ControllerOptions opts,
                                                       std::unique_ptr<Executor> executor, Clock clock) {
  Status s = ValidateOptions(opts);
  if (!s.ok()) return s;
  if (!client) return Status::Error("no Kubernetes client");
  if (opts.identity.empty()) opts.identity = DefaultIdentity();
  if (opts.lease_namespace.empty()) opts.lease_namespace = client->config().ns;
  if (!executor) {
    executor = opts.scan_mode == ScanMode::kJob ? NewJobExecutor(client, opts) : NewInlineExecutor(opts);
  }
  return std::unique_ptr<Controller>(new Controller(std::move(client), std::move(opts), std::move(executor),
                                                    std::move(clock)));
}

Controller::Controller(std::shared_ptr<kube::Client> client, ControllerOptions opts,
                       std::unique_ptr<Executor> executor, Clock clock)
    : client_(std::move(client)), opts_(std::move(opts)), clock_(std::move(clock)), executor_(std::move(executor)) {
  if (opts_.events) {
    events_ = std::make_unique<EventRecorder>(client_, "modelgate-controller", opts_.identity, clock_,
                                              opts_.event_correlation);
  }
  reconciler_ = std::make_unique<Reconciler>(client_, executor_.get(), events_.get(), &metrics_, opts_, clock_);
  queue_.ShutDown();  // nothing is queued until this replica leads
  // Without it an unreachable API server left the operator unready with nothing logged:
  // the informer retried silently.
  informer_health_ = std::make_unique<kube::WatchHealth>(kube::ResourceName(ModelAdmissions()));
  kube::InformerHandlers h;
  h.on_add = [this](const kube::ObjectPtr& o) {
    Enqueue(o);
    if (tracker_ && o && o->contains("metadata")) tracker_->MarkNamespace((*o)["metadata"].value("namespace", ""));
  };
  h.on_update = [this](const kube::ObjectPtr& old_obj, const kube::ObjectPtr& o) {
    // A new spec or rescan request deserves a prompt answer, not the rest of a backoff
    // of up to --retry-max earned by the old one. Status updates (our own writes) keep
    // the backoff: they would otherwise turn it into a loop.
    if (o && old_obj && (GenerationOf(old_obj) != GenerationOf(o) || RescanRequested(*old_obj) != RescanRequested(*o)))
      RestartBackoff(kube::ObjectKey(*o));
    Enqueue(o);
    if (tracker_ && GenerationOf(old_obj) != GenerationOf(o))
      tracker_->MarkNamespace((*o)["metadata"].value("namespace", ""));
  };
  // Every write back goes through the status subresource (which ignores metadata) or a
  // merge patch, so the cache can drop managedFields and kubectl's last-applied copy.
  kube::ListWatchOptions lw;
  lw.transform = kube::StripBookkeeping;
  // A (re)list parses pages of whole objects and keeps them stripped; glibc keeps what
  // the pages and the dropped parts occupied. Pages of 100 (not 500) and a trim after
  // each list: 10,000 ModelAdmissions took 268 MB resident instead of 361-365 MB
  // (bench/operator/README.md).
  lw.page_size = 100;
  h.on_replaced = [] { malloc_trim(0); };
  h.on_error = [this](const Status& error) { informer_health_->Failed(error); };
  h.on_ok = [this] { informer_health_->Succeeded(); };
  informer_ = std::make_unique<kube::Informer>(client_, ModelAdmissions(), "", lw, h);
  if (opts_.inventory) {
    tracker_ = std::make_unique<WorkloadTracker>(client_, informer_.get(), opts_.max_workloads,
                                                 opts_.inventory_flush, clock_, opts_.scanner_image);
  }
}

Controller::~Controller() { Stop(); }

void Controller::RestartBackoff(const std::string& key) {
  queue_.Forget(key);
  std::lock_guard<std::mutex> fl(failures_mu_);
  failures_.erase(key);
}

void Controller::Enqueue(const kube::ObjectPtr& obj) {
  if (!obj || !leading_.load()) return;
  if (NeedsScan(*obj)) queue_.Add(kube::ObjectKey(*obj));
}

Status Controller::Start() {
  if (started_) return Status::Ok();
  if (!opts_.metrics_addr.empty()) {
    Status s = metrics_.Serve(opts_.metrics_addr);
    if (!s.ok()) return s;
  }
  if (!opts_.health_addr.empty()) {
    health_ = std::make_unique<HealthServer>([this]() -> std::string {
      if (Ready()) return "";
      // Names the caches still waiting, and why, for whoever reads the probe.
      std::string body;
      for (const std::string& c : UnsyncedCaches()) body += (body.empty() ? "" : "; ") + c;
      return "caches not synced: " + body;
    });
    Status s = health_->Start(opts_.health_addr);
    if (!s.ok()) return s;
  }
  started_ = true;
  informer_->Start();
  if (tracker_) tracker_->Start([this] { return leading_.load(); });
  stats_ = std::thread([this] { StatsLoop(); });
  if (opts_.leader_election) {
    kube::LeaderElectionConfig lc;
    lc.lease_namespace = opts_.lease_namespace;
    lc.lease_name = opts_.lease_name;
    lc.identity = opts_.identity;
    lc.lease_duration = opts_.lease_duration;
    lc.renew_deadline = opts_.renew_deadline;
    lc.retry_period = opts_.retry_period;
    lc.on_started_leading = [this] {
      spdlog::info("{} became the leader", opts_.identity);
      StartWorkers();
    };
    lc.on_stopped_leading = [this] {
      spdlog::info("{} stopped leading", opts_.identity);
      StopWorkers();
    };
    auto el = kube::LeaderElector::Create(client_, lc);
    if (!el.ok()) return el.status();
    elector_ = std::move(el).value();
    elector_->Start();
  } else {
    StartWorkers();
  }
  spdlog::info("controller {} started (scan mode {}, {} workers)", opts_.identity,
               opts_.scan_mode == ScanMode::kJob ? "job" : "inline", opts_.max_concurrent_scans);
  return Status::Ok();
}

void Controller::StartWorkers() {
  std::lock_guard<std::mutex> lock(workers_mu_);
  if (leading_.load()) return;
  // Wait for the cache so every existing model is seen; the informer keeps retrying.
  while (!informer_->WaitForSync(std::chrono::milliseconds(200))) {
    if (stopping_.load()) return;
  }
  queue_.Reset();
  {
    std::lock_guard<std::mutex> fl(failures_mu_);
    failures_.clear();
  }
  stop_work_ = false;
  leading_ = true;
  metrics_.SetLeader(true);
  for (const auto& obj : informer_->List()) Enqueue(obj);
  for (int i = 0; i < opts_.max_concurrent_scans; ++i) workers_.emplace_back([this] { Worker(); });
}

void Controller::StopWorkers() {
  std::lock_guard<std::mutex> lock(workers_mu_);
  leading_ = false;
  stop_work_ = true;
  metrics_.SetLeader(false);
  queue_.ShutDown();
  for (auto& t : workers_) t.join();
  workers_.clear();
}

void Controller::Worker() {
  std::string key;
  while (queue_.Get(&key)) {
    Status s = reconciler_->Reconcile(key, stop_work_);
    if (s.ok()) {
      queue_.Forget(key);
      std::lock_guard<std::mutex> fl(failures_mu_);
      failures_.erase(key);
    } else if (!stop_work_.load()) {
      int n;
      {
        std::lock_guard<std::mutex> fl(failures_mu_);
        n = ++failures_[key];
      }
      auto delay = opts_.retry_min;
      for (int i = 1; i < n && delay < opts_.retry_max; ++i) delay *= 2;
      delay = std::min(delay, opts_.retry_max);
      spdlog::info("retrying {} in {} ms (failure {}): {}", key, delay.count(), n, s.message());
      queue_.AddAfter(key, delay);
    }
    queue_.Done(key);
  }
}

void Controller::StatsLoop() {
  while (!stopping_.load()) {
    std::map<std::string, int64_t> counts;
    for (const auto& obj : informer_->List()) {
      std::string phase = kPhasePending;
      if (obj->contains("status") && (*obj)["status"].is_object()) {
        const std::string p = (*obj)["status"].value("phase", "");
        if (!p.empty()) phase = p;
      }
      ++counts[phase];
    }
    metrics_.SetModels(counts);
    for (int i = 0; i < 20 && !stopping_.load(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

void Controller::Stop() {
  if (stopping_.exchange(true)) return;
  if (!started_) return;
  if (elector_) elector_->Stop();  // calls on_stopped_leading (StopWorkers) when leading
  StopWorkers();
  if (tracker_) tracker_->Stop();
  informer_->Stop();
  if (stats_.joinable()) stats_.join();
  if (health_) health_->Stop();
}

bool Controller::IsLeader() const { return leading_.load(); }

bool Controller::Ready() const { return informer_->HasSynced(); }

std::vector<std::string> Controller::UnsyncedCaches() const {
  std::vector<std::string> out;
  if (!informer_->HasSynced()) out.push_back(informer_health_->Describe());
  if (tracker_ && tracker_->started() && !tracker_->HasSynced()) out.push_back(tracker_->health().Describe());
  return out;
}

}  // namespace modelgate::controller
