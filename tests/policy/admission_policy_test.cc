// ModelAdmissionPolicy parsing: defaults, every field, validation errors with paths.
#include <gtest/gtest.h>

#include "policy/admission_policy.h"

namespace modelgate::policy {
namespace {

using nlohmann::json;

json Policy(const json& spec) {
  return {{"apiVersion", "modelgate.io/v1alpha1"}, {"kind", "ModelAdmissionPolicy"},
          {"metadata", {{"name", "p"}}}, {"spec", spec}};
}

std::string Error(const json& spec) {
  auto p = ParsePolicy(Policy(spec));
  return p.ok() ? "" : p.status().message();
}

TEST(PolicyDefaults, EmptySpecIsTheDefaultPolicy) {
  auto p = ParsePolicy(Policy(json::object()));
  ASSERT_TRUE(p.ok()) << p.status().message();
  AdmissionPolicy d = DefaultPolicy();
  EXPECT_EQ(p->rules.enabled, d.rules.enabled);
  EXPECT_EQ(p->enforcement, Enforcement::kEnforce);
  EXPECT_EQ(p->rules.allowed_formats, std::vector<std::string>{"safetensors"});
  EXPECT_EQ(p->rules.systemic_risk_flops, 1e25);
  EXPECT_FALSE(p->has_namespace_selector);
  for (int i = 1; i <= 12; ++i) EXPECT_TRUE(p->RuleEnabled(i < 10 ? "MG00" + std::to_string(i) : "MG0" + std::to_string(i)));
  EXPECT_FALSE(p->RuleEnabled("MG013"));
  EXPECT_FALSE(p->RuleEnabled("MG014"));
  EXPECT_FALSE(p->RuleEnabled("MG015"));
}

TEST(PolicyParse, EveryField) {
  auto p = ParsePolicy(Policy(json::parse(R"({
    "enforcement": "Warn",
    "appliesTo": "AllWorkloads",
    "namespaceSelector": {"matchLabels": {"ml": "true"}},
    "rules": {
      "disabled": ["MG012"], "enabled": ["MG013", "MG014"],
      "allowedFormats": ["safetensors", "gguf"], "failOnSeverity": "high",
      "requireSignature": true, "requireDigest": true,
      "trustedSigners": [{"identity": "*@example.com", "issuer": "https://accounts.google.com"},
                         {"publicKey": {"secretRef": {"name": "k", "key": "pub"}}}],
      "allowedLicenses": ["Apache-2.0"], "systemicRiskFlops": 1e26},
    "modelVolumeDetection": {"mountPathGlobs": ["/weights/**"], "volumeNamePatterns": ["w-*"],
                             "pvcLabel": "ai/models", "imageVolumes": false},
    "exemptions": [{"namespace": "lab", "name": "legacy-*", "rules": ["MG009"], "reason": "vendor image, JIRA-1"}]
  })")));
  ASSERT_TRUE(p.ok()) << p.status().message();
  EXPECT_EQ(p->enforcement, Enforcement::kWarn);
  EXPECT_EQ(p->applies_to, Scope::kAllWorkloads);
  EXPECT_TRUE(p->has_namespace_selector);
  EXPECT_TRUE(p->namespace_selector.Matches({{"ml", "true"}}));
  EXPECT_FALSE(p->RuleEnabled("MG012"));
  EXPECT_TRUE(p->RuleEnabled("MG013"));
  EXPECT_EQ(p->rules.fail_on_severity, "high");
  EXPECT_TRUE(p->rules.require_signature);
  ASSERT_EQ(p->rules.trusted_signers.size(), 2u);
  EXPECT_EQ(p->rules.trusted_signers[1].public_key->name, "k");
  EXPECT_EQ(p->rules.systemic_risk_flops, 1e26);
  EXPECT_EQ(p->detection.pvc_label, "ai/models");
  EXPECT_FALSE(p->detection.image_volumes);
  ASSERT_EQ(p->exemptions.size(), 1u);
  EXPECT_EQ(p->exemptions[0].reason, "vendor image, JIRA-1");
}

struct BadCase {
  const char* name;
  const char* spec;
  const char* error;
};

void PrintTo(const BadCase& c, std::ostream* os) { *os << c.name; }


class PolicyErrors : public ::testing::TestWithParam<BadCase> {};

TEST_P(PolicyErrors, FieldPath) {
  std::string err = Error(json::parse(GetParam().spec));
  EXPECT_NE(err.find(GetParam().error), std::string::npos) << "got: " << err;
}

const BadCase kBad[] = {
    {"UnknownFormat", R"({"rules": {"allowedFormats": ["safetensors", "pkl"]}})",
     "spec.rules.allowedFormats[1]: unknown format \"pkl\""},
    {"UnknownEnforcement", R"({"enforcement": "Block"})", "spec.enforcement: unknown mode \"Block\""},
    {"UnknownRule", R"({"rules": {"disabled": ["MG099"]}})", "spec.rules.disabled[0]: unknown rule \"MG099\""},
    {"EnabledAndDisabled", R"({"rules": {"disabled": ["MG013"], "enabled": ["MG013"]}})",
     "rule MG013 is both enabled and disabled"},
    {"LicencesRequiredForMG013", R"({"rules": {"enabled": ["MG013"]}})",
     "spec.rules.allowedLicenses: required while MG013 is enabled"},
    {"BadSeverity", R"({"rules": {"failOnSeverity": "severe"}})", "spec.rules.failOnSeverity: unknown severity"},
    {"NegativeFlops", R"({"rules": {"systemicRiskFlops": -1}})", "spec.rules.systemicRiskFlops: must be a positive"},
    {"FlopsAsString", R"({"rules": {"systemicRiskFlops": "1e25"}})", "spec.rules.systemicRiskFlops: expected a number"},
    {"SignerHalfKeyless", R"({"rules": {"trustedSigners": [{"identity": "a@b"}]}})",
     "spec.rules.trustedSigners[0]: keyless signers need both identity and issuer"},
    {"SignerEmpty", R"({"rules": {"trustedSigners": [{}]}})", "spec.rules.trustedSigners[0]: needs identity and issuer"},
    {"ExemptionWithoutReason", R"({"exemptions": [{"rules": ["MG009"]}]})", "spec.exemptions[0].reason: required"},
    {"ExemptionWithoutRules", R"({"exemptions": [{"reason": "x"}]})", "spec.exemptions[0].rules: required"},
    {"ExemptionUnknownRule", R"({"exemptions": [{"rules": ["MG9"], "reason": "x"}]})",
     "spec.exemptions[0].rules[0]: unknown rule \"MG9\""},
    {"BadSelectorOperator",
     R"({"namespaceSelector": {"matchExpressions": [{"key": "a", "operator": "Equals", "values": ["b"]}]}})",
     "spec.namespaceSelector.matchExpressions[0].operator: unknown operator \"Equals\""},
    {"SelectorInWithoutValues", R"({"namespaceSelector": {"matchExpressions": [{"key": "a", "operator": "In"}]}})",
     "spec.namespaceSelector.matchExpressions[0].values: must be non-empty for In"},
    {"RelativeMountGlob", R"({"modelVolumeDetection": {"mountPathGlobs": ["models/**"]}})",
     "spec.modelVolumeDetection.mountPathGlobs[0]: must be an absolute path glob"},
    {"WrongTypeRules", R"({"rules": []})", "spec.rules: expected an object"},
    {"UnknownScope", R"({"appliesTo": "Everything"})", "spec.appliesTo: unknown scope"},
    {"EmptyFormatsWithMG004", R"({"rules": {"allowedFormats": []}})", "spec.rules.allowedFormats: must not be empty"},
};

INSTANTIATE_TEST_SUITE_P(Table, PolicyErrors, ::testing::ValuesIn(kBad),
                         [](const ::testing::TestParamInfo<BadCase>& i) { return std::string(i.param.name); });

TEST(PolicyErrorsAll, EveryErrorIsListed) {
  std::string err = Error(json::parse(R"({"enforcement": "X", "rules": {"allowedFormats": ["pkl"]}})"));
  EXPECT_NE(err.find("spec.enforcement"), std::string::npos) << err;
  EXPECT_NE(err.find("spec.rules.allowedFormats[0]"), std::string::npos) << err;
}

TEST(PolicyWarnings, LicencesWithoutMG013) {
  std::vector<std::string> warnings;
  auto p = ParsePolicy(Policy(json::parse(R"({"rules": {"allowedLicenses": ["MIT"]}})")), &warnings);
  ASSERT_TRUE(p.ok());
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("MG013 is not enabled"), std::string::npos);
}

TEST(PolicyErrorsKind, WrongKind) {
  auto p = ParsePolicy(json::parse(R"({"kind": "ModelAdmission", "metadata": {"name": "x"}})"));
  ASSERT_FALSE(p.ok());
  EXPECT_NE(p.status().message().find("kind: expected ModelAdmissionPolicy"), std::string::npos);
}

TEST(RuleIds, TitlesAndDefaults) {
  for (auto id : kRuleIds) EXPECT_FALSE(RuleTitle(id).empty()) << id;
  EXPECT_TRUE(RuleOnByDefault("MG012"));
  EXPECT_FALSE(RuleOnByDefault("MG013"));
  EXPECT_FALSE(RuleOnByDefault("MG016"));
  EXPECT_FALSE(IsRuleId("MG000"));
}

}  // namespace
}  // namespace modelgate::policy
