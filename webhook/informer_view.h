// InformerClusterView: the decision library's ClusterView over watch caches,
// so the webhook's request path never calls the API server.
//
// Five informers (ModelAdmissions, ModelAdmissionPolicies, NetworkPolicies,
// PersistentVolumeClaims, Namespaces) feed parsed, immutable objects into
// indexes as events arrive; lookups take a shared lock and copy shared
// pointers, so a request never waits on the network or on parsing.
// A ModelAdmissionPolicy that fails validation is replaced by the built-in
// default policy (Enforce) under its own name, and the error is kept for
// logs and metrics: a typo must never switch enforcement off.
// Thread-safe.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <shared_mutex>
#include <string>
#include <vector>

#include "kube/client.h"
#include "kube/informer.h"
#include "policy/cluster_view.h"

namespace modelgate::webhook {

// Resources the view watches.
kube::Resource ModelAdmissionsResource();
kube::Resource ModelAdmissionPoliciesResource();

class InformerClusterView : public policy::ClusterView {
 public:
  explicit InformerClusterView(std::shared_ptr<kube::Client> client);
  ~InformerClusterView() override;

  void Start();
  void Stop();
  // True once every informer has listed once.
  bool HasSynced() const;
  bool WaitForSync(std::chrono::milliseconds timeout) const;
  // "<policy>: <error>" for every policy that failed validation.
  std::vector<std::string> PolicyErrors() const;

  policy::Ptr<policy::ModelAdmission> FindModelAdmission(const std::string& ns,
                                                         const std::string& name) const override;
  std::vector<policy::Ptr<policy::ModelAdmission>> ModelAdmissionsBySource(
      const std::string& ns, policy::ModelSource::Kind kind, const std::string& key) const override;
  std::vector<policy::Ptr<policy::NetworkPolicy>> NetworkPoliciesIn(const std::string& ns) const override;
  policy::Ptr<policy::Pvc> FindPvc(const std::string& ns, const std::string& name) const override;
  policy::Ptr<policy::Namespace> FindNamespace(const std::string& name) const override;
  std::vector<policy::Ptr<policy::AdmissionPolicy>> Policies() const override;

 private:
  using Key = std::pair<std::string, std::string>;  // namespace, name
  void Upsert(const kube::ObjectPtr& obj, int which);
  void Erase(const kube::ObjectPtr& obj, int which);

  std::vector<std::unique_ptr<kube::Informer>> informers_;

  mutable std::shared_mutex mu_;
  std::map<Key, policy::Ptr<policy::ModelAdmission>> mas_;              // guarded by mu_
  std::map<std::tuple<std::string, int, std::string>, std::map<std::string, policy::Ptr<policy::ModelAdmission>>>
      mas_by_source_;                                                    // guarded by mu_
  std::map<Key, policy::Ptr<policy::NetworkPolicy>> nps_;               // guarded by mu_
  std::map<Key, policy::Ptr<policy::Pvc>> pvcs_;                        // guarded by mu_
  std::map<std::string, policy::Ptr<policy::Namespace>> namespaces_;    // guarded by mu_
  std::map<std::string, policy::Ptr<policy::AdmissionPolicy>> policies_;  // guarded by mu_
  std::map<std::string, std::string> policy_errors_;                   // guarded by mu_
};

}  // namespace modelgate::webhook
