// Scanner pods (policy/scanner_pod.h): modelgate's own scan pods are admitted although
// the model they scan is not scanned yet, and only when they have exactly the shape
// the operator gives them; every deviation is an ordinary pod, denied MG002 as before.
#include "policy/scanner_pod.h"

#include <gtest/gtest.h>

#include <functional>

#include "policy/decision.h"
#include "policy/request.h"
#include "helpers.h"

namespace modelgate::policy {
namespace {

using namespace testing;  // NOLINT: the policy test helpers
using nlohmann::json;

const std::string kScanner = "registry.example/modelgate@sha256:" + std::string(64, 'e');

// The pod the Job controller creates from controller::BuildScanJob for "llama" (the
// drift test in tests/policy/controller/ checks the real builder against this shape),
// plus the fields the API server defaults.
json ScanPod() {
  json pod = json::parse(R"({
    "apiVersion": "v1", "kind": "Pod",
    "metadata": {"name": "mg-scan-0123456789abcdef0123-x7k2p", "namespace": "ml",
                 "labels": {"modelgate.io/scan-job": "true", "modelgate.io/model": "llama"}},
    "spec": {
      "restartPolicy": "Never",
      "automountServiceAccountToken": false,
      "enableServiceLinks": false,
      "serviceAccountName": "default",
      "dnsPolicy": "ClusterFirst",
      "terminationGracePeriodSeconds": 30,
      "securityContext": {"runAsNonRoot": true, "runAsUser": 65532, "runAsGroup": 65532, "fsGroup": 65532,
                          "seccompProfile": {"type": "RuntimeDefault"}},
      "containers": [{
        "name": "scan",
        "imagePullPolicy": "IfNotPresent",
        "args": ["scan", "/model", "--output", "json", "--no-progress"],
        "volumeMounts": [{"name": "model", "mountPath": "/model", "readOnly": true, "subPath": "llama-3-8b"}],
        "resources": {"limits": {"cpu": "2", "memory": "2Gi"}, "requests": {"cpu": "250m", "memory": "256Mi"}},
        "securityContext": {"runAsNonRoot": true, "runAsUser": 65532, "runAsGroup": 65532,
                            "allowPrivilegeEscalation": false, "privileged": false, "readOnlyRootFilesystem": true,
                            "capabilities": {"drop": ["ALL"]}, "seccompProfile": {"type": "RuntimeDefault"}},
        "terminationMessagePolicy": "File",
        "terminationMessagePath": "/dev/termination-log"
      }],
      "volumes": [{"name": "model", "persistentVolumeClaim": {"claimName": "models", "readOnly": true}}]
    }})");
  pod["spec"]["containers"][0]["image"] = kScanner;
  return pod;
}

// The same pod spec as a Job's template (what the operator creates).
json ScanJob() {
  json pod = ScanPod();
  return {{"apiVersion", "batch/v1"},
          {"kind", "Job"},
          {"metadata", {{"name", "mg-scan-0123456789abcdef0123"}, {"namespace", "ml"}}},
          {"spec",
           {{"backoffLimit", 0}, {"template", {{"metadata", pod["metadata"]}, {"spec", pod["spec"]}}}}}};
}

// "llama" exists but has not been scanned: every ordinary pod using it is denied MG002.
json UnscannedModel() {
  json ma = AdmittedModel();
  ma.erase("status");
  return ma;
}

EvaluateOptions WithScanner(const std::string& image = kScanner) {
  EvaluateOptions o;
  o.scanner_image = image;
  return o;
}

json& Container0(json& pod) { return pod["spec"]["containers"][0]; }

TEST(ScannerPod, OperatorShapeIsAdmittedAlthoughTheModelIsUnscanned) {
  InMemoryClusterView c = Cluster(UnscannedModel());
  Decision d = Evaluate(W(ScanPod()), c, WithScanner());
  EXPECT_TRUE(d.allowed) << Lines(d);
  EXPECT_TRUE(d.violations.empty()) << Lines(d);
  ASSERT_EQ(d.notes.size(), 1u);
  EXPECT_NE(d.notes[0].find("scanner pod"), std::string::npos) << d.notes[0];
  EXPECT_NE(d.notes[0].find("model rules"), std::string::npos) << d.notes[0];
  // It reads the model (listed) but is the scan: it must not ask for another one.
  ASSERT_EQ(d.models.size(), 1u);
  EXPECT_EQ(d.models[0].name, "llama");
  EXPECT_TRUE(d.scan_requests.empty());
  EXPECT_EQ(DecisionToJson(d)["notes"], json::array({d.notes[0]}));
}

TEST(ScannerPod, OperatorJobIsAdmittedWithTheSameNote) {
  InMemoryClusterView c = Cluster(UnscannedModel());
  Decision d = Evaluate(W(ScanJob()), c, WithScanner());
  EXPECT_TRUE(d.allowed) << Lines(d);
  EXPECT_TRUE(d.violations.empty()) << Lines(d);
  EXPECT_TRUE(d.warnings.empty());
  EXPECT_EQ(d.notes.size(), 1u);
}

TEST(ScannerPod, WithoutTheOptionTheScanPodIsAnOrdinaryPod) {
  InMemoryClusterView c = Cluster(UnscannedModel());
  Decision d = Evaluate(W(ScanPod()), c);
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.Rules(), std::vector<std::string>{"MG002"}) << Lines(d);
  EXPECT_TRUE(d.notes.empty());
  EXPECT_FALSE(d.scan_requests.empty());
}

