// MG009-MG011: the Pod Security "restricted" cases for runAsNonRoot/runAsUser,
// allowPrivilegeEscalation/privileged and capabilities, per container kind.
#include "helpers.h"
#include "policy/admission_policy.h"

namespace modelgate::policy {
namespace {

using namespace testing;

struct Case {
  const char* name;
  json pod_sc;        // pod-level securityContext (null = absent)
  json container_sc;  // the container's securityContext (null = absent)
  const char* container_field;  // containers | initContainers | ephemeralContainers
  const char* rule;   // expected rule or nullptr
  const char* contains;
};

void PrintTo(const Case& c, std::ostream* os) { *os << c.name; }


json Restricted() {
  return json::parse(R"({"allowPrivilegeEscalation": false, "capabilities": {"drop": ["ALL"]}})");
}
json With(json base, const json& patch) {
  base.merge_patch(patch);
  return base;
}

class PodSecurity : public ::testing::TestWithParam<Case> {};

TEST_P(PodSecurity, Restricted) {
  const Case& c = GetParam();
  json pod = CompliantPod();
  pod["spec"].erase("securityContext");
  if (!c.pod_sc.is_null()) pod["spec"]["securityContext"] = c.pod_sc;
  json container = {{"name", "probe"}, {"image", "busybox"}};
  if (!c.container_sc.is_null()) container["securityContext"] = c.container_sc;
  if (std::string(c.container_field) == "containers") {
    pod["spec"]["containers"][0].erase("securityContext");
    if (!c.container_sc.is_null()) pod["spec"]["containers"][0]["securityContext"] = c.container_sc;
    pod["spec"]["containers"][0]["name"] = "probe";
  } else {
    pod["spec"]["containers"][0]["securityContext"] = With(Restricted(), {{"runAsNonRoot", true}});
    pod["spec"][c.container_field] = json::array({container});
  }
  InMemoryClusterView cluster = Cluster();
  Decision d = Evaluate(W(pod), cluster);
  if (c.rule == nullptr) {
    EXPECT_TRUE(d.allowed) << Lines(d);
    return;
  }
  ASSERT_TRUE(HasRule(d, c.rule)) << Lines(d);
  if (c.contains) {
    EXPECT_NE(Lines(d).find(c.contains), std::string::npos) << Lines(d);
  }
  // Only the expected rule fires: the table varies one field at a time.
  EXPECT_EQ(d.Rules(), std::vector<std::string>{c.rule}) << Lines(d);
}

const json kNull = nullptr;

const Case kCases[] = {
    {"PodRunAsNonRootInherited", {{"runAsNonRoot", true}}, Restricted(), "containers", nullptr, nullptr},
    {"ContainerRunAsNonRoot", kNull, With(Restricted(), {{"runAsNonRoot", true}}), "containers", nullptr, nullptr},
    {"NothingSetMayRunAsRoot", kNull, Restricted(), "containers", "MG009", "container \"probe\": may run as root"},
    {"ContainerOverridesPodNonRoot", {{"runAsNonRoot", true}}, With(Restricted(), {{"runAsNonRoot", false}}),
     "containers", "MG009", "runAsNonRoot: false)"},
    {"PodRunAsNonRootFalse", {{"runAsNonRoot", false}}, Restricted(), "containers", "MG009",
     "runAsNonRoot: false from the pod"},
    {"NonZeroRunAsUserIsNonRoot", kNull, With(Restricted(), {{"runAsUser", 1000}}), "containers", nullptr, nullptr},
    {"PodRunAsUserInherited", {{"runAsUser", 1000}}, Restricted(), "containers", nullptr, nullptr},
    {"ExplicitRunAsUserZeroIsRootEvenWithRunAsNonRoot", {{"runAsNonRoot", true}},
     With(Restricted(), {{"runAsUser", 0}}), "containers", "MG009", "runs as root (runAsUser: 0)"},
    {"PodRunAsUserZeroInherited", {{"runAsNonRoot", true}, {"runAsUser", 0}}, Restricted(), "containers", "MG009",
     "runAsUser: 0 from the pod"},
    {"ContainerUserOverridesPodRoot", {{"runAsUser", 0}}, With(Restricted(), {{"runAsUser", 1000}}), "containers",
     nullptr, nullptr},
    {"InitContainerRoot", {{"runAsNonRoot", true}}, With(Restricted(), {{"runAsUser", 0}}), "initContainers", "MG009",
     "init container \"probe\""},
    {"EphemeralContainerRoot", kNull, Restricted(), "ephemeralContainers", "MG009", "ephemeral container \"probe\""},
    // MG010
    {"EscalationUnset", {{"runAsNonRoot", true}}, {{"capabilities", {{"drop", {"ALL"}}}}}, "containers", "MG010",
     "allows privilege escalation"},
    {"EscalationTrue", {{"runAsNonRoot", true}}, With(Restricted(), {{"allowPrivilegeEscalation", true}}),
     "containers", "MG010", "allowPrivilegeEscalation: true"},
    {"Privileged", {{"runAsNonRoot", true}}, With(Restricted(), {{"privileged", true}}), "containers", "MG010",
     "runs privileged"},
    {"PrivilegedFalseIsFine", {{"runAsNonRoot", true}}, With(Restricted(), {{"privileged", false}}), "containers",
     nullptr, nullptr},
    {"EphemeralEscalation", {{"runAsNonRoot", true}}, {{"capabilities", {{"drop", {"ALL"}}}}}, "ephemeralContainers",
     "MG010", "ephemeral container \"probe\""},
    // MG011
    {"MissingDropAll", {{"runAsNonRoot", true}}, {{"allowPrivilegeEscalation", false}}, "containers", "MG011",
     "does not drop all capabilities"},
    {"DropSomeIsNotAll", {{"runAsNonRoot", true}},
     {{"allowPrivilegeEscalation", false}, {"capabilities", {{"drop", {"NET_RAW"}}}}}, "containers", "MG011", nullptr},
    {"LowercaseAllIsNotAll", {{"runAsNonRoot", true}},
     {{"allowPrivilegeEscalation", false}, {"capabilities", {{"drop", {"all"}}}}}, "containers", "MG011", nullptr},
    {"AddSysAdmin", {{"runAsNonRoot", true}},
     {{"allowPrivilegeEscalation", false}, {"capabilities", {{"drop", {"ALL"}}, {"add", {"SYS_ADMIN"}}}}}, "containers",
     "MG011", "adds capabilities SYS_ADMIN"},
    {"AddNetBindServiceAllowed", {{"runAsNonRoot", true}},
     {{"allowPrivilegeEscalation", false}, {"capabilities", {{"drop", {"ALL"}}, {"add", {"NET_BIND_SERVICE"}}}}},
     "containers", nullptr, nullptr},
    {"InitContainerAddsNetAdmin", {{"runAsNonRoot", true}},
     {{"allowPrivilegeEscalation", false}, {"capabilities", {{"drop", {"ALL"}}, {"add", {"NET_ADMIN"}}}}},
     "initContainers", "MG011", "init container \"probe\": adds capabilities NET_ADMIN"},
};

INSTANTIATE_TEST_SUITE_P(Table, PodSecurity, ::testing::ValuesIn(kCases),
                         [](const ::testing::TestParamInfo<Case>& i) { return std::string(i.param.name); });

TEST(PodSecurityScope, PodsWithoutModelsAreNotJudgedByDefault) {
  json pod = json::parse(R"({"kind": "Pod", "metadata": {"name": "web", "namespace": "ml"},
    "spec": {"containers": [{"name": "nginx", "image": "nginx"}]}})");
  InMemoryClusterView cluster;
  Decision d = Evaluate(W(pod), cluster);
  EXPECT_TRUE(d.evaluated);
  EXPECT_TRUE(d.allowed) << Lines(d);
}

TEST(PodSecurityScope, AllWorkloadsScopeJudgesEveryPod) {
  json pod = json::parse(R"({"kind": "Pod", "metadata": {"name": "web", "namespace": "ml"},
    "spec": {"containers": [{"name": "nginx", "image": "nginx"}]}})");
  AdmissionPolicy p = DefaultPolicy();
  p.applies_to = Scope::kAllWorkloads;
  InMemoryClusterView cluster;
  Decision d = EvaluateWithPolicy(W(pod), cluster, p);
  EXPECT_EQ(d.Rules(), (std::vector<std::string>{"MG009", "MG010", "MG011", "MG012"})) << Lines(d);
}

TEST(PodSecurityScope, WindowsPodsSkipEscalationAndCapabilities) {
  json pod = CompliantPod();
  pod["spec"]["os"] = {{"name", "windows"}};
  pod["spec"]["containers"][0].erase("securityContext");
  InMemoryClusterView cluster = Cluster();
  Decision d = Evaluate(W(pod), cluster);
  EXPECT_TRUE(d.allowed) << Lines(d);
}

TEST(PodSecurityMessages, OneLineWithRuleTargetAndFix) {
  json pod = CompliantPod();
  pod["spec"].erase("securityContext");
  InMemoryClusterView cluster = Cluster();
  Decision d = Evaluate(W(pod), cluster);
  ASSERT_EQ(d.violations.size(), 1u);
  EXPECT_EQ(d.violations[0].Line(),
            "MG009 container \"server\": may run as root; set securityContext.runAsNonRoot: true (or runAsUser > 0)");
}

}  // namespace
}  // namespace modelgate::policy
