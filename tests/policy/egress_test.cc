// MG012: NetworkPolicy selection (label selectors, implied Egress) and unrestricted
// egress rules.
#include "helpers.h"

namespace modelgate::policy {
namespace {

using namespace testing;

struct Case {
  const char* name;
  const char* policies;  // JSON list of NetworkPolicy specs, all in namespace "ml"
  const char* fails;     // expected text of the MG012 line, or nullptr for restricted
};

void PrintTo(const Case& c, std::ostream* os) { *os << c.name; }


class Egress : public ::testing::TestWithParam<Case> {};

TEST_P(Egress, Evaluate) {
  const Case& c = GetParam();
  InMemoryClusterView cluster;
  cluster.AddModelAdmission(MA(AdmittedModel()));
  json specs = json::parse(c.policies);
  for (size_t i = 0; i < specs.size(); ++i) {
    json np = {{"kind", "NetworkPolicy"},
               {"metadata", {{"name", "np" + std::to_string(i)}, {"namespace", "ml"}}},
               {"spec", specs[i]}};
    cluster.AddNetworkPolicy(NP(np));
  }
  json pod = CompliantPod();
  pod["metadata"]["labels"] = {{"app", "llm"}, {"tier", "gpu"}};
  Decision d = Evaluate(W(pod), cluster);
  if (c.fails == nullptr) {
    EXPECT_TRUE(d.allowed) << Lines(d);
    return;
  }
  ASSERT_TRUE(HasRule(d, "MG012")) << Lines(d);
  EXPECT_NE(Lines(d).find(c.fails), std::string::npos) << Lines(d);
}

const Case kCases[] = {
    {"NoPolicies", "[]", "no NetworkPolicy in namespace \"ml\" selects its pods (labels app=llm,tier=gpu)"},
    {"DenyAllEmptySelector", R"([{"podSelector": {}, "policyTypes": ["Egress"]}])", nullptr},
    {"IngressOnlyDoesNotCount", R"([{"podSelector": {}, "policyTypes": ["Ingress"]}])", "no NetworkPolicy"},
    {"OmittedTypesWithoutEgressRulesIsIngressOnly", R"([{"podSelector": {}}])", "no NetworkPolicy"},
    {"OmittedTypesEmptyEgressListIsIngressOnly", R"([{"podSelector": {}, "egress": []}])", "no NetworkPolicy"},
    {"ImpliedEgressFromRules",
     R"([{"podSelector": {}, "egress": [{"to": [{"ipBlock": {"cidr": "10.0.0.0/8"}}]}]}])", nullptr},
    {"MatchLabelsSelects", R"([{"podSelector": {"matchLabels": {"app": "llm"}}, "policyTypes": ["Egress"]}])", nullptr},
    {"MatchLabelsOtherApp", R"([{"podSelector": {"matchLabels": {"app": "web"}}, "policyTypes": ["Egress"]}])",
     "no NetworkPolicy"},
    {"ExpressionIn",
     R"([{"podSelector": {"matchExpressions": [{"key": "tier", "operator": "In", "values": ["cpu", "gpu"]}]}, "policyTypes": ["Egress"]}])",
     nullptr},
    {"ExpressionNotInExcludes",
     R"([{"podSelector": {"matchExpressions": [{"key": "tier", "operator": "NotIn", "values": ["gpu"]}]}, "policyTypes": ["Egress"]}])",
     "no NetworkPolicy"},
    {"ExpressionNotInMissingKeyMatches",
     R"([{"podSelector": {"matchExpressions": [{"key": "zone", "operator": "NotIn", "values": ["a"]}]}, "policyTypes": ["Egress"]}])",
     nullptr},
    {"ExpressionExists",
     R"([{"podSelector": {"matchExpressions": [{"key": "app", "operator": "Exists"}]}, "policyTypes": ["Egress"]}])",
     nullptr},
    {"ExpressionDoesNotExist",
     R"([{"podSelector": {"matchExpressions": [{"key": "app", "operator": "DoesNotExist"}]}, "policyTypes": ["Egress"]}])",
     "no NetworkPolicy"},
    {"EmptyRuleAllowsEverything", R"([{"podSelector": {}, "policyTypes": ["Egress"], "egress": [{}]}])",
     "np0\" egress[0] allows all destinations (it has no 'to' (every destination))"},
    {"PortsDoNotRestrictDestinations",
     R"([{"podSelector": {}, "policyTypes": ["Egress"], "egress": [{"ports": [{"port": 443}]}]}])", "egress[0] allows all"},
    {"EmptyToListAllowsEverything", R"([{"podSelector": {}, "policyTypes": ["Egress"], "egress": [{"to": []}]}])",
     "allows all"},
    {"AnyIPv4", R"([{"podSelector": {}, "policyTypes": ["Egress"], "egress": [{"to": [{"ipBlock": {"cidr": "0.0.0.0/0"}}]}]}])",
     "ipBlock 0.0.0.0/0 without except"},
    {"AnyIPv6", R"([{"podSelector": {}, "policyTypes": ["Egress"], "egress": [{"to": [{"ipBlock": {"cidr": "::/0"}}]}]}])",
     "ipBlock ::/0 without except"},
    {"AnyIPv4WithExceptIsRestricted",
     R"([{"podSelector": {}, "policyTypes": ["Egress"], "egress": [{"to": [{"ipBlock": {"cidr": "0.0.0.0/0", "except": ["169.254.169.254/32"]}}]}]}])",
     nullptr},
    {"AllPodsInAllNamespacesIsClusterInternal",
     R"([{"podSelector": {}, "policyTypes": ["Egress"], "egress": [{"to": [{"namespaceSelector": {}, "podSelector": {}}]}]}])",
     nullptr},
    {"UnionWithAnOpenPolicyIsOpen",
     R"([{"podSelector": {}, "policyTypes": ["Egress"]},
         {"podSelector": {"matchLabels": {"app": "llm"}}, "policyTypes": ["Egress"], "egress": [{"to": [{"ipBlock": {"cidr": "0.0.0.0/0"}}]}]}])",
     "NetworkPolicy \"np1\" egress[0]"},
    {"OpenPolicyNotSelectingThePodIsIgnored",
     R"([{"podSelector": {}, "policyTypes": ["Egress"]},
         {"podSelector": {"matchLabels": {"app": "web"}}, "policyTypes": ["Egress"], "egress": [{}]}])",
     nullptr},
};