TEST(ScannerPod, OtherVolumeSourcesAndSeveralModelPaths) {
  InMemoryClusterView c = Cluster(UnscannedModel());
  json host = ScanPod();
  host["spec"]["volumes"][0] = {{"name", "model"}, {"hostPath", {{"path", "/mnt/m"}}}};
  EXPECT_TRUE(CheckScannerPod(W(host), kScanner).recognised);
  json image = ScanPod();
  image["spec"]["volumes"][0] = {{"name", "model"}, {"image", {{"reference", "reg/m@sha256:" + kSha}}}};
  EXPECT_TRUE(CheckScannerPod(W(image), kScanner).recognised);
  json two = ScanPod();
  Container0(two)["args"] = {"scan", "/model/a", "/model/b/c.safetensors", "--no-progress"};
  Container0(two)["volumeMounts"] = {{{"name", "model"}, {"mountPath", "/model/a"}, {"readOnly", true}},
                                     {{"name", "model"}, {"mountPath", "/model/b"}, {"readOnly", true}}};
  EXPECT_TRUE(CheckScannerPod(W(two), kScanner).recognised) << CheckScannerPod(W(two), kScanner).reason;
}

// The operator's Job for a model that declares a signature: it embeds the signature file
// in its report (controller::JobSignaturePath).
TEST(ScannerPod, OneEmbedSignatureWithARelativePathIsRecognised) {
  for (const char* sig : {"model.sig", "sigs/model.sig"}) {
    json pod = ScanPod();
    Container0(pod)["args"].push_back("--embed-signature");
    Container0(pod)["args"].push_back(sig);
    const ScannerPodCheck check = CheckScannerPod(W(pod), kScanner);
    EXPECT_TRUE(check.recognised) << sig << ": " << check.reason;
  }
  json before = ScanPod();
  Container0(before)["args"] = {"scan", "--embed-signature", "model.sig", "/model", "--output", "json"};
  EXPECT_TRUE(CheckScannerPod(W(before), kScanner).recognised) << CheckScannerPod(W(before), kScanner).reason;
}

// Each deviation from the shape makes the pod ordinary again: denied MG002 (MG001 when
// the deviation also unbinds the model), no note.
struct Deviation {
  const char* name;
  std::function<void(json&)> mutate;
  const char* rule = "MG002";  // how the ordinary pod is denied
};
void PrintTo(const Deviation& d, std::ostream* os) { *os << d.name; }

class ScannerPodDeviation : public ::testing::TestWithParam<Deviation> {};

TEST_P(ScannerPodDeviation, IsDeniedMg002AsBefore) {
  InMemoryClusterView c = Cluster(UnscannedModel());
  json pod = ScanPod();
  GetParam().mutate(pod);
  auto w = WorkloadFromObject(pod);
  ASSERT_TRUE(w.ok()) << w.status().message();
  const ScannerPodCheck check = CheckScannerPod(w.value(), kScanner);
  EXPECT_FALSE(check.recognised);
  EXPECT_FALSE(check.reason.empty());
  Decision d = Evaluate(w.value(), c, WithScanner());
  EXPECT_FALSE(d.allowed);
  EXPECT_TRUE(HasRule(d, GetParam().rule)) << Lines(d);
  EXPECT_TRUE(d.notes.empty());
}

