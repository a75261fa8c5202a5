// MG009-MG011: the root-dropping fields of Pod Security "restricted", per container.
#include <algorithm>

#include "policy/checks.h"

namespace modelgate::policy::internal {

std::string Quote(const std::string& s) { return "\"" + s + "\""; }

std::string ContainerTarget(const Container& c) { return std::string(ContainerKindName(c.kind)) + " " + Quote(c.name); }

std::string WorkloadTarget(const Workload& w) { return w.kind + " " + Quote(w.name); }

namespace {

// MG009. Effective values: the container's field, else the pod's (as the kubelet does).
// An explicit runAsUser 0 is root whatever runAsNonRoot says; a non-zero runAsUser is
// not root even without runAsNonRoot (stricter PSS also wants runAsNonRoot: true;
// see docs/rules.md).
void RunAsRoot(const Workload& w, const Container& c, std::vector<Violation>& out) {
  std::optional<int64_t> user = c.security.run_as_user ? c.security.run_as_user : w.pod_security.run_as_user;
  std::optional<bool> non_root =
      c.security.run_as_non_root ? c.security.run_as_non_root : w.pod_security.run_as_non_root;
  const char* fix = "set securityContext.runAsNonRoot: true (or runAsUser > 0)";
  if (user && *user <= 0) {
    const bool own = c.security.run_as_user.has_value();
    out.push_back({"MG009", ContainerTarget(c),
                   std::string("runs as root (runAsUser: ") + std::to_string(*user) + (own ? "" : " from the pod") + ")",
                   "set securityContext.runAsUser to a non-zero UID and runAsNonRoot: true"});
    return;
  }
  if (user) return;
  if (non_root && *non_root) return;
  if (non_root) {
    const bool own = c.security.run_as_non_root.has_value();
    out.push_back({"MG009", ContainerTarget(c),
                   std::string("may run as root (runAsNonRoot: false") + (own ? "" : " from the pod") + ")", fix});
    return;
  }
  out.push_back({"MG009", ContainerTarget(c), "may run as root", fix});
}

void Escalation(const Workload& w, const Container& c, std::vector<Violation>& out) {
  if (c.security.privileged.value_or(false)) {
    out.push_back({"MG010", ContainerTarget(c), "runs privileged",
                   "remove securityContext.privileged (or set it to false)"});
  }
  // Pod Security exempts Windows pods from allowPrivilegeEscalation.
  if (!w.windows && c.security.allow_privilege_escalation.value_or(true)) {
    out.push_back({"MG010", ContainerTarget(c),
                   c.security.allow_privilege_escalation ? "allows privilege escalation (allowPrivilegeEscalation: true)"
                                                         : "allows privilege escalation",
                   "set securityContext.allowPrivilegeEscalation: false"});
  }
}

void Capabilities(const Workload& w, const Container& c, std::vector<Violation>& out) {
  if (w.windows) return;  // Pod Security exempts Windows pods from capabilities
  const auto& drop = c.security.capabilities_drop;
  if (std::find(drop.begin(), drop.end(), "ALL") == drop.end()) {
    out.push_back({"MG011", ContainerTarget(c), "does not drop all capabilities",
                   "set securityContext.capabilities.drop: [\"ALL\"]"});
  }
  std::string extra;
  for (const auto& cap : c.security.capabilities_add) {
    if (cap == "NET_BIND_SERVICE") continue;
    extra += (extra.empty() ? "" : ", ") + cap;
  }
  if (!extra.empty()) {
    out.push_back({"MG011", ContainerTarget(c), "adds capabilities " + extra,
                   "remove them from securityContext.capabilities.add (only NET_BIND_SERVICE may be added)"});
  }
}

}  // namespace

void CheckPodSecurity(const Workload& w, const AdmissionPolicy& policy, std::vector<Violation>& out) {
  for (const Container& c : w.containers) {
    if (policy.RuleEnabled("MG009")) RunAsRoot(w, c, out);
    if (policy.RuleEnabled("MG010")) Escalation(w, c, out);
    if (policy.RuleEnabled("MG011")) Capabilities(w, c, out);
  }
}

}  // namespace modelgate::policy::internal
