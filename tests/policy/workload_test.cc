// Workload extraction for every kind, and field-path errors.
#include "helpers.h"

namespace modelgate::policy {
namespace {

using namespace testing;

json Template() {
  json pod = CompliantPod();
  return {{"metadata", {{"labels", {{"app", "llm"}}}, {"annotations", {{"modelgate.io/models", "llama"}}}}},
          {"spec", pod["spec"]}};
}

json Wrap(const std::string& kind) {
  json obj = {{"apiVersion", "apps/v1"}, {"kind", kind}, {"metadata", {{"name", "w"}, {"namespace", "ml"}}}};
  if (kind == "CronJob") obj["spec"] = {{"jobTemplate", {{"spec", {{"template", Template()}}}}}};
  else obj["spec"] = {{"template", Template()}};
  return obj;
}

class Kinds : public ::testing::TestWithParam<const char*> {};

TEST_P(Kinds, PodTemplateIsExtracted) {
  auto w = WorkloadFromObject(Wrap(GetParam()));
  ASSERT_TRUE(w.ok()) << w.status().message();
  EXPECT_EQ(w->kind, GetParam());
  EXPECT_EQ(w->name, "w");
  EXPECT_EQ(w->namespace_name, "ml");
  EXPECT_EQ(w->labels.at("app"), "llm");
  EXPECT_EQ(w->annotations.at("modelgate.io/models"), "llama");
  ASSERT_EQ(w->containers.size(), 1u);
  EXPECT_EQ(w->containers[0].mounts[0].sub_path, "llama-3-8b");
  ASSERT_EQ(w->volumes.size(), 1u);
  EXPECT_EQ(w->volumes[0].kind, VolumeKind::kPvc);
  EXPECT_EQ(w->volumes[0].claim_name, "models");
  EXPECT_EQ(w->pod_security.run_as_non_root, std::optional<bool>(true));
}

INSTANTIATE_TEST_SUITE_P(All, Kinds,
                         ::testing::Values("Deployment", "StatefulSet", "DaemonSet", "ReplicaSet",
                                           "ReplicationController", "Job", "CronJob"));

TEST(Workload, PodUsesItsOwnMetadata) {
  json pod = CompliantPod();
  pod["metadata"].erase("name");
  pod["metadata"]["generateName"] = "server-";
  pod["metadata"].erase("namespace");
  auto w = WorkloadFromObject(pod, "from-request");
  ASSERT_TRUE(w.ok()) << w.status().message();
  EXPECT_EQ(w->name, "server-");
  EXPECT_EQ(w->namespace_name, "from-request");
  EXPECT_EQ(w->labels.at("app"), "llm");
}

TEST(Workload, EphemeralContainersSubresourceBody) {
  json pod = CompliantPod();
  pod["spec"]["ephemeralContainers"] = json::parse(
      R"([{"name": "debugger", "image": "busybox", "targetContainerName": "server",
           "securityContext": {"privileged": true},
           "volumeMounts": [{"name": "weights", "mountPath": "/w"}]}])");
  auto w = WorkloadFromObject(pod);
  ASSERT_TRUE(w.ok()) << w.status().message();
  ASSERT_EQ(w->containers.size(), 2u);
  EXPECT_EQ(w->containers[1].kind, ContainerKind::kEphemeral);
  EXPECT_EQ(w->containers[1].security.privileged, std::optional<bool>(true));
}

TEST(Workload, ContainerOrderIsInitRegularEphemeral) {
  json pod = CompliantPod();
  pod["spec"]["initContainers"] = json::parse(R"([{"name": "fetch", "image": "x"}])");
  pod["spec"]["ephemeralContainers"] = json::parse(R"([{"name": "dbg", "image": "x"}])");
  auto w = WorkloadFromObject(pod);
  ASSERT_TRUE(w.ok());
  ASSERT_EQ(w->containers.size(), 3u);
  EXPECT_EQ(w->containers[0].kind, ContainerKind::kInit);
  EXPECT_EQ(w->containers[1].kind, ContainerKind::kRegular);
  EXPECT_EQ(w->containers[2].kind, ContainerKind::kEphemeral);
}

TEST(Workload, VolumeKinds) {
  json pod = CompliantPod();
  pod["spec"]["volumes"] = json::parse(R"([
    {"name": "a", "hostPath": {"path": "/mnt/models"}},
    {"name": "b", "image": {"reference": "reg/m:1"}},
    {"name": "c", "emptyDir": {}},
    {"name": "d", "persistentVolumeClaim": {"claimName": "p"}}])");
  auto w = WorkloadFromObject(pod);
  ASSERT_TRUE(w.ok());
  EXPECT_EQ(w->volumes[0].kind, VolumeKind::kHostPath);
  EXPECT_EQ(w->volumes[0].host_path, "/mnt/models");
  EXPECT_EQ(w->volumes[1].kind, VolumeKind::kImage);
  EXPECT_EQ(w->volumes[1].image_reference, "reg/m:1");
  EXPECT_EQ(w->volumes[2].kind, VolumeKind::kOther);
  EXPECT_EQ(w->volumes[2].other_type, "emptyDir");
  EXPECT_EQ(w->volumes[3].claim_name, "p");
}

TEST(Workload, SubPathExprIsMarked) {
  json pod = CompliantPod();
  pod["spec"]["containers"][0]["volumeMounts"][0] = {{"name", "weights"}, {"mountPath", "/m"}, {"subPathExpr", "$(X)"}};
  auto w = WorkloadFromObject(pod);
  ASSERT_TRUE(w.ok());
  EXPECT_TRUE(w->containers[0].mounts[0].sub_path_expr);
}