json Sidecar() {
  return {{"name", "side"},
          {"image", "busybox"},
          {"securityContext", {{"allowPrivilegeEscalation", false}, {"capabilities", {{"drop", {"ALL"}}}}}}};
}

const Deviation kDeviations[] = {
    {"WrongImage", [](json& p) { Container0(p)["image"] = "registry.example/modelgate:latest"; }},
    {"ImagePrefixOnly", [](json& p) { Container0(p)["image"] = kScanner + "0"; }},
    {"CommandOverride", [](json& p) { Container0(p)["command"] = {"/bin/sh", "-c"}; }},
    {"CommandSameAsEntrypoint", [](json& p) { Container0(p)["command"] = {"/usr/local/bin/modelgate"}; }},
    {"ExtraContainer", [](json& p) { p["spec"]["containers"].push_back(Sidecar()); }},
    {"InitContainer", [](json& p) { p["spec"]["initContainers"] = json::array({Sidecar()}); }},
    {"EphemeralContainer", [](json& p) { p["spec"]["ephemeralContainers"] = json::array({Sidecar()}); }},
    {"OnlyAnInitContainer",
     [](json& p) {
       p["spec"]["initContainers"] = p["spec"]["containers"];
       p["spec"]["containers"] = json::array();
     }},
    {"WritableMount", [](json& p) { Container0(p)["volumeMounts"][0]["readOnly"] = false; }},
    {"MountReadOnlyUnset", [](json& p) { Container0(p)["volumeMounts"][0].erase("readOnly"); }},
    {"PvcNotReadOnly", [](json& p) { p["spec"]["volumes"][0]["persistentVolumeClaim"].erase("readOnly"); }},
    {"TokenAutomounted", [](json& p) { p["spec"]["automountServiceAccountToken"] = true; }},
    {"TokenUnset", [](json& p) { p["spec"].erase("automountServiceAccountToken"); }},
    {"HostNetwork", [](json& p) { p["spec"]["hostNetwork"] = true; }},
    {"HostPid", [](json& p) { p["spec"]["hostPID"] = true; }},
    {"HostIpc", [](json& p) { p["spec"]["hostIPC"] = true; }},
    {"FirstArgNotScan", [](json& p) { Container0(p)["args"][0] = "verify"; }},
    {"NoArgs", [](json& p) { Container0(p).erase("args"); }},
    {"UnknownScanFlag", [](json& p) { Container0(p)["args"].push_back("--threads"); }},
    {"OutputNotJson", [](json& p) { Container0(p)["args"][3] = "sarif"; }},
    {"PathOutsideModel", [](json& p) { Container0(p)["args"][1] = "/etc"; }},
    {"EmbedSignatureAbsolute",
     [](json& p) { Container0(p)["args"].insert(Container0(p)["args"].end(), {"--embed-signature", "/etc/shadow"}); }},
    {"EmbedSignatureUnderTheMountButAbsolute",
     [](json& p) {
       Container0(p)["args"].insert(Container0(p)["args"].end(), {"--embed-signature", "/model/model.sig"});
     }},
    {"EmbedSignatureClimbsOut",
     [](json& p) { Container0(p)["args"].insert(Container0(p)["args"].end(), {"--embed-signature", "../x"}); }},
    {"EmbedSignatureDotSegment",
     [](json& p) { Container0(p)["args"].insert(Container0(p)["args"].end(), {"--embed-signature", "a/./b"}); }},
    {"EmbedSignatureValueIsAFlag",
     [](json& p) { Container0(p)["args"] = {"scan", "/model", "--embed-signature", "--output", "json"}; }},
    {"EmbedSignatureWithoutValue", [](json& p) { Container0(p)["args"].push_back("--embed-signature"); }},
    {"EmbedSignatureTwice",
     [](json& p) {
       Container0(p)["args"].insert(Container0(p)["args"].end(),
                                    {"--embed-signature", "a.sig", "--embed-signature", "b.sig"});
     }},
    {"EmbedSignatureEqualsForm",
     [](json& p) { Container0(p)["args"].push_back("--embed-signature=model.sig"); }},
    {"EmbedSignatureAndAnotherFlag",
     [](json& p) {
       Container0(p)["args"].insert(Container0(p)["args"].end(), {"--embed-signature", "model.sig", "--threads", "1"});
     }},
    {"PathClimbsOut", [](json& p) { Container0(p)["args"][1] = "/model/../etc"; }},
    {"EnvSet", [](json& p) { Container0(p)["env"] = {{{"name", "LD_PRELOAD"}, {"value", "/model/x.so"}}}; }},
    {"EnvFrom", [](json& p) { Container0(p)["envFrom"] = {{{"configMapRef", {{"name", "c"}}}}}; }},
    {"PostStartHook",
     [](json& p) { Container0(p)["lifecycle"] = {{"postStart", {{"exec", {{"command", {"/model/run"}}}}}}}; }},
    {"ExecProbe",
     [](json& p) { Container0(p)["livenessProbe"] = {{"exec", {{"command", {"/model/run"}}}}}; }},
    {"WorkingDir", [](json& p) { Container0(p)["workingDir"] = "/model"; }},
    {"MountShadowsTheBinary",
     [](json& p) {
       p["spec"]["volumes"].push_back({{"name", "bin"}, {"image", {{"reference", "evil/bin:1"}}}});
       Container0(p)["volumeMounts"].push_back(
           {{"name", "bin"}, {"mountPath", "/usr/local/bin"}, {"readOnly", true}});
     }},
    {"MountPathClimbsOut", [](json& p) { Container0(p)["volumeMounts"][0]["mountPath"] = "/model/../usr/lib"; }},
    {"MountPathLookalike", [](json& p) { Container0(p)["volumeMounts"][0]["mountPath"] = "/modelx"; }},
    {"SubPathExpr",
     [](json& p) {
       Container0(p)["volumeMounts"][0].erase("subPath");
       Container0(p)["volumeMounts"][0]["subPathExpr"] = "$(POD_NAME)";
     },
     "MG001"},  // the subpath is unknown until run time: no ModelAdmission covers it
    {"SecretVolume",
     [](json& p) { p["spec"]["volumes"].push_back({{"name", "s"}, {"secret", {{"secretName", "creds"}}}}); }},
    {"ProjectedTokenVolume",
     [](json& p) {
       p["spec"]["volumes"].push_back(
           {{"name", "tok"}, {"projected", {{"sources", {{{"serviceAccountToken", {{"path", "t"}}}}}}}}});
     }},
};

