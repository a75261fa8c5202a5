// What the decision may look up in the cluster. The webhook implements it over its
// informer caches, `modelgate check` and the tests over InMemoryClusterView.
//
// Contract for implementations: lookups are const, never block on the network, and
// return shared pointers to immutable objects (and immutable lists of them, see
// NetworkPoliciesIn) so a cache may replace an entry while a decision still reads the
// old one. Evaluate calls them from one thread per decision;
// an implementation shared by concurrent requests must be thread-safe.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include "policy/admission_policy.h"
#include "policy/network_policy_index.h"
#include "policy/objects.h"

namespace modelgate::policy {

class ClusterView {
 public:
  virtual ~ClusterView() = default;

  // The ModelAdmission ns/name, or null.
  virtual Ptr<ModelAdmission> FindModelAdmission(const std::string& ns, const std::string& name) const = 0;
  // ModelAdmissions in `ns` whose spec.source has `kind` and key SourceKey(source):
  // the claimName (any subPath) for PVCs, the normalised path for hostPath, the
  // reference for images. Order: by name.
  virtual std::vector<Ptr<ModelAdmission>> ModelAdmissionsBySource(const std::string& ns, ModelSource::Kind kind,
                                                                   const std::string& key) const = 0;
  // Every NetworkPolicy in `ns`, ordered by name. Never null (an empty list when there
  // are none). The list is an immutable snapshot: an update after the call never changes
  // it. One shared pointer, not one per policy, because it is read on every admission
  // review (a view with a cache hands out the same list until the namespace changes).
  virtual Ptr<NetworkPolicyList> NetworkPoliciesIn(const std::string& ns) const = 0;
  virtual Ptr<Pvc> FindPvc(const std::string& ns, const std::string& name) const = 0;
  virtual Ptr<Namespace> FindNamespace(const std::string& name) const = 0;
  // Every ModelAdmissionPolicy (already validated). Empty = use DefaultPolicy().
  virtual std::vector<Ptr<AdmissionPolicy>> Policies() const = 0;
};

// The index key of a source (see ModelAdmissionsBySource): claimName, NormalizePath(path)
// or the image reference.
std::string SourceKey(const ModelSource& source);

// "/a//b/./c/" -> "/a/b/c"; "a/b/" -> "a/b"; "" stays "". ".." components are kept
// (callers treat them as unresolvable).
std::string NormalizePath(const std::string& path);

// A map-backed view. Not thread-safe for writes; Add* replaces an object of the same
// namespace/name.
class InMemoryClusterView : public ClusterView {
 public:
  void AddModelAdmission(ModelAdmission ma);
  void AddNetworkPolicy(NetworkPolicy np);
  void AddPvc(Pvc pvc);
  void AddNamespace(Namespace ns);
  void AddPolicy(AdmissionPolicy p);

  Ptr<ModelAdmission> FindModelAdmission(const std::string& ns, const std::string& name) const override;
  std::vector<Ptr<ModelAdmission>> ModelAdmissionsBySource(const std::string& ns, ModelSource::Kind kind,
                                                           const std::string& key) const override;
  // The same NetworkPolicyIndex the webhook's informer view uses.
  Ptr<NetworkPolicyList> NetworkPoliciesIn(const std::string& ns) const override;
  Ptr<Pvc> FindPvc(const std::string& ns, const std::string& name) const override;
  Ptr<Namespace> FindNamespace(const std::string& name) const override;
  std::vector<Ptr<AdmissionPolicy>> Policies() const override;

  size_t model_admission_count() const { return mas_.size(); }

 private:
  using Key = std::pair<std::string, std::string>;  // namespace, name
  std::map<Key, Ptr<ModelAdmission>> mas_;
  NetworkPolicyIndex nps_;
  std::map<Key, Ptr<Pvc>> pvcs_;
  std::map<std::string, Ptr<Namespace>> namespaces_;
  std::map<std::string, Ptr<AdmissionPolicy>> policies_;
};

}  // namespace modelgate::policy