// What the scanner-pod recognition reads (policy/scanner_pod.h).
TEST(Workload, CommandArgsFieldsAndReadOnly) {
  json pod = CompliantPod();
  json& c = pod["spec"]["containers"][0];
  c["command"] = {"/bin/server"};
  c["args"] = {"--port", "8000"};
  c["env"] = json::array();     // empty: not set
  c["workingDir"] = nullptr;    // null: not set
  c["stdin"] = false;           // a value: set
  c["volumeMounts"][0]["readOnly"] = true;
  pod["spec"]["volumes"][0]["persistentVolumeClaim"]["readOnly"] = true;
  pod["spec"]["automountServiceAccountToken"] = false;
  pod["spec"]["hostNetwork"] = true;
  pod["spec"]["hostIPC"] = true;
  auto w = WorkloadFromObject(pod);
  ASSERT_TRUE(w.ok()) << w.status().message();
  const Container& out = w->containers[0];
  EXPECT_EQ(out.command, std::vector<std::string>{"/bin/server"});
  EXPECT_EQ(out.args, (std::vector<std::string>{"--port", "8000"}));
  EXPECT_EQ(out.fields,
            (std::vector<std::string>{"args", "command", "image", "name", "securityContext", "stdin", "volumeMounts"}));
  EXPECT_TRUE(out.mounts[0].read_only);
  EXPECT_TRUE(w->volumes[0].read_only);
  EXPECT_EQ(w->automount_service_account_token, std::optional<bool>(false));
  EXPECT_TRUE(w->host_network);
  EXPECT_FALSE(w->host_pid);
  EXPECT_TRUE(w->host_ipc);
}

TEST(Workload, UnsetFlagsStayUnset) {
  auto w = WorkloadFromObject(CompliantPod());
  ASSERT_TRUE(w.ok());
  EXPECT_FALSE(w->automount_service_account_token.has_value());
  EXPECT_FALSE(w->containers[0].mounts[0].read_only);
  EXPECT_FALSE(w->volumes[0].read_only);
  EXPECT_TRUE(w->containers[0].command.empty());
}

TEST(WorkloadErrors, UnsupportedKind) {
  auto w = WorkloadFromObject(json::parse(R"({"kind": "Service", "metadata": {"name": "s"}, "spec": {}})"));
  ASSERT_FALSE(w.ok());
  EXPECT_NE(w.status().message().find("unsupported kind \"Service\""), std::string::npos);
}

TEST(WorkloadErrors, MissingPodSpecNamesThePath) {
  auto w = WorkloadFromObject(json::parse(R"({"kind": "CronJob", "metadata": {"name": "c"}, "spec": {"jobTemplate": {}}})"));
  ASSERT_FALSE(w.ok());
  EXPECT_NE(w.status().message().find("spec.jobTemplate.spec.template.spec: required"), std::string::npos)
      << w.status().message();
}

TEST(WorkloadErrors, WrongTypeNamesTheFieldPath) {
  json dep = Wrap("Deployment");
  dep["spec"]["template"]["spec"]["containers"][0]["securityContext"]["runAsUser"] = "root";
  auto w = WorkloadFromObject(dep);
  ASSERT_FALSE(w.ok());
  EXPECT_NE(w.status().message().find("spec.template.spec.containers[0].securityContext.runAsUser: expected an integer"),
            std::string::npos)
      << w.status().message();
}

TEST(WorkloadErrors, NewFieldsOfTheWrongTypeNameTheirPath) {
  json pod = CompliantPod();
  pod["spec"]["containers"][0]["args"] = {"scan", 1};
  pod["spec"]["automountServiceAccountToken"] = "no";
  pod["spec"]["containers"][0]["volumeMounts"][0]["readOnly"] = "yes";
  auto w = WorkloadFromObject(pod);
  ASSERT_FALSE(w.ok());
  const std::string m = w.status().message();
  EXPECT_NE(m.find("spec.containers[0].args[1]: expected a string"), std::string::npos) << m;
  EXPECT_NE(m.find("spec.automountServiceAccountToken: expected a boolean"), std::string::npos) << m;
  EXPECT_NE(m.find("spec.containers[0].volumeMounts[0].readOnly: expected a boolean"), std::string::npos) << m;
}

// A list element that is not an object is an error at its own path, for every list the
// workload reads (containers, volume mounts, volumes), and reading goes on past it.
TEST(WorkloadErrors, ListElementsThatAreNotObjectsNameTheirPath) {
  json pod = CompliantPod();
  pod["spec"]["initContainers"] = {"init"};
  pod["spec"]["containers"][0]["volumeMounts"].push_back(7);
  pod["spec"]["volumes"].insert(pod["spec"]["volumes"].begin(), nullptr);
  auto w = WorkloadFromObject(pod);
  ASSERT_FALSE(w.ok());
  const std::string m = w.status().message();
  EXPECT_NE(m.find("spec.initContainers[0]: expected an object"), std::string::npos) << m;
  EXPECT_NE(m.find("spec.containers[0].volumeMounts[1]: expected an object"), std::string::npos) << m;
  EXPECT_NE(m.find("spec.volumes[0]: expected an object"), std::string::npos) << m;
}

TEST(WorkloadErrors, NotAnObject) {
  EXPECT_FALSE(WorkloadFromObject(json::array()).ok());
  EXPECT_FALSE(WorkloadFromObject(json("Pod")).ok());
}

}  // namespace
}  // namespace modelgate::policy