INSTANTIATE_TEST_SUITE_P(All, ScannerPodDeviation, ::testing::ValuesIn(kDeviations),
                         [](const ::testing::TestParamInfo<Deviation>& i) { return std::string(i.param.name); });

TEST(ScannerPod, OtherKindsAreNeverScannerPods) {
  InMemoryClusterView c = Cluster(UnscannedModel());
  json job = ScanJob();
  json dep = {{"apiVersion", "apps/v1"},
              {"kind", "Deployment"},
              {"metadata", {{"name", "scan-forever"}, {"namespace", "ml"}}},
              {"spec", {{"selector", {{"matchLabels", {{"a", "b"}}}}}, {"template", job["spec"]["template"]}}}};
  EXPECT_FALSE(CheckScannerPod(W(dep), kScanner).recognised);
  Decision d = Evaluate(W(dep), c, WithScanner());
  EXPECT_TRUE(d.notes.empty());
  EXPECT_TRUE(HasRule(d, "MG002")) << Lines(d);  // a warning on templates, as for any Deployment
}

TEST(ScannerPod, FeatureOffNeverRecognises) {
  const ScannerPodCheck check = CheckScannerPod(W(ScanPod()), "");
  EXPECT_FALSE(check.recognised);
  EXPECT_TRUE(check.reason.empty());
  // An image that is empty must not match a pod whose image is empty either.
  json pod = ScanPod();
  Container0(pod)["image"] = "";
  EXPECT_FALSE(CheckScannerPod(W(pod), "").recognised);
}

