#include "webhook/informer_view.h"

#include <spdlog/spdlog.h>

#include <mutex>

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
    kube::InformerHandlers h;
    int w = which;
    h.on_add = [this, w](const kube::ObjectPtr& o) { Upsert(o, w); };
    h.on_update = [this, w](const kube::ObjectPtr&, const kube::ObjectPtr& o) { Upsert(o, w); };
    h.on_delete = [this, w](const kube::ObjectPtr& o) { Erase(o, w); };
    informers_.push_back(std::make_unique<kube::Informer>(client, resource, "", kube::ListWatchOptions{}, h));
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

bool InformerClusterView::WaitForSync(std::chrono::milliseconds timeout) const {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (const auto& i : informers_) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0 || !i->WaitForSync(left)) return HasSynced();
  }
  return true;
}

void InformerClusterView::Upsert(const kube::ObjectPtr& obj, int which) {
  const kube::Json& o = *obj;
  Key key{NamespaceOf(o), NameOf(o)};
  // Parse outside the lock; only the pointer swap is under it.
  switch (which) {
    case kMa: {
      auto ma = policy::ParseModelAdmission(o);
      if (!ma.ok()) {
        spdlog::warn("ModelAdmission {}/{} ignored: {}", key.first, key.second, ma.status().message());
        Erase(obj, which);
        return;
      }
      auto p = std::make_shared<const policy::ModelAdmission>(std::move(ma).value());
      std::unique_lock lock(mu_);
      auto old = mas_.find(key);
      if (old != mas_.end()) {
        const auto& s = old->second->source;
        mas_by_source_[{key.first, static_cast<int>(s.kind), policy::SourceKey(s)}].erase(key.second);
      }
      mas_[key] = p;
      mas_by_source_[{key.first, static_cast<int>(p->source.kind), policy::SourceKey(p->source)}][key.second] = p;
      return;
    }
    case kMap: {
      auto parsed = policy::ParsePolicy(o);
      std::shared_ptr<const policy::AdmissionPolicy> p;
      std::unique_lock lock(mu_);
      if (parsed.ok()) {
        p = std::make_shared<const policy::AdmissionPolicy>(std::move(parsed).value());
        policy_errors_.erase(key.second);
      } else {
        policy::AdmissionPolicy fallback = policy::DefaultPolicy();
        fallback.name = key.second;
        p = std::make_shared<const policy::AdmissionPolicy>(std::move(fallback));
        policy_errors_[key.second] = parsed.status().message();
        spdlog::error("ModelAdmissionPolicy {} is invalid, enforcing the built-in default in its place: {}",
                      key.second, parsed.status().message());
      }
      policies_[key.second] = p;
      return;
    }
    case kNp: {
      auto np = policy::ParseNetworkPolicy(o);
      if (!np.ok()) {
        spdlog::warn("NetworkPolicy {}/{} ignored: {}", key.first, key.second, np.status().message());
        Erase(obj, which);
        return;
      }
      auto p = std::make_shared<const policy::NetworkPolicy>(std::move(np).value());
      std::unique_lock lock(mu_);
      nps_[key] = p;
      return;
    }
    case kPvc: {
      auto pvc = policy::ParsePvc(o);
      if (!pvc.ok()) return;
      auto p = std::make_shared<const policy::Pvc>(std::move(pvc).value());
      std::unique_lock lock(mu_);
      pvcs_[key] = p;
      return;
    }
    case kNs: {
      auto ns = policy::ParseNamespace(o);
      if (!ns.ok()) return;
      auto p = std::make_shared<const policy::Namespace>(std::move(ns).value());
      std::unique_lock lock(mu_);
      namespaces_[key.second] = p;
      return;
    }
  }
}

void InformerClusterView::Erase(const kube::ObjectPtr& obj, int which) {
  Key key{NamespaceOf(*obj), NameOf(*obj)};
  std::unique_lock lock(mu_);
  switch (which) {
    case kMa: {
      auto it = mas_.find(key);
      if (it != mas_.end()) {
        const auto& s = it->second->source;
        mas_by_source_[{key.first, static_cast<int>(s.kind), policy::SourceKey(s)}].erase(key.second);
        mas_.erase(it);
      }
      return;
    }
    case kMap:
      policies_.erase(key.second);
      policy_errors_.erase(key.second);
      return;
    case kNp:
      nps_.erase(key);
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
  std::shared_lock lock(mu_);
  auto it = mas_.find({ns, name});
  return it == mas_.end() ? nullptr : it->second;
}

std::vector<policy::Ptr<policy::ModelAdmission>> InformerClusterView::ModelAdmissionsBySource(
    const std::string& ns, policy::ModelSource::Kind kind, const std::string& key) const {
  std::shared_lock lock(mu_);
  std::vector<policy::Ptr<policy::ModelAdmission>> out;
  auto it = mas_by_source_.find({ns, static_cast<int>(kind), key});
  if (it != mas_by_source_.end()) {
    for (const auto& [name, p] : it->second) out.push_back(p);
  }
  return out;
}

std::vector<policy::Ptr<policy::NetworkPolicy>> InformerClusterView::NetworkPoliciesIn(const std::string& ns) const {
  std::shared_lock lock(mu_);
  std::vector<policy::Ptr<policy::NetworkPolicy>> out;
  for (auto it = nps_.lower_bound({ns, ""}); it != nps_.end() && it->first.first == ns; ++it) {
    out.push_back(it->second);
  }
  return out;
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
