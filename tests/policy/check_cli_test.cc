// `modelgate check` end to end: manifests written by the test, the built binary run
// on them, exit codes and output formats asserted.
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "check_cli.h"
#include "helpers.h"

namespace modelgate::policy {
namespace {

namespace fs = std::filesystem;
using namespace testing;

using cli_test::Binary;
using cli_test::CliRun;

CliRun Exec(const std::string& args, const std::string& stdin_file = "") {
  return cli_test::RunCheck(args, stdin_file);
}

class CheckCli : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(fs::exists(Binary())) << "no modelgate binary at " << Binary();
    dir_ = fs::path(::testing::TempDir()) / ("mg-check-" + std::to_string(getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "admissions");
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string Write(const std::string& name, const std::string& text) {
    std::ofstream(dir_ / name) << text;
    return (dir_ / name).string();
  }
  fs::path dir_;
};

// A Deployment (YAML) using the llama model, plus its NetworkPolicy.
std::string DeploymentYaml(bool root) {
  json pod = CompliantPod();
  if (root) pod["spec"].erase("securityContext");
  json dep = {{"apiVersion", "apps/v1"},
              {"kind", "Deployment"},
              {"metadata", {{"name", "llm"}, {"namespace", "ml"}}},
              {"spec", {{"template", {{"metadata", {{"labels", {{"app", "llm"}}}}}, {"spec", pod["spec"]}}}}}};
  return "# from helm template\n---\n" + dep.dump() + "\n---\n" + DenyAllEgress().dump() + "\n";
}

TEST_F(CheckCli, CompliantWorkloadExitsZero) {
  Write("admissions/llama.json", AdmittedModel().dump());
  std::string f = Write("app.yaml", DeploymentYaml(false));
  CliRun r = Exec("-f " + f + " --admissions " + (dir_ / "admissions").string());
  EXPECT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("Deployment \"llm\" in namespace \"ml\""), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("admitted"), std::string::npos) << r.out;
}

TEST_F(CheckCli, DeniedWorkloadExitsOneWithRuleLines) {
  Write("admissions/llama.json", AdmittedModel().dump());
  std::string f = Write("app.yaml", DeploymentYaml(true));
  CliRun r = Exec("-f " + f + " --admissions " + (dir_ / "admissions").string());
  EXPECT_EQ(r.code, 1) << r.out;
  EXPECT_NE(r.out.find("DENIED"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("[deny] MG009 container \"server\": may run as root"), std::string::npos) << r.out;
}

TEST_F(CheckCli, StdinAndListAndJsonOutput) {
  json list = {{"apiVersion", "v1"}, {"kind", "List"}, {"items", {AdmittedModel(), DenyAllEgress(), CompliantPod()}}};
  std::string f = Write("list.json", list.dump());
  CliRun r = Exec("-f - --output json", f);
  EXPECT_EQ(r.code, 0) << r.out;
  json j = json::parse(r.out);
  EXPECT_EQ(j["apiVersion"], "modelgate.io/check/v1");
  ASSERT_EQ(j["workloads"].size(), 1u);
  EXPECT_EQ(j["workloads"][0]["decision"]["allowed"], true);
  EXPECT_EQ(j["workloads"][0]["decision"]["models"][0]["name"], "llama");
}

TEST_F(CheckCli, UnregisteredModelInSarif) {
  std::string f = Write("pod.yaml", CompliantPod().dump() + "\n---\n" + DenyAllEgress().dump());
  CliRun r = Exec("-f " + f + " --output sarif");
  EXPECT_EQ(r.code, 1) << r.out;
  json j = json::parse(r.out);
  EXPECT_EQ(j["version"], "2.1.0");
  const json& res = j["runs"][0]["results"];
  ASSERT_GE(res.size(), 1u);
  EXPECT_EQ(res[0]["ruleId"], "MG001");
  EXPECT_EQ(res[0]["level"], "error");
  EXPECT_EQ(res[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"], f);
  EXPECT_EQ(j["runs"][0]["tool"]["driver"]["rules"].size(), 15u);
}

TEST_F(CheckCli, PolicyFileChangesTheOutcome) {
  std::string f = Write("app.yaml", DeploymentYaml(true));
  Write("admissions/llama.json", AdmittedModel().dump());
  std::string p = Write("policy.yaml", R"(apiVersion: modelgate.io/v1alpha1
kind: ModelAdmissionPolicy
metadata: {name: warn}
spec: {enforcement: Warn}
)");
  CliRun r = Exec("-f " + f + " --admissions " + (dir_ / "admissions").string() + " --policy " + p);
  EXPECT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("[warn] MG009"), std::string::npos) << r.out;
}

TEST_F(CheckCli, DisableFlag) {
  json ma = AdmittedModel();
  ma.erase("status");  // fresh from Git: not scanned yet
  Write("admissions/llama.json", ma.dump());
  // A Pod: on a Deployment template MG002 only warns (its pods are judged later).
  std::string f = Write("pod.yaml", CompliantPod().dump() + "\n---\n" + DenyAllEgress().dump());
  std::string adm = " --admissions " + (dir_ / "admissions").string();
  EXPECT_EQ(Exec("-f " + f + adm).code, 1);
  CliRun dep = Exec("-f " + Write("app.yaml", DeploymentYaml(false)) + adm);
  EXPECT_EQ(dep.code, 0) << dep.out;
  EXPECT_NE(dep.out.find("[warn] MG002"), std::string::npos) << dep.out;
  EXPECT_EQ(Exec("-f " + f + adm + " --disable MG002").code, 0);
  EXPECT_EQ(Exec("-f " + f + adm + " --disable MG999").code, 2);
}

TEST_F(CheckCli, UnreadableInputExitsTwo) {
  EXPECT_EQ(Exec("-f " + (dir_ / "missing.yaml").string()).code, 2);
  std::string bad = Write("bad.yaml", "kind: Pod\nspec: [unclosed\n");
  EXPECT_EQ(Exec("-f " + bad).code, 2);
  std::string badpolicy = Write("p.yaml", "kind: ModelAdmissionPolicy\nmetadata: {name: p}\nspec: {rules: {allowedFormats: [pkl]}}\n");
  EXPECT_EQ(Exec("-f " + Write("ok.yaml", CompliantPod().dump()) + " --policy " + badpolicy).code, 2);
  EXPECT_EQ(Exec("").code, 2);
}

}  // namespace
}  // namespace modelgate::policy