// Recognition skips the model rules only: root-dropping and egress still judge it.
TEST(ScannerPod, RootDroppingRulesStillApply) {
  InMemoryClusterView c = Cluster(UnscannedModel());
  json pod = ScanPod();
  pod["spec"]["securityContext"].erase("runAsNonRoot");
  pod["spec"]["securityContext"].erase("runAsUser");
  json& sc = Container0(pod)["securityContext"];
  sc.erase("runAsNonRoot");
  sc.erase("runAsUser");
  sc["allowPrivilegeEscalation"] = true;
  sc["capabilities"] = {{"add", {"SYS_ADMIN"}}};
  Decision d = Evaluate(W(pod), c, WithScanner());
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.Rules(), (std::vector<std::string>{"MG009", "MG010", "MG011"})) << Lines(d);
  EXPECT_EQ(d.notes.size(), 1u);  // still recognised: the model rules are not what denies it
}

TEST(ScannerPod, PrivilegedScannerPodIsDenied) {
  InMemoryClusterView c = Cluster(UnscannedModel());
  json pod = ScanPod();
  Container0(pod)["securityContext"]["privileged"] = true;
  Decision d = Evaluate(W(pod), c, WithScanner());
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.Rules(), std::vector<std::string>{"MG010"}) << Lines(d);
}

TEST(ScannerPod, EgressRuleStillApplies) {
  InMemoryClusterView c;  // the model, but no NetworkPolicy denying the scan pod's egress
  c.AddModelAdmission(MA(UnscannedModel()));
  Decision d = Evaluate(W(ScanPod()), c, WithScanner());
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.Rules(), std::vector<std::string>{"MG012"}) << Lines(d);

  // The chart's isolation policy for the scan-job label restricts it.
  c.AddNetworkPolicy(NP(json::parse(R"({"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
    "metadata": {"name": "modelgate-scan-job-isolation", "namespace": "ml"},
    "spec": {"podSelector": {"matchLabels": {"modelgate.io/scan-job": "true"}},
             "policyTypes": ["Ingress", "Egress"]}})")));
  d = Evaluate(W(ScanPod()), c, WithScanner());
  EXPECT_TRUE(d.allowed) << Lines(d);
}

TEST(ScannerPod, UnregisteredModelVolumeIsNotMg001) {
  InMemoryClusterView c;
  c.AddNetworkPolicy(NP(DenyAllEgress()));
  // No ModelAdmission at all: the "model" volume is an unregistered model volume.
  Decision plain = Evaluate(W(ScanPod()), c);
  EXPECT_TRUE(HasRule(plain, "MG001")) << Lines(plain);
  Decision d = Evaluate(W(ScanPod()), c, WithScanner());
  EXPECT_TRUE(d.allowed) << Lines(d);
}

TEST(ScannerPod, EvaluateWithPolicyRecognisesToo) {
  InMemoryClusterView c = Cluster(UnscannedModel());
  Decision d = EvaluateWithPolicy(W(ScanPod()), c, DefaultPolicy(), WithScanner());
  EXPECT_TRUE(d.allowed) << Lines(d);
  EXPECT_EQ(d.notes.size(), 1u);
}

TEST(ScannerPod, NoNoteWhenNoPolicySelectsTheNamespace) {
  InMemoryClusterView c = Cluster(UnscannedModel());
  AdmissionPolicy p = DefaultPolicy();
  p.name = "elsewhere";
  p.has_namespace_selector = true;
  auto sel = LabelSelector::FromJson(json{{"matchLabels", {{"team", "other"}}}}, "spec.namespaceSelector");
  ASSERT_TRUE(sel.ok());
  p.namespace_selector = sel.value();
  c.AddPolicy(p);
  Decision d = Evaluate(W(ScanPod()), c, WithScanner());
  EXPECT_FALSE(d.evaluated);
  EXPECT_TRUE(d.notes.empty());
}

TEST(ScannerPod, ReviewRecordsTheNoteAsAnAuditAnnotation) {
  InMemoryClusterView c = Cluster(UnscannedModel());
  AdmissionRequest req;
  req.uid = "u";
  req.operation = "CREATE";
  req.kind.kind = "Pod";
  req.namespace_name = "ml";
  req.object = ScanPod();
  ReviewOutcome out = Review(req, c, WithScanner());
  EXPECT_TRUE(out.response.allowed) << out.response.message;
  EXPECT_TRUE(out.response.warnings.empty());
  ASSERT_EQ(out.response.audit_annotations.count("modelgate.io/notes"), 1u);
  EXPECT_NE(out.response.audit_annotations.at("modelgate.io/notes").find("scanner pod"), std::string::npos);
}

}  // namespace
}  // namespace modelgate::policy
