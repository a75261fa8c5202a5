// MG012: the pod's egress must be restricted by at least one NetworkPolicy, and the
// union of the selecting policies' egress rules must not allow every destination.
#include "policy/checks.h"

namespace modelgate::policy::internal {

namespace {

// "0.0.0.0/0", "::/0", or any other prefix of length 0 covers a whole address family.
bool WholeFamily(const std::string& cidr) {
  size_t slash = cidr.rfind('/');
  return slash != std::string::npos && cidr.substr(slash + 1) == "0";
}

// Why `rule` lets traffic go anywhere, or "" when it is restricted. Ports never make a
// rule restricted: "any host on 443" is the open internet. A peer selecting all pods
// of all namespaces stays inside the cluster and counts as restricted.
std::string Unrestricted(const NetworkPolicyEgressRule& rule) {
  if (rule.to.empty()) return "it has no 'to' (every destination)";
  for (const auto& peer : rule.to) {
    if (peer.has_ip_block && WholeFamily(peer.cidr) && peer.except.empty())
      return "ipBlock " + peer.cidr + " without except";
  }
  return "";
}

std::string LabelsText(const Labels& labels) {
  std::string out;
  for (const auto& [k, v] : labels) out += (out.empty() ? "" : ",") + k + "=" + v;
  return out.empty() ? "no labels" : "labels " + out;
}

}  // namespace

void CheckEgress(const Workload& w, const ClusterView& cluster, const AdmissionPolicy& policy,
                 std::vector<Violation>& out) {
  if (!policy.RuleEnabled("MG012")) return;
  bool selected = false;
  // Held in a local: in C++20 a range-for does not extend the life of the temporary
  // shared_ptr in `*cluster.NetworkPoliciesIn(...)`, and the list may have no other owner.
  const Ptr<NetworkPolicyList> policies = cluster.NetworkPoliciesIn(w.namespace_name);
  for (const auto& np : *policies) {
    if (!np->egress || !np->pod_selector.Matches(w.labels)) continue;
    selected = true;
    for (size_t i = 0; i < np->egress_rules.size(); ++i) {
      std::string why = Unrestricted(np->egress_rules[i]);
      if (why.empty()) continue;
      out.push_back({"MG012", WorkloadTarget(w),
                     "egress is unrestricted: NetworkPolicy " + Quote(np->name) + " egress[" + std::to_string(i) +
                         "] allows all destinations (" + why + ")",
                     "list only the destinations the model server needs in egress[" + std::to_string(i) + "].to"});
      return;
    }
  }
  if (!selected) {
    out.push_back({"MG012", WorkloadTarget(w),
                   "egress is not restricted: no NetworkPolicy in namespace " + Quote(w.namespace_name) +
                       " selects its pods (" + LabelsText(w.labels) + ") with policyTypes Egress",
                   "apply a NetworkPolicy selecting these pods with policyTypes: [Egress] and only the egress they "
                   "need"});
  }
}

}  // namespace modelgate::policy::internal