INSTANTIATE_TEST_SUITE_P(Table, Egress, ::testing::ValuesIn(kCases),
                         [](const ::testing::TestParamInfo<Case>& i) { return std::string(i.param.name); });

TEST(EgressNamespaces, PoliciesInOtherNamespacesDoNotCount) {
  InMemoryClusterView cluster;
  cluster.AddModelAdmission(MA(AdmittedModel()));
  json np = DenyAllEgress();
  np["metadata"]["namespace"] = "other";
  cluster.AddNetworkPolicy(NP(np));
  Decision d = Evaluate(W(CompliantPod()), cluster);
  EXPECT_TRUE(HasRule(d, "MG012")) << Lines(d);
}

TEST(EgressWorkloads, TemplateLabelsAreUsedForDeployments) {
  json dep = {{"apiVersion", "apps/v1"},
              {"kind", "Deployment"},
              {"metadata", {{"name", "llm"}, {"namespace", "ml"}, {"labels", {{"app", "wrong"}}}}},
              {"spec", {{"template", {{"metadata", {{"labels", {{"app", "llm"}}}}}, {"spec", CompliantPod()["spec"]}}}}}};
  InMemoryClusterView cluster;
  cluster.AddModelAdmission(MA(AdmittedModel()));
  cluster.AddNetworkPolicy(NP(json::parse(R"({"kind": "NetworkPolicy", "metadata": {"name": "e", "namespace": "ml"},
    "spec": {"podSelector": {"matchLabels": {"app": "llm"}}, "policyTypes": ["Egress"]}})")));
  Decision d = Evaluate(W(dep), cluster);
  EXPECT_TRUE(d.allowed) << Lines(d);
}

}  // namespace
}  // namespace modelgate::policy
