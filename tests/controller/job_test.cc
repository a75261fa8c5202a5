// Scan Job manifests and reading a scan back from the pod log.
#include "controller/job.h"

#include <gtest/gtest.h>

#include "controller/scan_result.h"
#include "scanners/report.h"

namespace modelgate::controller {
namespace {

using nlohmann::json;

policy::ModelAdmission PvcModel() {
  policy::ModelAdmission ma;
  ma.name = "llama";
  ma.namespace_name = "ml";
  ma.uid = "0f8fad5b-d9cb-469f-a165-70867728950e";
  ma.generation = 3;
  ma.source.kind = policy::ModelSource::Kind::kPvc;
  ma.source.claim_name = "models";
  ma.source.sub_path = "llama-3-8b";
  return ma;
}

TEST(ScanJobName, DeterministicPerUidGenerationAndToken) {
  const std::string a = ScanJobName("uid", 1, "");
  EXPECT_EQ(a, ScanJobName("uid", 1, ""));
  EXPECT_NE(a, ScanJobName("uid", 2, ""));
  EXPECT_NE(a, ScanJobName("uid", 1, "rescan-1"));
  EXPECT_NE(a, ScanJobName("uid2", 1, ""));
  EXPECT_EQ(a.rfind("mg-scan-", 0), 0u);
  EXPECT_EQ(a.size(), 28u);  // well under the 63-character label limit
}

TEST(BuildScanJob, LockedDownAndReadOnly) {
  ControllerOptions opts;
  opts.scanner_image = "registry.example/modelgate:1";
  opts.scan_timeout = std::chrono::seconds(600);
  auto job = BuildScanJob(PvcModel(), "", opts);
  ASSERT_TRUE(job.ok()) << job.status().message();
  const json& j = job.value();
  EXPECT_EQ(j["metadata"]["namespace"], "ml");
  EXPECT_EQ(j["metadata"]["name"], ScanJobName(PvcModel().uid, 3, ""));
  EXPECT_EQ(j["metadata"]["ownerReferences"][0]["uid"], PvcModel().uid);
  EXPECT_EQ(j["spec"]["activeDeadlineSeconds"], 600);
  EXPECT_EQ(j["spec"]["backoffLimit"], 0);
  const json& pod = j["spec"]["template"]["spec"];
  EXPECT_EQ(pod["automountServiceAccountToken"], false);
  EXPECT_EQ(pod["restartPolicy"], "Never");
  EXPECT_EQ(pod["securityContext"]["runAsNonRoot"], true);
  EXPECT_EQ(j["spec"]["template"]["metadata"]["labels"][kScanJobLabel], "true");
  const json& c = pod["containers"][0];
  EXPECT_EQ(c["image"], "registry.example/modelgate:1");
  EXPECT_EQ(c["args"], json({"scan", "/model", "--output", "json", "--no-progress"}));
  const json& sc = c["securityContext"];
  EXPECT_EQ(sc["capabilities"]["drop"], json({"ALL"}));
  EXPECT_FALSE(sc["capabilities"].contains("add"));
  EXPECT_EQ(sc["readOnlyRootFilesystem"], true);
  EXPECT_EQ(sc["allowPrivilegeEscalation"], false);
  EXPECT_EQ(sc["runAsNonRoot"], true);
  EXPECT_EQ(sc["seccompProfile"]["type"], "RuntimeDefault");
  EXPECT_TRUE(c["resources"]["limits"].contains("cpu"));
  EXPECT_TRUE(c["resources"]["limits"].contains("memory"));
  EXPECT_EQ(c["volumeMounts"][0]["readOnly"], true);
  EXPECT_EQ(c["volumeMounts"][0]["subPath"], "llama-3-8b");
  EXPECT_EQ(pod["volumes"][0]["persistentVolumeClaim"]["claimName"], "models");
  EXPECT_EQ(pod["volumes"][0]["persistentVolumeClaim"]["readOnly"], true);
}

TEST(BuildScanJob, ImageAndHostPathVolumes) {
  ControllerOptions opts;
  policy::ModelAdmission ma = PvcModel();
  ma.source = {};
  ma.source.kind = policy::ModelSource::Kind::kImage;
  ma.source.image_reference = "reg/x@sha256:" + std::string(64, 'a');
  auto job = BuildScanJob(ma, "", opts);
  ASSERT_TRUE(job.ok());
  EXPECT_EQ(job.value()["spec"]["template"]["spec"]["volumes"][0]["image"]["reference"], ma.source.image_reference);
  ma.source = {};
  ma.source.kind = policy::ModelSource::Kind::kHostPath;
  ma.source.host_path = "/mnt/m";
  job = BuildScanJob(ma, "", opts);
  ASSERT_TRUE(job.ok());
  EXPECT_EQ(job.value()["spec"]["template"]["spec"]["volumes"][0]["hostPath"]["path"], "/mnt/m");
  ma.source = {};
  EXPECT_FALSE(BuildScanJob(ma, "", opts).ok());
}

TEST(BuildScanJob, DeclaredSignatureIsEmbeddedByItsRelativePath) {
  ControllerOptions opts;
  opts.scanner_image = "registry.example/modelgate:1";
  auto args_of = [&](const policy::ModelAdmission& ma) {
    auto job = BuildScanJob(ma, "", opts);
    EXPECT_TRUE(job.ok());
    return job.value()["spec"]["template"]["spec"]["containers"][0]["args"];
  };
  policy::ModelAdmission ma = PvcModel();
  ma.signature_declared = true;
  EXPECT_EQ(args_of(ma), json({"scan", "/model", "--output", "json", "--no-progress", "--embed-signature", "model.sig"}));
  ma.signature_path = "sigs/llama.sig";
  EXPECT_EQ(JobSignaturePath(ma), "sigs/llama.sig");
  EXPECT_EQ(args_of(ma).back(), "sigs/llama.sig");
  // A path the scanner would refuse is not passed (the verifier reports it Invalid).
  for (const char* bad : {"../../etc/shadow", "/etc/shadow", "-x", "a//b"}) {
    ma.signature_path = bad;
    EXPECT_EQ(JobSignaturePath(ma), "") << bad;
    EXPECT_EQ(args_of(ma).size(), 5u) << bad;
  }
  ma.signature_declared = false;
  ma.signature_path = "model.sig";
  EXPECT_EQ(args_of(ma).size(), 5u);
}

TEST(JobStateOf, ConditionsAndCounts) {
  std::string why;
  EXPECT_EQ(JobStateOf(json::object(), &why), JobState::kRunning);
  EXPECT_EQ(JobStateOf({{"status", {{"active", 1}}}}, &why), JobState::kRunning);
  EXPECT_EQ(JobStateOf({{"status", {{"conditions", {{{"type", "Complete"}, {"status", "True"}}}}}}}, &why),
            JobState::kSucceeded);
  EXPECT_EQ(JobStateOf({{"status",
                         {{"conditions",
                           {{{"type", "Failed"}, {"status", "True"}, {"reason", "DeadlineExceeded"}, {"message", "m"}}}}}}},
                       &why),
            JobState::kFailed);
  EXPECT_EQ(why, "DeadlineExceeded: m");
  EXPECT_EQ(JobStateOf({{"status", {{"failed", 1}}}}, &why), JobState::kFailed);
}

TEST(ParseScanJson, RoundTripsReportToJson) {
  scanners::ScanReport r;
  r.roots = {"/model"};
  r.started = "2024-01-01T00:00:00Z";
  r.completed = "2024-01-01T00:00:02Z";
  r.total_bytes = 42;
  scanners::FileReport f;
  f.path = "/model/pytorch_model.bin";
  f.size = 42;
  f.sha256 = std::string(64, 'e');
  f.format = scanners::Format::kPickle;
  f.findings.push_back({"pickle/dangerous-global", scanners::Severity::kCritical, f.path, "posix.system"});
  f.undecided.push_back({f.path, "why"});
  r.files.push_back(f);
  r.errors.push_back({"/model/x", "broken symlink"});
  const std::string log = "some runtime noise\n" + scanners::ReportToJson(r, scanners::Severity::kMedium).dump(2);
  auto back = ParseScanJson(log);
  ASSERT_TRUE(back.ok()) << back.status().message();
  ASSERT_EQ(back.value().files.size(), 1u);
  const auto& g = back.value().files[0];
  EXPECT_EQ(g.path, f.path);
  EXPECT_EQ(g.size, 42u);
  EXPECT_EQ(g.sha256, f.sha256);
  EXPECT_EQ(g.format, scanners::Format::kPickle);
  ASSERT_EQ(g.findings.size(), 1u);
  EXPECT_EQ(g.findings[0].severity, scanners::Severity::kCritical);
  EXPECT_EQ(g.undecided.size(), 1u);
  EXPECT_EQ(back.value().errors.size(), 1u);
  EXPECT_EQ(back.value().total_bytes, 42u);
  EXPECT_EQ(back.value().started, r.started);
}

TEST(ParseScanJson, RejectsGarbage) {
  EXPECT_FALSE(ParseScanJson("").ok());
  EXPECT_FALSE(ParseScanJson("Error: image pull failed\n").ok());
  EXPECT_FALSE(ParseScanJson("{\"schemaVersion\": \"other\"}").ok());
  EXPECT_FALSE(ParseScanJson("{\"schemaVersion\": \"modelgate.io/scan/v1\", \"files\": 3}").ok());
  EXPECT_FALSE(ParseScanJson("{\"schemaVersion\": \"modelgate.io/scan/v1\", \"files\": [{\"size\": -1}]}").ok());
  EXPECT_FALSE(ParseScanJson("{truncated").ok());
}

TEST(ParseScanOutput, CarriesTheEmbeddedSignature) {
  scanners::ScanReport r;
  r.roots = {"/model"};
  json doc = scanners::ReportToJson(r, scanners::Severity::kMedium);
  auto plain = ParseScanOutput(doc.dump());
  ASSERT_TRUE(plain.ok()) << plain.status().message();
  EXPECT_FALSE(plain.value().signature.has_value());

  signing::EmbeddedSignature e;
  e.path = "sigs/model.sig";
  e.state = signing::EmbeddedSignature::State::kPresent;
  e.bundle = std::string("{\"x\": 1}\n\0\xff", 11);
  e.size = e.bundle.size();
  doc["signature"] = signing::EmbeddedSignatureToJson(e);
  auto with = ParseScanOutput("runtime noise\n" + doc.dump(2));
  ASSERT_TRUE(with.ok()) << with.status().message();
  ASSERT_TRUE(with.value().signature.has_value());
  EXPECT_EQ(with.value().signature->path, "sigs/model.sig");
  EXPECT_EQ(with.value().signature->state, signing::EmbeddedSignature::State::kPresent);
  EXPECT_EQ(with.value().signature->bundle, e.bundle);

  doc["signature"] = {{"path", "model.sig"}, {"status", "missing"}, {"size", 0}, {"reason", "no file"}};
  auto missing = ParseScanOutput(doc.dump());
  ASSERT_TRUE(missing.ok());
  EXPECT_EQ(missing.value().signature->state, signing::EmbeddedSignature::State::kMissing);
  EXPECT_EQ(missing.value().signature->reason, "no file");
}

TEST(ParseScanOutput, MalformedSignatureIsAnErrorNamingTheField) {
  json doc = scanners::ReportToJson(scanners::ScanReport{}, scanners::Severity::kMedium);
  doc["signature"] = {{"path", "model.sig"}, {"status", "present"}, {"bundleBase64", 7}};
  auto r = ParseScanOutput(doc.dump());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "scan output: signature.bundleBase64: expected a string");
  doc["signature"] = {{"path", "../../etc/shadow"}, {"status", "missing"}};
  EXPECT_FALSE(ParseScanOutput(doc.dump()).ok());
  // ParseScanJson reads the same document and fails the same way.
  EXPECT_FALSE(ParseScanJson(doc.dump()).ok());
}

TEST(ParseScanJson, UnknownSeverityIsNotUnderstated) {
  auto r = ParseScanJson(
      R"({"schemaVersion":"modelgate.io/scan/v1","files":[{"path":"a","format":"brand-new",
          "findings":[{"rule":"x/y","severity":"catastrophic","file":"a","detail":""}]}]})");
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r.value().files[0].findings[0].severity, scanners::Severity::kCritical);
  EXPECT_EQ(r.value().files[0].format, scanners::Format::kUnknown);
}

}  // namespace
}  // namespace modelgate::controller
