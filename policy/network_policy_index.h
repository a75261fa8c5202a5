// NetworkPolicyIndex: the NetworkPolicies of a cluster view by namespace, with one
// immutable list per namespace rebuilt (copy-on-write) whenever that namespace changes.
//
// Why: the webhook reads a namespace's NetworkPolicies on every admission review
// (MG012). Handing out a fresh vector cost one atomic reference-count increment and
// decrement per policy on control blocks that every I/O thread touches (100 of each per
// review in the benchmark's namespace); handing out the namespace's list costs one.
// NetworkPolicies change rarely, so rebuilding a namespace's list on each change is the
// cheap side.
//
// Not thread-safe: the owning view guards it with its own lock. Lists returned by In()
// are never modified afterwards, so a caller may keep and read one without that lock.
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <utility>

#include "policy/objects.h"

namespace modelgate::policy {

class NetworkPolicyIndex {
 public:
  // Adds `np`, or replaces the policy of the same namespace/name; that namespace gets a
  // new list. `np` must not be null.
  void Put(Ptr<NetworkPolicy> np);
  // Removes ns/name; a no-op when absent. The namespace gets a new list, or none once its
  // last policy is gone.
  void Erase(const std::string& ns, const std::string& name);

  // The policies of `ns`, ordered by name. Never null: a namespace without policies gets
  // an empty list. Later Put/Erase calls never change a list already returned.
  Ptr<NetworkPolicyList> In(const std::string& ns) const;

  // Number of policies over all namespaces, and of namespaces holding at least one.
  size_t size() const { return by_key_.size(); }
  size_t namespace_count() const { return by_namespace_.size(); }

 private:
  void Rebuild(const std::string& ns);

  using Key = std::pair<std::string, std::string>;  // namespace, name
  std::map<Key, Ptr<NetworkPolicy>> by_key_;
  std::map<std::string, Ptr<NetworkPolicyList>> by_namespace_;  // no empty lists
};

}  // namespace modelgate::policy
