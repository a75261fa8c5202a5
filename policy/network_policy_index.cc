#include "policy/network_policy_index.h"

namespace modelgate::policy {

void NetworkPolicyIndex::Put(Ptr<NetworkPolicy> np) {
  std::string ns = np->namespace_name;
  std::string name = np->name;
  by_key_[{ns, std::move(name)}] = std::move(np);
  Rebuild(ns);
}

void NetworkPolicyIndex::Erase(const std::string& ns, const std::string& name) {
  if (by_key_.erase({ns, name}) == 0) return;
  Rebuild(ns);
}

void NetworkPolicyIndex::Rebuild(const std::string& ns) {
  // A new list, never an edit of the old one: readers may still hold it.
  auto list = std::make_shared<NetworkPolicyList>();
  for (auto it = by_key_.lower_bound({ns, ""}); it != by_key_.end() && it->first.first == ns; ++it) {
    list->push_back(it->second);
  }
  if (list->empty()) {
    by_namespace_.erase(ns);
  } else {
    by_namespace_[ns] = std::move(list);
  }
}

Ptr<NetworkPolicyList> NetworkPolicyIndex::In(const std::string& ns) const {
  auto it = by_namespace_.find(ns);
  if (it != by_namespace_.end()) return it->second;
  // A non-owning pointer to one static empty list (aliasing constructor, no control
  // block): namespaces without policies cost no reference count at all.
  static const NetworkPolicyList kEmpty;
  return Ptr<NetworkPolicyList>(Ptr<NetworkPolicyList>(), &kEmpty);
}

}  // namespace modelgate::policy
