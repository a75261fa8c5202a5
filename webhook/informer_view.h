// InformerClusterView: the decision library's ClusterView over watch caches,
// so the webhook's request path never calls the API server.
//
// Five informers (ModelAdmissions, ModelAdmissionPolicies, NetworkPolicies,
// PersistentVolumeClaims, Namespaces) feed parsed, immutable objects into
// indexes as events arrive; lookups take a shared lock and copy shared
// pointers, so a request never waits on the network or on parsing. NetworkPolicies
// are also kept as one immutable list per namespace, rebuilt on every change to that
// namespace (policy::NetworkPolicyIndex), so a review copies one pointer, not one per
// policy. Objects are decoded as they arrive and never kept as JSON (the informers
// hold metadata stubs), so memory grows with the decoded form only, also during the
// first list.
// ModelAdmissions, the bulk of it, are kept slimmed and packed in a
// ModelAdmissionStore (~1.5 KB each instead of ~5 KB; the recently used ones unpacked).
// A ModelAdmissionPolicy that fails validation is replaced by the built-in
// default policy (Enforce) under its own name, and the error is kept for
// logs and metrics: a typo must never switch enforcement off.
// List/watch failures (an unreachable API server, missing RBAC) are logged per cache,
// rate-limited (kube/watch_health.h), and named by UnsyncedCaches().
// Thread-safe.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <shared_mutex>
#include <string>
#include <tuple>
#include <vector>

#include "kube/client.h"
#include "kube/informer.h"
#include "kube/watch_health.h"
#include "policy/cluster_view.h"
#include "policy/network_policy_index.h"
#include "webhook/model_admission_store.h"  // SlimForDecision too

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
  // One entry per cache that has not listed yet: its resource ("namespaces",
  // "modeladmissions.modelgate.io"), followed by " (last error: <why>)" when its latest
  // list/watch attempt failed. Empty once HasSynced(). For /readyz's 503 body.
  std::vector<std::string> UnsyncedCaches() const;
  bool WaitForSync(std::chrono::milliseconds timeout) const;
  // "<policy>: <error>" for every policy that failed validation.
  std::vector<std::string> PolicyErrors() const;

  policy::Ptr<policy::ModelAdmission> FindModelAdmission(const std::string& ns,
                                                         const std::string& name) const override;
  std::vector<policy::Ptr<policy::ModelAdmission>> ModelAdmissionsBySource(
      const std::string& ns, policy::ModelSource::Kind kind, const std::string& key) const override;
  policy::Ptr<policy::NetworkPolicyList> NetworkPoliciesIn(const std::string& ns) const override;
  policy::Ptr<policy::Pvc> FindPvc(const std::string& ns, const std::string& name) const override;
  policy::Ptr<policy::Namespace> FindNamespace(const std::string& name) const override;
  std::vector<policy::Ptr<policy::AdmissionPolicy>> Policies() const override;

 private:
  using Key = std::pair<std::string, std::string>;  // namespace, name
  // One object decoded by the informer's transform, waiting for its handler (both run
  // on that informer's thread, transform first). Exactly one pointer is set, unless
  // `ignored` says why the object could not be decoded.
  struct Decoded {
    std::string resource_version;
    std::optional<PackedModelAdmission> ma;
    policy::Ptr<policy::AdmissionPolicy> policy;  // the built-in default if invalid
    std::string policy_error;                     // why the policy was replaced
    policy::Ptr<policy::NetworkPolicy> np;
    policy::Ptr<policy::Pvc> pvc;
    policy::Ptr<policy::Namespace> ns;
    std::string ignored;
  };
  void Decode(const kube::Json& object, int which);
  void Commit(const kube::Json& stub, int which);
  void Erase(const kube::Json& stub, int which);
  void EraseIndexed(const Key& key, int which);

  static constexpr int kWatched = 5;
  std::mutex staged_mu_;
  std::map<Key, Decoded> staged_[kWatched];  // guarded by staged_mu_

  std::vector<std::unique_ptr<kube::WatchHealth>> health_;  // one per informer, same order; logs failures
  std::vector<std::unique_ptr<kube::Informer>> informers_;

  mutable std::shared_mutex mu_;
  ModelAdmissionStore mas_;  // its own lock
  policy::NetworkPolicyIndex nps_;                                      // guarded by mu_
  std::map<Key, policy::Ptr<policy::Pvc>> pvcs_;                        // guarded by mu_
  std::map<std::string, policy::Ptr<policy::Namespace>> namespaces_;    // guarded by mu_
  std::map<std::string, policy::Ptr<policy::AdmissionPolicy>> policies_;  // guarded by mu_
  std::map<std::string, std::string> policy_errors_;                   // guarded by mu_
};

}  // namespace modelgate::webhook
