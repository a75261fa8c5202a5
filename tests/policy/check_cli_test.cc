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
namespace cli = ::modelgate::cli_test;

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
  // An absolute path is a file:// URI (SARIF needs a URI, not a bare path).
  EXPECT_EQ(res[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"], "file://" + f);
  const json& rules = j["runs"][0]["tool"]["driver"]["rules"];
  ASSERT_EQ(rules.size(), 15u);
  EXPECT_EQ(rules[0]["id"], "MG001");
  EXPECT_EQ(rules[0]["shortDescription"]["text"], "model volume with no ModelAdmission");
  EXPECT_NE(rules[0]["help"]["text"].get<std::string>().find("docs/rules.md (MG001)"), std::string::npos);
  for (const json& rule : rules) EXPECT_FALSE(rule.contains("helpUri")) << rule.dump();
}

// Stdin has no file to point at: "<stdin>" is not a URI, so the result keeps only its
// logical location (namespace/kind/name).
TEST_F(CheckCli, SarifFromStdinHasNoArtifactLocation) {
  std::string f = Write("pod.yaml", CompliantPod().dump() + "\n---\n" + DenyAllEgress().dump());
  CliRun r = Exec("-f - --output sarif", f);
  EXPECT_EQ(r.code, 1) << r.out;
  const json loc = json::parse(r.out)["runs"][0]["results"][0]["locations"][0];
  EXPECT_FALSE(loc.contains("physicalLocation")) << loc.dump();
  EXPECT_EQ(loc["logicalLocations"][0]["fullyQualifiedName"], "ml/Pod/server") << loc.dump();
}

// A repository-relative path stays relative (what code-scanning UIs match against the
// checkout), percent-encoded where a file name holds URI delimiters.
TEST_F(CheckCli, SarifRelativePathIsAnEncodedRelativeUri) {
  Write("my pod#1.yaml", CompliantPod().dump() + "\n---\n" + DenyAllEgress().dump());
  cli::CliResult r = cli::RunModelgate("check -f 'my pod#1.yaml' --output sarif", {.stdin_file = "", .cwd = dir_.string()});
  EXPECT_EQ(r.code, 1) << r.err;
  EXPECT_EQ(json::parse(r.out)["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            "my%20pod%231.yaml");
}

// `-f` takes every argument up to the next flag, so a shell glob works in CI.
TEST_F(CheckCli, FilenameFlagTakesEveryFollowingPath) {
  Write("admissions/llama.json", AdmittedModel().dump());
  const std::string adm = " --admissions " + (dir_ / "admissions").string();
  fs::create_directories(dir_ / "k8s");
  const std::string good = Write("k8s/good.yaml", DeploymentYaml(false));
  const std::string root = Write("k8s/root.yaml", DeploymentYaml(true));
  for (const std::string& files : {"-f " + (dir_ / "k8s").string() + "/*.yaml", "-f " + good + " " + root,
                                   "-f " + good + " -f " + root, "--filename " + good + " " + root}) {
    CliRun r = Exec(files + adm);
    EXPECT_EQ(r.code, 1) << files << "\n" << r.out;  // root.yaml is denied
    EXPECT_NE(r.out.find("(" + good + "#"), std::string::npos) << files << "\n" << r.out;
    EXPECT_NE(r.out.find("(" + root + "#"), std::string::npos) << files << "\n" << r.out;
    EXPECT_NE(r.out.find("2 workload(s): 1 denied"), std::string::npos) << files << "\n" << r.out;
  }
  // "-" among the paths is stdin.
  CliRun mixed = Exec("-f " + good + " -" + adm, root);
  EXPECT_EQ(mixed.code, 1) << mixed.out;
  EXPECT_NE(mixed.out.find("(<stdin>#"), std::string::npos) << mixed.out;
  // A path after another flag is not a manifest: a usage error, not silently dropped.
  cli::CliResult after = cli::RunModelgate("check -f " + good + " --output json " + root + adm);
  EXPECT_EQ(after.code, 2);
  EXPECT_NE(after.err.find("unknown argument '" + root + "'"), std::string::npos) << after.err;
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

// --policy replaces the policies found in the manifests and in --admissions (a dump of
// the cluster holds its Enforce policy), in both directions.
TEST_F(CheckCli, PolicyFlagReplacesThePoliciesOfTheInputs) {
  auto policy = [&](const std::string& file, const std::string& mode) {
    return Write(file, "apiVersion: modelgate.io/v1alpha1\nkind: ModelAdmissionPolicy\nmetadata: {name: " + file.substr(0, file.find('.')) +
                           "}\nspec: {enforcement: " + mode + "}\n");
  };
  Write("admissions/llama.json", AdmittedModel().dump());
  const std::string adm = " --admissions " + (dir_ / "admissions").string();
  const std::string app = Write("app.yaml", DeploymentYaml(true));  // MG009
  const std::string warn = policy("warn.yaml", "Warn"), enforce = policy("enforce.yaml", "Enforce");

  // The cluster's Enforce policy arrives with the dump; --policy Warn is what is tried.
  Write("admissions/enforce.yaml", std::string("apiVersion: modelgate.io/v1alpha1\nkind: ModelAdmissionPolicy\n") +
                                       "metadata: {name: cluster}\nspec: {enforcement: Enforce}\n");
  EXPECT_EQ(Exec("-f " + app + adm).code, 1);
  CliRun tried = Exec("-f " + app + adm + " --policy " + warn);
  EXPECT_EQ(tried.code, 0) << tried.out;
  EXPECT_NE(tried.out.find("admitted with warnings"), std::string::npos) << tried.out;
  EXPECT_NE(tried.out.find("[warn] MG009"), std::string::npos) << tried.out;
  EXPECT_NE(tried.out.find("warning: the ModelAdmissionPolicy at " + (dir_ / "admissions" / "enforce.yaml").string() +
                           "#1 is not used: --policy replaces it"),
            std::string::npos)
      << tried.out;
  fs::remove(dir_ / "admissions" / "enforce.yaml");

  // A Warn policy in the manifests themselves; --policy Enforce makes it a denial.
  const std::string app_warn = Write("app-warn.yaml", DeploymentYaml(true) + "---\n" +
                                                          "apiVersion: modelgate.io/v1alpha1\nkind: ModelAdmissionPolicy\n"
                                                          "metadata: {name: team}\nspec: {enforcement: Warn}\n");
  EXPECT_EQ(Exec("-f " + app_warn + adm).code, 0);
  EXPECT_EQ(Exec("-f " + app_warn + adm + " --policy " + enforce).code, 1);

  // A --policy file without a policy would silently leave the built-in default: refused.
  EXPECT_EQ(Exec("-f " + app + adm + " --policy " + Write("none.yaml", "kind: ConfigMap\nmetadata: {name: x}\n")).code,
            2);
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
