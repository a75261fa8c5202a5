// MG001-MG008 and MG013-MG015: each rule triggered and satisfied, table-driven.
#include <functional>

#include "helpers.h"
#include "policy/admission_policy.h"

namespace modelgate::policy {
namespace {

using namespace testing;

struct Case {
  const char* name;
  std::function<void(json& pod, json& ma)> mutate;
  std::function<void(AdmissionPolicy&)> configure;  // may be null
  const char* rule;      // expected rule, or nullptr for "admitted"
  const char* contains;  // expected text in the violation line (optional)
};

void PrintTo(const Case& c, std::ostream* os) { *os << c.name; }


AdmissionPolicy AllRules() {
  AdmissionPolicy p = DefaultPolicy();
  for (auto id : kRuleIds) p.rules.enabled.insert(std::string(id));
  p.rules.allowed_licenses = {"Apache-2.0", "MIT"};
  return p;
}

class ModelRules : public ::testing::TestWithParam<Case> {};

TEST_P(ModelRules, Evaluate) {
  const Case& c = GetParam();
  json pod = CompliantPod(), ma = AdmittedModel();
  if (c.mutate) c.mutate(pod, ma);
  AdmissionPolicy p = AllRules();
  if (c.configure) c.configure(p);
  InMemoryClusterView cluster = Cluster(ma);
  Decision d = EvaluateWithPolicy(W(pod), cluster, p);
  if (c.rule == nullptr) {
    EXPECT_TRUE(d.allowed) << Lines(d);
    EXPECT_TRUE(d.violations.empty()) << Lines(d);
    return;
  }
  EXPECT_FALSE(d.allowed);
  ASSERT_TRUE(HasRule(d, c.rule)) << "expected " << c.rule << ", got:\n" << Lines(d);
  if (c.contains) {
    EXPECT_NE(Lines(d).find(c.contains), std::string::npos) << Lines(d);
  }
}

const Case kCases[] = {
    {"CompliantPodIsAdmitted", nullptr, nullptr, nullptr, nullptr},
    // MG001
    {"UnregisteredModelPvc", [](json& pod, json&) { pod["spec"]["volumes"][0]["persistentVolumeClaim"]["claimName"] = "other"; },
     nullptr, "MG001", "volume \"weights\": mounted at /models/llama"},
    {"MountOutsideTheModelSubPath", [](json& pod, json&) { pod["spec"]["containers"][0]["volumeMounts"][0]["subPath"] = "mistral"; },
     nullptr, "MG001", "subPath \"mistral\""},
    {"WholeClaimMountIsNotCoveredBySubPathAdmission",
     [](json& pod, json&) { pod["spec"]["containers"][0]["volumeMounts"][0].erase("subPath"); }, nullptr, "MG001", nullptr},
    {"MountBelowTheModelSubPathIsCovered",
     [](json& pod, json&) { pod["spec"]["containers"][0]["volumeMounts"][0]["subPath"] = "llama-3-8b/shards/"; }, nullptr,
     nullptr, nullptr},
    {"SubPathExprIsNotCovered",
     [](json& pod, json&) {
       auto& m = pod["spec"]["containers"][0]["volumeMounts"][0];
       m.erase("subPath");
       m["subPathExpr"] = "$(MODEL)";
     },
     nullptr, "MG001", nullptr},
    {"AnnotationNamesMissingAdmission",
     [](json& pod, json&) { pod["metadata"]["annotations"]["modelgate.io/models"] = "llama, ghost"; }, nullptr, "MG001",
     "names ModelAdmission \"ghost\""},
    {"UndetectedVolumeIsNotJudged",
     [](json& pod, json&) {
       pod["spec"]["volumes"][0] = json::parse(R"({"name": "cache", "emptyDir": {}})");
       pod["spec"]["containers"][0]["volumeMounts"][0] = json::parse(R"({"name": "cache", "mountPath": "/tmp"})");
     },
     nullptr, nullptr, nullptr},
    {"VolumeNamePatternDetectsModel",
     [](json& pod, json&) {
       pod["spec"]["volumes"][0] = json::parse(R"({"name": "model-cache", "emptyDir": {}})");
       pod["spec"]["containers"][0]["volumeMounts"][0] = json::parse(R"({"name": "model-cache", "mountPath": "/cache"})");
     },
     nullptr, "MG001", "modelgate.io/models"},
    {"AnnotationVouchesForEmptyDir",
     [](json& pod, json&) {
       pod["metadata"]["annotations"]["modelgate.io/models"] = "llama";
       pod["spec"]["volumes"][0] = json::parse(R"({"name": "model-cache", "emptyDir": {}})");
       pod["spec"]["containers"][0]["volumeMounts"][0] = json::parse(R"({"name": "model-cache", "mountPath": "/models"})");
     },
     nullptr, nullptr, nullptr},
    {"AnnotationDoesNotVouchForUnmatchedPvc",
     [](json& pod, json&) {
       pod["metadata"]["annotations"]["modelgate.io/models"] = "llama";
       pod["spec"]["volumes"][0]["persistentVolumeClaim"]["claimName"] = "other";
     },
     nullptr, "MG001", nullptr},
    {"HostPathUnderAdmittedDirectory",
     [](json& pod, json& ma) {
       ma["spec"]["source"] = json::parse(R"({"hostPath": {"path": "/mnt/models/llama/"}})");
       pod["spec"]["volumes"][0] = json::parse(R"({"name": "weights", "hostPath": {"path": "/mnt/models//llama/v1"}})");
     },
     nullptr, nullptr, nullptr},
    {"HostPathSiblingIsUnregistered",
     [](json& pod, json& ma) {
       ma["spec"]["source"] = json::parse(R"({"hostPath": {"path": "/mnt/models/llama"}})");
       pod["spec"]["volumes"][0] = json::parse(R"({"name": "weights", "hostPath": {"path": "/mnt/models/llama2"}})");
     },
     nullptr, "MG001", "hostPath /mnt/models/llama2"},
    {"ImageVolumeMatchesByReference",
     [](json& pod, json& ma) {
       ma["spec"]["source"] = {{"image", {{"reference", "reg/llama@sha256:" + kSha}}}};
       pod["spec"]["volumes"][0] = {{"name", "w"}, {"image", {{"reference", "reg/llama@sha256:" + kSha}}}};
       pod["spec"]["containers"][0]["volumeMounts"][0] = {{"name", "w"}, {"mountPath", "/srv"}};
     },
     nullptr, nullptr, nullptr},
    {"ImageVolumeIsAlwaysAModelVolume",
     [](json& pod, json&) {
       pod["spec"]["volumes"][0] = {{"name", "w"}, {"image", {{"reference", "reg/llama:latest"}}}};
       pod["spec"]["containers"][0]["volumeMounts"][0] = {{"name", "w"}, {"mountPath", "/srv"}};
     },
     nullptr, "MG001", "image reg/llama:latest"},
    // MG002
    {"NotScannedYet", [](json&, json& ma) { ma.erase("status"); }, nullptr, "MG002", "has not been scanned yet"},
    {"StaleScan", [](json&, json& ma) { ma["metadata"]["generation"] = 3; }, nullptr, "MG002",
     "spec generation 3, scanned generation 2"},
    {"ScanInProgress", [](json&, json& ma) { ma["status"]["phase"] = "Scanning"; }, nullptr, "MG002", "in progress"},
    {"ScanFailed",
     [](json&, json& ma) {
       ma["status"]["phase"] = "Error";
       ma["status"]["conditions"] = json::parse(R"([{"type": "Scanned", "status": "False", "message": "PVC not bound"}])");
     },
     nullptr, "MG002", "scan failed: PVC not bound"},
    // MG003
    {"CriticalFinding",
     [](json&, json& ma) {
       ma["status"]["scan"]["findings"] = json::parse(
           R"([{"rule": "pickle/dangerous-global", "severity": "critical", "file": "model.bin", "detail": "os.system"}])");
     },
     nullptr, "MG003", "file \"model.bin\": pickle/dangerous-global (critical): os.system"},
    {"LowFindingBelowThreshold",
     [](json&, json& ma) {
       ma["status"]["scan"]["findings"] = json::parse(R"([{"rule": "x/y", "severity": "low", "file": "a"}])");
     },
     nullptr, nullptr, nullptr},
    {"LowFindingAtLoweredThreshold",
     [](json&, json& ma) {
       ma["status"]["scan"]["findings"] = json::parse(R"([{"rule": "x/y", "severity": "low", "file": "a"}])");
     },
     [](AdmissionPolicy& p) { p.rules.fail_on_severity = "low"; }, "MG003", nullptr},
    {"UnknownSeverityFailsClosed",
     [](json&, json& ma) {
       ma["status"]["scan"]["findings"] = json::parse(R"([{"rule": "x/y", "severity": "weird", "file": "a"}])");
     },
     nullptr, "MG003", nullptr},
    {"UndecidedIsNeverClean",
     [](json&, json& ma) {
       ma["status"]["scan"]["undecided"] = json::parse(R"([{"file": "model.zip", "reason": "truncated"}])");
     },
     nullptr, "MG003", "scanner could not decide: truncated"},
    // MG004
    {"PickleNotAllowed",
     [](json&, json& ma) {
       ma["status"]["scan"]["files"][0]["format"] = "pytorch-zip";
       ma["status"]["scan"]["format"] = "pytorch-zip";
     },
     nullptr, "MG004", "file \"model.safetensors\" is pytorch-zip"},
    {"GgufAllowedByPolicy",
     [](json&, json& ma) {
       ma["status"]["scan"]["files"][0]["format"] = "gguf";
       ma["status"]["scan"]["format"] = "gguf";
     },
     [](AdmissionPolicy& p) { p.rules.allowed_formats = {"safetensors", "gguf"}; }, nullptr, nullptr},
    // MG005
    {"HashMismatch", [](json&, json& ma) { ma["status"]["scan"]["files"][0]["sha256"] = kSha2; }, nullptr, "MG005",
     "has sha256 bbbb"},
    {"PinnedFileMissing", [](json&, json& ma) { ma["spec"]["files"][0]["path"] = "gone.safetensors"; }, nullptr,
     "MG005", "pinned file \"gone.safetensors\" is missing"},
    {"HashesMatchConditionFalse",
     [](json&, json& ma) {
       ma["status"]["conditions"][0] = {{"type", "HashesMatch"}, {"status", "False"}, {"message", "digest differs"}};
     },
     nullptr, "MG005", "digest differs"},
    {"HashCaseInsensitive",
     [](json&, json& ma) { ma["status"]["scan"]["files"][0]["sha256"] = std::string(64, 'A'); }, nullptr, nullptr,
     nullptr},
    // MG006
    {"NoPinnedHashes", [](json&, json& ma) { ma["spec"].erase("files"); }, nullptr, "MG006", "pins no hashes"},
    {"DigestAloneIsEnough",
     [](json&, json& ma) {
       ma["spec"].erase("files");
       ma["spec"]["digest"] = "sha256:" + kSha;
     },
     nullptr, nullptr, nullptr},
    {"RequireDigest", nullptr, [](AdmissionPolicy& p) { p.rules.require_digest = true; }, "MG006", "spec.digest"},
    // MG007
    {"BranchRevision", [](json&, json& ma) { ma["spec"]["origin"]["huggingFace"]["revision"] = "main"; }, nullptr,
     "MG007", "revision \"main\" is a branch or tag"},
    {"ShortShaIsNotACommit",
     [](json&, json& ma) { ma["spec"]["origin"]["huggingFace"]["revision"] = "cccccccc"; }, nullptr, "MG007",
     "\"cccccccc\" looks like a commit id but is not 40 lowercase hex digits"},
    {"UpperCaseCommitIsNotACommit",
     [](json&, json& ma) { ma["spec"]["origin"]["huggingFace"]["revision"] = std::string(40, 'C'); }, nullptr, "MG007",
     "looks like a commit id but is not 40 lowercase hex digits (abbreviated or upper-case)"},
    {"MissingRevision", [](json&, json& ma) { ma["spec"]["origin"]["huggingFace"].erase("revision"); }, nullptr,
     "MG007", "no revision"},
    {"NoOriginIsNotJudged", [](json&, json& ma) { ma["spec"].erase("origin"); }, nullptr, nullptr, nullptr},
    // MG008
    {"UnsignedWhenRequired", nullptr, [](AdmissionPolicy& p) { p.rules.require_signature = true; }, "MG008",
     "not signed"},
    {"InvalidSignature",
     [](json&, json& ma) {
       ma["spec"]["signature"] = {{"path", "model.sig"}, {"keyless", {{"identity", "a@b"}, {"issuer", "https://i"}}}};
       ma["status"]["signature"] = {{"status", "Invalid"}};
     },
     nullptr, "MG008", "invalid"},
    {"VerifiedTrustedSigner",
     [](json&, json& ma) {
       ma["spec"]["signature"] = {{"path", "model.sig"}, {"keyless", {{"identity", "ci@example.com"}, {"issuer", "https://i"}}}};
       ma["status"]["signature"] = {{"status", "Verified"}, {"identity", "ci@example.com"}, {"issuer", "https://i"}};
     },
     [](AdmissionPolicy& p) {
       p.rules.require_signature = true;
       p.rules.trusted_signers = {{"*@example.com", "https://i", std::nullopt}};
     },
     nullptr, nullptr},
    {"VerifiedUntrustedSigner",
     [](json&, json& ma) {
       ma["spec"]["signature"] = {{"path", "model.sig"}, {"keyless", {{"identity", "evil@x.io"}, {"issuer", "https://i"}}}};
       ma["status"]["signature"] = {{"status", "Verified"}, {"identity", "evil@x.io"}, {"issuer", "https://i"}};
     },
     [](AdmissionPolicy& p) { p.rules.trusted_signers = {{"*@example.com", "https://i", std::nullopt}}; }, "MG008",
     "not trusted"},
    {"TrustedPublicKey",
     [](json&, json& ma) {
       ma["spec"]["signature"] = {{"path", "model.sig"}, {"publicKey", {{"secretRef", {{"name", "k"}, {"key", "pub"}}}}}};
       ma["status"]["signature"] = {{"status", "Verified"}};
     },
     [](AdmissionPolicy& p) { p.rules.trusted_signers = {{"", "", KeyRef{"Secret", "k", "pub"}}}; }, nullptr, nullptr},
    {"DeclaredSignatureNotVerifiedYet",
     [](json&, json& ma) { ma["spec"]["signature"] = {{"path", "model.sig"}}; }, nullptr, "MG008", "not been verified"},
    // MG013
    {"LicenceNotAllowed", [](json&, json& ma) { ma["spec"]["license"]["spdx"] = "LicenseRef-llama3"; }, nullptr,
     "MG013", "LicenseRef-llama3 is not in the allowed list"},
    {"NoLicence", [](json&, json& ma) { ma["spec"].erase("license"); }, nullptr, "MG013", "declares no licence"},
    // MG014
    {"SystemicRiskCompute", [](json&, json& ma) { ma["spec"]["compliance"]["trainingComputeFlops"] = 1e25; }, nullptr,
     "MG014", "at or above the systemic-risk threshold 1e+25"},
    {"ComputeBelowCustomThreshold", [](json&, json& ma) { ma["spec"]["compliance"]["trainingComputeFlops"] = 5e25; },
     [](AdmissionPolicy& p) { p.rules.systemic_risk_flops = 1e26; }, nullptr, nullptr},
    // MG015
    {"NoTrainingDataSummary", [](json&, json& ma) { ma["spec"]["compliance"].erase("trainingDataSummary"); }, nullptr,
     "MG015", "training-data summary"},
};

INSTANTIATE_TEST_SUITE_P(Table, ModelRules, ::testing::ValuesIn(kCases),
                         [](const ::testing::TestParamInfo<Case>& i) { return std::string(i.param.name); });

TEST(ModelRulesDefaults, ComplianceRulesAreOffByDefault) {
  json ma = AdmittedModel();
  ma["spec"].erase("license");
  ma["spec"].erase("compliance");
  InMemoryClusterView cluster = Cluster(ma);
  Decision d = Evaluate(W(CompliantPod()), cluster);
  EXPECT_TRUE(d.allowed) << Lines(d);
}

TEST(ModelRulesDefaults, NotScannedRequestsAScanAndSkipsStatusRules) {
  json ma = AdmittedModel();
  ma.erase("status");
  InMemoryClusterView cluster = Cluster(ma);
  Decision d = Evaluate(W(CompliantPod()), cluster);
  ASSERT_EQ(d.scan_requests.size(), 1u);
  EXPECT_EQ(d.scan_requests[0].name, "llama");
  EXPECT_EQ(d.scan_requests[0].reason, "not scanned");
  EXPECT_EQ(d.Rules(), std::vector<std::string>{"MG002"});
}

TEST(ModelRulesDefaults, ScanInProgressAsksForNoSecondScan) {
  json ma = AdmittedModel();
  ma["status"]["phase"] = "Scanning";
  InMemoryClusterView cluster = Cluster(ma);
  Decision d = Evaluate(W(CompliantPod()), cluster);
  EXPECT_TRUE(HasRule(d, "MG002"));
  EXPECT_TRUE(d.scan_requests.empty());
}

// The MG002 fix is read by webhook users and by offline `check` users alike, and only
// the webhook (and not on dry-run) asks for a scan: the fix must not claim a request was
// made, and must point at what does scan the model.
TEST(ModelRulesDefaults, Mg002FixIsTrueWithoutAScanRequest) {
  struct Status {
    const char* name;
    std::function<void(json&)> mutate;
    const char* fix;
  };
  const Status statuses[] = {
      {"not scanned", [](json& ma) { ma.erase("status"); }, "the operator scans a ModelAdmission once it is applied"},
      {"stale", [](json& ma) { ma["metadata"]["generation"] = 3; }, "again when its spec changes"},
      {"scanning", [](json& ma) { ma["status"]["phase"] = "Scanning"; }, "retry once kubectl get ma llama -n ml"},
      {"failed", [](json& ma) { ma["status"]["phase"] = "Error"; },
       "kubectl annotate ma llama -n ml modelgate.io/rescan=$(date +%s) --overwrite"},
  };
  for (const auto& st : statuses) {
    json ma = AdmittedModel();
    st.mutate(ma);
    InMemoryClusterView cluster = Cluster(ma);
    Decision d = Evaluate(W(CompliantPod()), cluster);
    ASSERT_EQ(d.violations.size(), 1u) << st.name << ": " << Lines(d);
    const std::string line = d.violations[0].Line();
    EXPECT_EQ(d.violations[0].rule, "MG002") << st.name;
    EXPECT_NE(line.find(st.fix), std::string::npos) << st.name << ": " << line;
    EXPECT_EQ(line.find("requested"), std::string::npos) << st.name << ": " << line;
  }
}

TEST(ModelRulesDefaults, UsedModelsAreInventoried) {
  json pod = CompliantPod();
  pod["metadata"]["annotations"]["modelgate.io/models"] = "llama";
  InMemoryClusterView cluster = Cluster();
  Decision d = Evaluate(W(pod), cluster);
  ASSERT_EQ(d.models.size(), 1u);
  EXPECT_EQ(d.models[0].name, "llama");
  EXPECT_EQ(d.models[0].uid, "u-1");
  EXPECT_EQ(d.models[0].bound_by, "annotation");
}

TEST(ModelRulesDefaults, PvcLabelBindsTheModel) {
  json pod = CompliantPod();
  pod["spec"]["volumes"][0]["persistentVolumeClaim"]["claimName"] = "labelled";
  InMemoryClusterView cluster = Cluster();
  cluster.AddPvc({"labelled", "ml", {{"modelgate.io/model", "llama"}}});
  Decision d = Evaluate(W(pod), cluster);
  EXPECT_TRUE(d.allowed) << Lines(d);
  ASSERT_EQ(d.models.size(), 1u);
  EXPECT_EQ(d.models[0].bound_by, "pvc-label");
}

TEST(ModelRulesDefaults, PvcLabelNamingMissingAdmissionIsMG001) {
  json pod = CompliantPod();
  pod["spec"]["volumes"][0]["persistentVolumeClaim"]["claimName"] = "labelled";
  InMemoryClusterView cluster = Cluster();
  cluster.AddPvc({"labelled", "ml", {{"modelgate.io/model", "ghost"}}});
  Decision d = Evaluate(W(pod), cluster);
  EXPECT_NE(Lines(d).find("labelled modelgate.io/model=ghost"), std::string::npos) << Lines(d);
}

TEST(ModelRulesDefaults, UnregisteredVolumeCarriesApplicableSnippet) {
  json pod = CompliantPod();
  pod["spec"]["volumes"][0]["persistentVolumeClaim"]["claimName"] = "weights-pvc";
  InMemoryClusterView cluster = Cluster();
  Decision d = Evaluate(W(pod), cluster);
  ASSERT_TRUE(HasRule(d, "MG001"));
  const Violation& v = d.violations[0];
  EXPECT_NE(v.snippet.find("kind: ModelAdmission"), std::string::npos) << v.snippet;
  EXPECT_NE(v.snippet.find("claimName: weights-pvc"), std::string::npos) << v.snippet;
  EXPECT_NE(v.snippet.find("subPath: llama-3-8b"), std::string::npos) << v.snippet;
  EXPECT_NE(v.snippet.find("namespace: ml"), std::string::npos) << v.snippet;
  EXPECT_NE(d.DenialMessage().find("Register the model with"), std::string::npos);
  // The violation line itself stays on one line.
  EXPECT_EQ(v.Line().find('\n'), std::string::npos);
}

}  // namespace
}  // namespace modelgate::policy
