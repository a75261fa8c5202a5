// Evaluate: enforcement modes, namespace selection, never-affected namespaces,
// exemptions, several policies, and the label-selector/glob primitives.
#include "helpers.h"
#include "policy/glob.h"

namespace modelgate::policy {
namespace {

using namespace testing;

// A pod that runs as root: MG009 only.
json RootPod() {
  json pod = CompliantPod();
  pod["spec"].erase("securityContext");
  return pod;
}

AdmissionPolicy Named(const std::string& name, Enforcement e) {
  AdmissionPolicy p = DefaultPolicy();
  p.name = name;
  p.enforcement = e;
  return p;
}

TEST(Enforcement, EnforceDenies) {
  InMemoryClusterView c = Cluster();
  c.AddPolicy(Named("p", Enforcement::kEnforce));
  Decision d = Evaluate(W(RootPod()), c);
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.enforcement, Enforcement::kEnforce);
  EXPECT_EQ(d.policies, std::vector<std::string>{"p"});
  EXPECT_TRUE(d.warnings.empty());
  EXPECT_NE(d.DenialMessage().find("MG009 container \"server\""), std::string::npos);
}

TEST(Enforcement, WarnAllowsWithWarnings) {
  InMemoryClusterView c = Cluster();
  c.AddPolicy(Named("p", Enforcement::kWarn));
  Decision d = Evaluate(W(RootPod()), c);
  EXPECT_TRUE(d.allowed);
  ASSERT_EQ(d.warnings.size(), 1u);
  EXPECT_EQ(d.warnings[0].rfind("MG009 container \"server\"", 0), 0u) << d.warnings[0];
}

TEST(Enforcement, AuditAllowsSilently) {
  InMemoryClusterView c = Cluster();
  c.AddPolicy(Named("p", Enforcement::kAudit));
  Decision d = Evaluate(W(RootPod()), c);
  EXPECT_TRUE(d.allowed);
  EXPECT_TRUE(d.warnings.empty());
  ASSERT_EQ(d.violations.size(), 1u);
  EXPECT_EQ(d.violations[0].enforcement, Enforcement::kAudit);
}

TEST(Enforcement, StrictestPolicyWinsAndDuplicatesCollapse) {
  InMemoryClusterView c = Cluster();
  c.AddPolicy(Named("audit", Enforcement::kAudit));
  c.AddPolicy(Named("enforce", Enforcement::kEnforce));
  Decision d = Evaluate(W(RootPod()), c);
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.enforcement, Enforcement::kEnforce);
  ASSERT_EQ(d.violations.size(), 1u);
  EXPECT_EQ(d.violations[0].policy, "enforce");
}

TEST(Enforcement, NoPolicyMeansBuiltInDefault) {
  InMemoryClusterView c = Cluster();
  Decision d = Evaluate(W(RootPod()), c);
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.policies, std::vector<std::string>{"built-in-default"});
}

TEST(Namespaces, SystemNamespacesAreNeverAffected) {
  for (const char* ns : {"kube-system", "kube-public", "kube-node-lease"}) {
    json pod = RootPod();
    pod["metadata"]["namespace"] = ns;
    InMemoryClusterView c;
    Decision d = Evaluate(W(pod), c);
    EXPECT_TRUE(d.allowed);
    EXPECT_FALSE(d.evaluated);
    EXPECT_NE(d.skip_reason.find("never affected"), std::string::npos);
  }
}

TEST(Namespaces, OwnNamespaceIsNeverAffected) {
  json pod = RootPod();
  pod["metadata"]["namespace"] = "modelgate-system";
  InMemoryClusterView c;
  EvaluateOptions o;
  o.own_namespace = "modelgate-system";
  EXPECT_FALSE(Evaluate(W(pod), c, o).evaluated);
  EXPECT_TRUE(Evaluate(W(pod), c).evaluated);
}

TEST(Namespaces, SelectorPicksNamespacesByLabel) {
  InMemoryClusterView c = Cluster();
  AdmissionPolicy p = Named("ml-only", Enforcement::kEnforce);
  p.has_namespace_selector = true;
  p.namespace_selector.Add({"team", LabelSelector::Op::kIn, {"ml"}});
  c.AddPolicy(p);
  Decision d = Evaluate(W(RootPod()), c);
  EXPECT_TRUE(d.allowed);
  EXPECT_FALSE(d.evaluated);
  EXPECT_NE(d.skip_reason.find("no ModelAdmissionPolicy selects namespace \"ml\""), std::string::npos);
  c.AddNamespace({"ml", {{"team", "ml"}}});
  EXPECT_FALSE(Evaluate(W(RootPod()), c).allowed);
}

