#include "bench/webhook/indexed_view.h"

#include <mutex>

namespace modelgate::bench {

void IndexedClusterView::Load(ClusterObjects&& objects) {
  std::unique_lock lock(mu_);
  for (auto& o : objects.model_admissions) mas_.Put(webhook::PackForStore(std::move(o)));
  for (auto& o : objects.network_policies) nps_.Put(std::make_shared<const policy::NetworkPolicy>(std::move(o)));
  for (auto& o : objects.pvcs) {
    auto p = std::make_shared<const policy::Pvc>(std::move(o));
    pvcs_[{p->namespace_name, p->name}] = p;
  }
  for (auto& o : objects.namespaces) {
    auto p = std::make_shared<const policy::Namespace>(std::move(o));
    namespaces_[p->name] = p;
  }
}

policy::Ptr<policy::ModelAdmission> IndexedClusterView::FindModelAdmission(const std::string& ns,
                                                                           const std::string& name) const {
  return mas_.Find(ns, name);
}

std::vector<policy::Ptr<policy::ModelAdmission>> IndexedClusterView::ModelAdmissionsBySource(
    const std::string& ns, policy::ModelSource::Kind kind, const std::string& key) const {
  return mas_.BySource(ns, kind, key);
}

policy::Ptr<policy::NetworkPolicyList> IndexedClusterView::NetworkPoliciesIn(const std::string& ns) const {
  std::shared_lock lock(mu_);
  return nps_.In(ns);
}

policy::Ptr<policy::Pvc> IndexedClusterView::FindPvc(const std::string& ns, const std::string& name) const {
  std::shared_lock lock(mu_);
  auto it = pvcs_.find({ns, name});
  return it == pvcs_.end() ? nullptr : it->second;
}

policy::Ptr<policy::Namespace> IndexedClusterView::FindNamespace(const std::string& name) const {
  std::shared_lock lock(mu_);
  auto it = namespaces_.find(name);
  return it == namespaces_.end() ? nullptr : it->second;
}

// No ModelAdmissionPolicy in the benchmark cluster: the decision uses DefaultPolicy().
std::vector<policy::Ptr<policy::AdmissionPolicy>> IndexedClusterView::Policies() const { return {}; }

}  // namespace modelgate::bench
