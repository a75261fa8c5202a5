#include "webhook/informer_view.h"

#include <spdlog/spdlog.h>

#include <malloc.h>

#include <mutex>

#include "kube/bookkeeping.h"
#include "policy/admission_policy.h"
#include "policy/objects.h"

namespace modelgate::webhook {
namespace {

enum Which { kMa = 0, kMap, kNp, kPvc, kNs };

std::string NamespaceOf(const kube::Json& o) { return o["metadata"].value("namespace", ""); }
std::string NameOf(const kube::Json& o) { return o["metadata"].value("name", ""); }

}  // namespace

kube::Resource ModelAdmissionsResource() { return {"modelgate.io", "v1alpha1", "modeladmissions", true}; }
kube::Resource ModelAdmissionPoliciesResource() {
  return {"modelgate.io", "v1alpha1", "modeladmissionpolicies", false};
}

InformerClusterView::InformerClusterView(std::shared_ptr<kube::Client> client) {
  const std::pair<kube::Resource, int> watched[] = {
      {ModelAdmissionsResource(), kMa},
      {ModelAdmissionPoliciesResource(), kMap},
      {{"networking.k8s.io", "v1", "networkpolicies", true}, kNp},
      {{"", "v1", "persistentvolumeclaims", true}, kPvc},
      {kube::Namespaces(), kNs},
  };
  for (const auto& [resource, which] : watched) {
    int w = which;
    // Each object is decoded into the view's own form as its list page or watch event
    // arrives, and the informer keeps only a metadata stub: 10,000 ModelAdmissions held
    // as JSON documents cost over a gigabyte, and a whole list of them would be held at
    // once during the first sync.
    kube::ListWatchOptions lw;
    lw.page_size = 100;  // bounds the JSON alive at once while listing
    lw.transform = [this, w](kube::Json& o) {
      Decode(o, w);
      o = kube::MetadataStub(o);
    };
    // Without it an unreachable API server was only "caches not synced": the informers
    // retried silently.
    health_.push_back(std::make_unique<kube::WatchHealth>(kube::ResourceName(resource)));
    kube::WatchHealth* health = health_.back().get();
    kube::InformerHandlers h;
    h.on_add = [this, w](const kube::ObjectPtr& o) {
      Commit(*o, w);
    };
    h.on_update = [this, w](const kube::ObjectPtr&, const kube::ObjectPtr& o) {
      Commit(*o, w);
    };
    h.on_delete = [this, w](const kube::ObjectPtr& o) {
      Erase(*o, w);
    };
    // Objects a relist found unchanged get no handler call: their decoded copies are
    // the ones already indexed.
    h.on_replaced = [this, w] {
      {
        std::lock_guard lock(staged_mu_);
        staged_[w].clear();
      }
      malloc_trim(0);  // hand the list pages' memory back to the system (glibc keeps it)
    };
    h.on_error = [health](const Status& error) { health->Failed(error); };
    h.on_ok = [health] { health->Succeeded(); };
    informers_.push_back(std::make_unique<kube::Informer>(client, resource, "", lw, h));
  }
}

InformerClusterView::~InformerClusterView() { Stop(); }

void InformerClusterView::Start() {
  for (auto& i : informers_) i->Start();
}

void InformerClusterView::Stop() {
  for (auto& i : informers_) i->Stop();
}

bool InformerClusterView::HasSynced() const {
  for (const auto& i : informers_) {
    if (!i->HasSynced()) return false;
  }
  return true;
}

std::vector<std::string> InformerClusterView::UnsyncedCaches() const {
  std::vector<std::string> out;
  for (size_t i = 0; i < informers_.size(); ++i) {
    if (informers_[i]->HasSynced()) continue;
    out.push_back(health_[i]->Describe());
  }
  return out;
}

bool InformerClusterView::WaitForSync(std::chrono::milliseconds timeout) const {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (const auto& i : informers_) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0 || !i->WaitForSync(left)) return HasSynced();
  }
  return true;
}

void InformerClusterView::Decode(const kube::Json& o, int which) {
  Key key{NamespaceOf(o), NameOf(o)};
  Decoded d;
  d.resource_version = o["metadata"].value("resourceVersion", "");
  switch (which) {
    case kMa: {
      auto ma = policy::ParseModelAdmission(o);
      if (ma.ok()) {
        d.ma = PackForStore(std::move(ma).value());
      } else {
        d.ignored = ma.status().message();
      }
      break;
    }
    case kMap: {
      auto parsed = policy::ParsePolicy(o);
      if (parsed.ok()) {
        d.policy = std::make_shared<const policy::AdmissionPolicy>(std::move(parsed).value());
      } else {
        policy::AdmissionPolicy fallback = policy::DefaultPolicy();
        fallback.name = key.second;
        d.policy = std::make_shared<const policy::AdmissionPolicy>(std::move(fallback));
        d.policy_error = parsed.status().message();
      }
      break;
    }
    case kNp: {
      auto np = policy::ParseNetworkPolicy(o);
      if (np.ok()) d.np = std::make_shared<const policy::NetworkPolicy>(std::move(np).value());
      else d.ignored = np.status().message();
      break;
    }
    case kPvc: {
      auto pvc = policy::ParsePvc(o);
      if (pvc.ok()) d.pvc = std::make_shared<const policy::Pvc>(std::move(pvc).value());
      else d.ignored = pvc.status().message();
      break;
    }
    case kNs: {
      auto ns = policy::ParseNamespace(o);
      if (ns.ok()) d.ns = std::make_shared<const policy::Namespace>(std::move(ns).value());
      else d.ignored = ns.status().message();
      break;
    }
  }
  std::lock_guard lock(staged_mu_);
  staged_[which][key] = std::move(d);
}