TEST(Namespaces, MetadataNameLabelIsAlwaysPresent) {
  InMemoryClusterView c = Cluster();
  AdmissionPolicy p = Named("by-name", Enforcement::kEnforce);
  p.has_namespace_selector = true;
  p.namespace_selector.Add({"kubernetes.io/metadata.name", LabelSelector::Op::kIn, {"ml"}});
  c.AddPolicy(p);
  EXPECT_FALSE(Evaluate(W(RootPod()), c).allowed);
}

TEST(Exemptions, MatchingExemptionWaivesWithReason) {
  InMemoryClusterView c = Cluster();
  AdmissionPolicy p = Named("p", Enforcement::kEnforce);
  p.exemptions.push_back({"ml", "Pod", "serv*", {"MG009"}, "vendor image runs as root; JIRA-42"});
  c.AddPolicy(p);
  Decision d = Evaluate(W(RootPod()), c);
  EXPECT_TRUE(d.allowed) << Lines(d);
  ASSERT_EQ(d.exempted.size(), 1u);
  EXPECT_EQ(d.exempted[0].exemption_reason, "vendor image runs as root; JIRA-42");
}

TEST(Exemptions, NonMatchingExemptionsDoNothing) {
  for (Exemption e : {Exemption{"other", "", "", {"MG009"}, "r"}, Exemption{"", "Deployment", "", {"MG009"}, "r"},
                      Exemption{"", "", "web", {"MG009"}, "r"}, Exemption{"", "", "", {"MG010"}, "r"}}) {
    InMemoryClusterView c = Cluster();
    AdmissionPolicy p = Named("p", Enforcement::kEnforce);
    p.exemptions.push_back(e);
    c.AddPolicy(p);
    EXPECT_FALSE(Evaluate(W(RootPod()), c).allowed);
  }
}

TEST(Exemptions, WildcardCoversEveryRule) {
  InMemoryClusterView c = Cluster();
  AdmissionPolicy p = Named("p", Enforcement::kEnforce);
  p.exemptions.push_back({"ml", "", "", {"*"}, "sandbox namespace"});
  c.AddPolicy(p);
  EXPECT_TRUE(Evaluate(W(RootPod()), c).allowed);
}

TEST(Options, DisabledRulesAreSkipped) {
  InMemoryClusterView c = Cluster();
  EvaluateOptions o;
  o.disabled_rules = {"MG009"};
  EXPECT_TRUE(Evaluate(W(RootPod()), c, o).allowed);
}

TEST(DecisionJson, StableFields) {
  InMemoryClusterView c = Cluster();
  Decision d = Evaluate(W(RootPod()), c);
  json j = DecisionToJson(d);
  EXPECT_EQ(j["allowed"], false);
  EXPECT_EQ(j["violations"][0]["rule"], "MG009");
  EXPECT_EQ(j["violations"][0]["enforcement"], "Enforce");
  EXPECT_EQ(j["models"][0]["name"], "llama");
}

TEST(Glob, Semantics) {
  EXPECT_TRUE(GlobMatch("/models/**", "/models/a/b"));
  EXPECT_FALSE(GlobMatch("/models/**", "/models"));
  EXPECT_TRUE(GlobMatch("/mnt/models*", "/mnt/models-v2"));
  EXPECT_FALSE(GlobMatch("/mnt/models*", "/mnt/models/x"));
  EXPECT_TRUE(GlobMatch("*model*", "llama-models"));
  EXPECT_TRUE(GlobMatch("a?c", "abc"));
  EXPECT_FALSE(GlobMatch("a?c", "a/c"));
  EXPECT_TRUE(GlobMatch("", ""));
  EXPECT_FALSE(GlobMatch("", "a"));
  // Pathological patterns stay polynomial.
  EXPECT_FALSE(GlobMatch(std::string(200, '*') + "b", std::string(5000, 'a')));
}

TEST(LabelSelectorSemantics, Operators) {
  auto sel = LabelSelector::FromJson(json::parse(R"({"matchLabels": {"a": "1"},
    "matchExpressions": [{"key": "b", "operator": "NotIn", "values": ["x"]}, {"key": "c", "operator": "DoesNotExist"}]})"),
                                     "sel");
  ASSERT_TRUE(sel.ok()) << sel.status().message();
  EXPECT_TRUE(sel->Matches({{"a", "1"}}));
  EXPECT_TRUE(sel->Matches({{"a", "1"}, {"b", "y"}}));
  EXPECT_FALSE(sel->Matches({{"a", "1"}, {"b", "x"}}));
  EXPECT_FALSE(sel->Matches({{"a", "1"}, {"c", ""}}));
  EXPECT_FALSE(sel->Matches({{"a", "2"}}));
  EXPECT_TRUE(LabelSelector().Matches({}));
}

}  // namespace
}  // namespace modelgate::policy
