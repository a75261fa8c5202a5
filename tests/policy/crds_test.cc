// The CRD files parse, carry the contract DESIGN.md promises (names, scope, printer
// columns, status subresource, validation patterns, no schema defaults), and the
// samples are accepted by the same parsers the webhook uses.
#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "helpers.h"
#include "policy/admission_policy.h"
#include "policy/manifests.h"

namespace modelgate::policy {
namespace {

const std::string kCrds = std::string(MODELGATE_SOURCE_DIR) + "/crds/";

std::string Read(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Every `default` key in a schema (drift for GitOps tools).
void FindDefaults(const YAML::Node& n, const std::string& path, std::vector<std::string>& out) {
  if (n.IsMap()) {
    for (const auto& kv : n) {
      const std::string key = kv.first.as<std::string>();
      if (key == "default") out.push_back(path);
      FindDefaults(kv.second, path + "." + key, out);
    }
  } else if (n.IsSequence()) {
    for (size_t i = 0; i < n.size(); ++i) FindDefaults(n[i], path + "[" + std::to_string(i) + "]", out);
  }
}

// Every schema node with properties but no description below `n`.
void FindUndescribed(const YAML::Node& props, const std::string& path, std::vector<std::string>& out) {
  for (const auto& kv : props) {
    const std::string key = kv.first.as<std::string>();
    const YAML::Node& s = kv.second;
    if (key != "metadata" && !s["description"]) out.push_back(path + "." + key);
    if (s["properties"]) FindUndescribed(s["properties"], path + "." + key, out);
    if (s["items"] && s["items"]["properties"]) FindUndescribed(s["items"]["properties"], path + "." + key + "[]", out);
  }
}

struct Crd {
  const char* file;
  const char* kind;
  const char* scope;
  const char* short_name;
  std::vector<std::string> columns;
};

class Crds : public ::testing::TestWithParam<Crd> {};

TEST_P(Crds, Contract) {
  const Crd& c = GetParam();
  YAML::Node crd = YAML::LoadFile(kCrds + c.file);
  EXPECT_EQ(crd["apiVersion"].as<std::string>(), "apiextensions.k8s.io/v1");
  EXPECT_EQ(crd["kind"].as<std::string>(), "CustomResourceDefinition");
  EXPECT_EQ(crd["spec"]["group"].as<std::string>(), "modelgate.io");
  EXPECT_EQ(crd["spec"]["scope"].as<std::string>(), c.scope);
  EXPECT_EQ(crd["spec"]["names"]["kind"].as<std::string>(), c.kind);
  EXPECT_EQ(crd["spec"]["names"]["shortNames"][0].as<std::string>(), c.short_name);
  EXPECT_EQ(crd["metadata"]["name"].as<std::string>(),
            crd["spec"]["names"]["plural"].as<std::string>() + ".modelgate.io");
  const YAML::Node v = crd["spec"]["versions"][0];
  EXPECT_EQ(v["name"].as<std::string>(), "v1alpha1");
  EXPECT_TRUE(v["served"].as<bool>());
  EXPECT_TRUE(v["storage"].as<bool>());
  EXPECT_TRUE(v["subresources"]["status"].IsDefined());
  std::vector<std::string> columns;
  for (const auto& col : v["additionalPrinterColumns"]) columns.push_back(col["name"].as<std::string>());
  EXPECT_EQ(columns, c.columns);
  std::vector<std::string> defaults;
  FindDefaults(v["schema"], "schema", defaults);
  EXPECT_TRUE(defaults.empty()) << "schema defaults cause GitOps drift: " << defaults[0];
  std::vector<std::string> undescribed;
  FindUndescribed(v["schema"]["openAPIV3Schema"]["properties"], "", undescribed);
  EXPECT_TRUE(undescribed.empty()) << "kubectl explain needs a description at " << undescribed[0];
}

INSTANTIATE_TEST_SUITE_P(
    Both, Crds,
    ::testing::Values(Crd{"modelgate.io_modeladmissions.yaml", "ModelAdmission", "Namespaced", "ma",
                          {"Phase", "Format", "Signature", "Age"}},
                      Crd{"modelgate.io_modeladmissionpolicies.yaml", "ModelAdmissionPolicy", "Cluster", "map",
                          {"Enforcement", "Scope", "Age"}}));

TEST(ModelAdmissionCrd, ValidationPatterns) {
  YAML::Node spec = YAML::LoadFile(kCrds + "modelgate.io_modeladmissions.yaml")["spec"]["versions"][0]["schema"]
                        ["openAPIV3Schema"]["properties"]["spec"];
  EXPECT_EQ(spec["properties"]["files"]["items"]["properties"]["sha256"]["pattern"].as<std::string>(),
            "^[a-f0-9]{64}$");
  EXPECT_EQ(spec["properties"]["digest"]["pattern"].as<std::string>(), "^sha256:[a-f0-9]{64}$");
  // MG007 must be able to see a branch name: the revision accepts any string.
  EXPECT_FALSE(spec["properties"]["origin"]["properties"]["huggingFace"]["properties"]["revision"]["pattern"]);
  // Exactly one source.
  ASSERT_EQ(spec["properties"]["source"]["oneOf"].size(), 3u);
  EXPECT_EQ(spec["properties"]["source"]["oneOf"][0]["required"][0].as<std::string>(), "pvc");
}

TEST(Samples, ParseWithTheWebhookParsers) {
  size_t policies = 0, admissions = 0;
  for (const auto& e : std::filesystem::directory_iterator(kCrds + "samples")) {
    auto objs = LoadManifests(Read(e.path().string()), e.path().filename().string());
    ASSERT_TRUE(objs.ok()) << objs.status().message();
    for (const auto& o : *objs) {
      const std::string kind = o.object["kind"];
      if (kind == "ModelAdmissionPolicy") {
        std::vector<std::string> warnings;
        auto p = ParsePolicy(o.object, &warnings);
        ASSERT_TRUE(p.ok()) << o.origin << ": " << p.status().message();
        EXPECT_TRUE(warnings.empty()) << warnings[0];
        ++policies;
      } else if (kind == "ModelAdmission") {
        auto ma = ParseModelAdmission(o.object);
        ASSERT_TRUE(ma.ok()) << o.origin << ": " << ma.status().message();
        ++admissions;
      }
    }
  }
  EXPECT_GE(policies, 2u);
  EXPECT_GE(admissions, 3u);
}

TEST(Samples, DefaultPolicySpellsOutTheBuiltInDefaults) {
  auto objs = LoadManifests(Read(kCrds + "samples/default-policy.yaml"), "default-policy.yaml");
  ASSERT_TRUE(objs.ok());
  auto p = ParsePolicy((*objs)[0].object);
  ASSERT_TRUE(p.ok()) << p.status().message();
  AdmissionPolicy d = DefaultPolicy();
  EXPECT_EQ(p->name, "default");
  EXPECT_EQ(p->enforcement, d.enforcement);
  EXPECT_EQ(p->applies_to, d.applies_to);
  EXPECT_EQ(p->rules.enabled, d.rules.enabled);
  EXPECT_EQ(p->rules.allowed_formats, d.rules.allowed_formats);
  EXPECT_EQ(p->rules.fail_on_severity, d.rules.fail_on_severity);
  EXPECT_EQ(p->rules.systemic_risk_flops, d.rules.systemic_risk_flops);
  EXPECT_EQ(p->detection.mount_path_globs, d.detection.mount_path_globs);
  EXPECT_EQ(p->detection.volume_name_patterns, d.detection.volume_name_patterns);
  EXPECT_EQ(p->detection.pvc_label, d.detection.pvc_label);
  EXPECT_EQ(p->detection.image_volumes, d.detection.image_volumes);
}

}  // namespace
}  // namespace modelgate::policy