void InformerClusterView::Commit(const kube::Json& stub, int which) {
  Key key{NamespaceOf(stub), NameOf(stub)};
  Decoded d;
  {
    std::lock_guard lock(staged_mu_);
    auto it = staged_[which].find(key);
    if (it == staged_[which].end() || it->second.resource_version != stub["metadata"].value("resourceVersion", "")) {
      // Cannot happen (the transform runs first, on the same thread); never index a guess.
      spdlog::error("informer handed over {}/{} without its decoded form; not indexed", key.first, key.second);
      return;
    }
    d = std::move(it->second);
    staged_[which].erase(it);
  }
  switch (which) {
    case kMa: {
      if (!d.ma) {
        spdlog::warn("ModelAdmission {}/{} ignored: {}", key.first, key.second, d.ignored);
        EraseIndexed(key, which);
        return;
      }
      mas_.Put(std::move(*d.ma));
      return;
    }
    case kMap: {
      std::unique_lock lock(mu_);
      if (d.policy_error.empty()) {
        policy_errors_.erase(key.second);
      } else {
        policy_errors_[key.second] = d.policy_error;
        spdlog::error("ModelAdmissionPolicy {} is invalid, enforcing the built-in default in its place: {}",
                      key.second, d.policy_error);
      }
      policies_[key.second] = d.policy;
      return;
    }
    case kNp: {
      if (!d.np) {
        spdlog::warn("NetworkPolicy {}/{} ignored: {}", key.first, key.second, d.ignored);
        EraseIndexed(key, which);
        return;
      }
      std::unique_lock lock(mu_);
      nps_.Put(d.np);
      return;
    }
    case kPvc: {
      if (!d.pvc) return;
      std::unique_lock lock(mu_);
      pvcs_[key] = d.pvc;
      return;
    }
    case kNs: {
      if (!d.ns) return;
      std::unique_lock lock(mu_);
      namespaces_[key.second] = d.ns;
      return;
    }
  }
}

void InformerClusterView::Erase(const kube::Json& stub, int which) {
  Key key{NamespaceOf(stub), NameOf(stub)};
  {
    std::lock_guard lock(staged_mu_);
    staged_[which].erase(key);  // a DELETED event's object was decoded too
  }
  EraseIndexed(key, which);
}

void InformerClusterView::EraseIndexed(const Key& key, int which) {
  if (which == kMa) {
    mas_.Erase(key.first, key.second);
    return;
  }
  std::unique_lock lock(mu_);
  switch (which) {
    case kMa:
      return;
    case kMap:
      policies_.erase(key.second);
      policy_errors_.erase(key.second);
      return;
    case kNp:
      nps_.Erase(key.first, key.second);
      return;
    case kPvc:
      pvcs_.erase(key);
      return;
    case kNs:
      namespaces_.erase(key.second);
      return;
  }
}

std::vector<std::string> InformerClusterView::PolicyErrors() const {
  std::shared_lock lock(mu_);
  std::vector<std::string> out;
  for (const auto& [name, err] : policy_errors_) out.push_back(name + ": " + err);
  return out;
}

policy::Ptr<policy::ModelAdmission> InformerClusterView::FindModelAdmission(const std::string& ns,
                                                                            const std::string& name) const {
  return mas_.Find(ns, name);
}

std::vector<policy::Ptr<policy::ModelAdmission>> InformerClusterView::ModelAdmissionsBySource(
    const std::string& ns, policy::ModelSource::Kind kind, const std::string& key) const {
  return mas_.BySource(ns, kind, key);
}

policy::Ptr<policy::NetworkPolicyList> InformerClusterView::NetworkPoliciesIn(const std::string& ns) const {
  std::shared_lock lock(mu_);
  return nps_.In(ns);
}

policy::Ptr<policy::Pvc> InformerClusterView::FindPvc(const std::string& ns, const std::string& name) const {
  std::shared_lock lock(mu_);
  auto it = pvcs_.find({ns, name});
  return it == pvcs_.end() ? nullptr : it->second;
}

policy::Ptr<policy::Namespace> InformerClusterView::FindNamespace(const std::string& name) const {
  std::shared_lock lock(mu_);
  auto it = namespaces_.find(name);
  return it == namespaces_.end() ? nullptr : it->second;
}

std::vector<policy::Ptr<policy::AdmissionPolicy>> InformerClusterView::Policies() const {
  std::shared_lock lock(mu_);
  std::vector<policy::Ptr<policy::AdmissionPolicy>> out;
  for (const auto& [name, p] : policies_) out.push_back(p);
  return out;
}

}  // namespace modelgate::webhook
