// IndexedClusterView: the benchmark's stand-in for the webhook's
// InformerClusterView (webhook/informer_view.h), which cannot be filled without
// an API server. Same data layout and locking as the production view: one
// shared_mutex taken shared on every lookup, ModelAdmissions indexed by
// (namespace, source kind, SourceKey) so a volume lookup is one map find, not a
// scan of the namespace (InMemoryClusterView scans; run.sh measures both).
// ModelAdmissions live in the production view's webhook::ModelAdmissionStore (slimmed,
// packed, the recently used ones unpacked), and NetworkPolicies in its
// policy::NetworkPolicyIndex (one immutable list per namespace), so the benchmark pays
// the same lookup cost.
// Thread-safe for lookups; Load() before serving.
#pragma once

#include <map>
#include <set>
#include <shared_mutex>
#include <string>
#include <tuple>

#include "bench/webhook/fixture.h"
#include "policy/cluster_view.h"
#include "policy/network_policy_index.h"
#include "webhook/model_admission_store.h"

namespace modelgate::bench {

class IndexedClusterView : public policy::ClusterView {
 public:
  // Takes the objects (moved, so the cache is not held twice while loading).
  void Load(ClusterObjects&& objects);

  policy::Ptr<policy::ModelAdmission> FindModelAdmission(const std::string& ns, const std::string& name) const override;
  std::vector<policy::Ptr<policy::ModelAdmission>> ModelAdmissionsBySource(const std::string& ns,
                                                                           policy::ModelSource::Kind kind,
                                                                           const std::string& key) const override;
  policy::Ptr<policy::NetworkPolicyList> NetworkPoliciesIn(const std::string& ns) const override;
  policy::Ptr<policy::Pvc> FindPvc(const std::string& ns, const std::string& name) const override;
  policy::Ptr<policy::Namespace> FindNamespace(const std::string& name) const override;
  std::vector<policy::Ptr<policy::AdmissionPolicy>> Policies() const override;

 private:
  using Key = std::pair<std::string, std::string>;
  mutable std::shared_mutex mu_;
  webhook::ModelAdmissionStore mas_;
  policy::NetworkPolicyIndex nps_;
  std::map<Key, policy::Ptr<policy::Pvc>> pvcs_;
  std::map<std::string, policy::Ptr<policy::Namespace>> namespaces_;
};

}  // namespace modelgate::bench
