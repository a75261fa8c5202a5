#include "controller/workloads.h"

#include <algorithm>

#include <spdlog/spdlog.h>

#include "controller/reconciler.h"
#include "kube/bookkeeping.h"
#include "policy/admission_policy.h"
#include "policy/cluster_view.h"
#include "policy/evaluate.h"
#include "policy/objects.h"
#include "policy/scanner_pod.h"
#include "policy/workload.h"

namespace modelgate::controller {

using nlohmann::json;

std::vector<std::string> ModelsUsedByPod(const json& pod, const std::vector<json>& models,
                                         const std::string& scanner_image) {
  const std::string ns = pod.contains("metadata") ? pod["metadata"].value("namespace", "") : "";
  Result<policy::Workload> w = policy::WorkloadFromObject(pod, ns);
  if (!w.ok()) return {};
  if (policy::CheckScannerPod(w.value(), scanner_image).recognised) return {};
  policy::InMemoryClusterView view;
  for (const json& m : models) {
    Result<policy::ModelAdmission> ma = policy::ParseModelAdmission(m);
    if (ma.ok()) view.AddModelAdmission(std::move(ma).value());
  }
  if (view.model_admission_count() == 0) return {};
  policy::EvaluateOptions eo;
  eo.excluded_namespaces.clear();  // the inventory covers every namespace
  const policy::Decision d = policy::EvaluateWithPolicy(w.value(), view, policy::DefaultPolicy(), eo);
  std::vector<std::string> names;
  for (const auto& m : d.models) names.push_back(m.name);
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  return names;
}

json MergeWorkloads(const json& previous, const std::set<WorkloadRef>& current, size_t max, TimePoint now) {
  std::map<WorkloadRef, std::string> first_seen;
  if (previous.is_array()) {
    for (const json& e : previous) {
      if (!e.is_object()) continue;
      WorkloadRef ref{e.value("kind", ""), e.value("name", "")};
      if (current.count(ref)) first_seen[ref] = e.value("firstSeen", "");
    }
  }
  const std::string now_s = FormatTime(now);
  std::vector<std::pair<std::string, WorkloadRef>> rows;
  for (const auto& ref : current) {
    auto it = first_seen.find(ref);
    rows.push_back({it == first_seen.end() || it->second.empty() ? now_s : it->second, ref});
  }
  std::sort(rows.begin(), rows.end());
  json out = json::array();
  for (size_t i = 0; i < rows.size() && i < max; ++i)
    out.push_back({{"kind", rows[i].second.kind}, {"name", rows[i].second.name}, {"firstSeen", rows[i].first}});
  return out;
}

WorkloadTracker::WorkloadTracker(std::shared_ptr<kube::Client> client, kube::Informer* models, size_t max_workloads,
                                 std::chrono::milliseconds flush_every, Clock clock, std::string scanner_image)
    : client_(std::move(client)), models_(models), max_(max_workloads), scanner_image_(std::move(scanner_image)),
      flush_every_(flush_every), clock_(std::move(clock)) {}

WorkloadTracker::~WorkloadTracker() { Stop(); }

void WorkloadTracker::Start(std::function<bool()> active) {
  active_ = std::move(active);
  kube::InformerHandlers h;
  h.on_add = [this](const kube::ObjectPtr& p) { OnPod(p); };
  h.on_update = [this](const kube::ObjectPtr&, const kube::ObjectPtr& p) { OnPod(p); };
  h.on_delete = [this](const kube::ObjectPtr& p) { OnPod(p); };
  // Without health_ an unreachable API server or missing RBAC for pods left the inventory
  // empty with nothing logged.
  h.on_error = [this](const Status& error) { health_.Failed(error); };
  h.on_ok = [this] { health_.Succeeded(); };
  // The tracker reads pods and never writes them back, so its cache keeps them without
  // the API server's bookkeeping and without status (never read here): a large cluster's
  // pods are the biggest collection the operator holds.
  kube::ListWatchOptions lw;
  lw.transform = [](kube::Json& pod) {
    kube::StripBookkeeping(pod);
    if (pod.is_object()) pod.erase("status");
  };
  pods_ = std::make_unique<kube::Informer>(client_, kube::Pods(), "", lw, h);
  pods_->Start();
  started_.store(true, std::memory_order_release);
  flusher_ = std::thread([this] { FlushLoop(); });
}

void WorkloadTracker::Stop() {
  stop_ = true;
  if (flusher_.joinable()) flusher_.join();
  if (pods_) pods_->Stop();
}

bool WorkloadTracker::HasSynced() const { return pods_ && pods_->HasSynced(); }

void WorkloadTracker::MarkNamespace(const std::string& ns) {
  std::lock_guard<std::mutex> lock(mu_);
  dirty_ns_.insert(ns);
}

void WorkloadTracker::OnPod(const kube::ObjectPtr& pod) {
  if (!pod) return;
  MarkNamespace(pod->contains("metadata") ? (*pod)["metadata"].value("namespace", "") : "");
}

void WorkloadTracker::FlushLoop() {
  while (!stop_.load()) {
    const auto until = std::chrono::steady_clock::now() + flush_every_;
    while (!stop_.load() && std::chrono::steady_clock::now() < until)
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    if (stop_.load()) break;
    if (active_ && active_() && pods_->HasSynced() && models_->HasSynced()) Flush();
  }
}

void WorkloadTracker::Flush() {
  std::set<std::string> todo;
  {
    std::lock_guard<std::mutex> lock(mu_);
    todo.swap(dirty_ns_);
  }
  for (const auto& ns : todo) {
    if (stop_.load()) {
      // Put back what was not done.
      std::lock_guard<std::mutex> lock(mu_);
      dirty_ns_.insert(ns);
      continue;
    }
    FlushNamespace(ns);
  }
}

WorkloadRef WorkloadTracker::TopOwner(const json& pod) {
  const json& md = pod["metadata"];
  const std::string ns = md.value("namespace", "");
  WorkloadRef ref{"Pod", md.value("name", "")};
  const json* refs = md.contains("ownerReferences") && md["ownerReferences"].is_array() ? &md["ownerReferences"] : nullptr;
  // Climb at most three levels (Pod -> ReplicaSet -> Deployment is two).
  for (int depth = 0; depth < 3 && refs != nullptr; ++depth) {
    const json* ctl = nullptr;
    for (const json& r : *refs)
      if (r.is_object() && r.value("controller", false)) ctl = &r;
    if (ctl == nullptr) break;
    const WorkloadRef owner{ctl->value("kind", ""), ctl->value("name", "")};
    const std::string api = ctl->value("apiVersion", "");
    std::string cache_key = ns + "/" + owner.kind + "/" + owner.name;
    {
      std::lock_guard<std::mutex> lock(mu_);
      auto it = owner_cache_.find(cache_key);
      if (it != owner_cache_.end()) return it->second;
    }
    ref = owner;
    // Only these kinds have an owner worth climbing to.
    kube::Resource res;
    if (owner.kind == "ReplicaSet" && api == "apps/v1") res = {"apps", "v1", "replicasets", true};
    else if (owner.kind == "Job" && api == "batch/v1") res = {"batch", "v1", "jobs", true};
    else break;
    Result<json> obj = client_->Get(res, ns, owner.name);
    if (!obj.ok()) break;  // no RBAC or gone: the direct owner is the best answer
    const json& omd = obj.value()["metadata"];
    refs = omd.contains("ownerReferences") && omd["ownerReferences"].is_array() ? &omd["ownerReferences"] : nullptr;
    WorkloadRef top = owner;
    if (refs) {
      for (const json& r : *refs)
        if (r.is_object() && r.value("controller", false)) top = {r.value("kind", ""), r.value("name", "")};
    }
    std::lock_guard<std::mutex> lock(mu_);
    if (owner_cache_.size() > 10000) owner_cache_.clear();
    owner_cache_[cache_key] = top;
    return top;
  }
  return ref;
}

void WorkloadTracker::FlushNamespace(const std::string& ns) {
  std::vector<json> models;
  for (const auto& m : models_->List(ns)) models.push_back(*m);
  if (models.empty()) return;
  std::map<std::string, std::set<WorkloadRef>> users;
  for (const auto& pod : pods_->List(ns)) {
    for (const auto& name : ModelsUsedByPod(*pod, models, scanner_image_)) users[name].insert(TopOwner(*pod));
  }
  const auto now = clock_();
  for (const json& m : models) {
    const std::string name = m["metadata"].value("name", "");
    json object = m;
    for (int attempt = 0; attempt < 5; ++attempt) {
      const json prev = object.contains("status") && object["status"].contains("workloads")
                            ? object["status"]["workloads"]
                            : json::array();
      const json next = MergeWorkloads(prev, users[name], max_, now);
      if (next == prev) break;
      if (!object.contains("status") || !object["status"].is_object()) object["status"] = json::object();
      object["status"]["workloads"] = next;
      Result<json> r = client_->UpdateStatus(ModelAdmissions(), ns, object);
      if (r.ok()) break;
      if (!kube::IsConflict(r.status())) {
        spdlog::warn("writing workloads of {}/{}: {}", ns, name, r.status().message());
        MarkNamespace(ns);
        break;
      }
      Result<json> fresh = client_->Get(ModelAdmissions(), ns, name);
      if (!fresh.ok()) break;
      object = std::move(fresh).value();
    }
  }
}

}  // namespace modelgate::controller
