// Status computation: hash comparison, conditions with a fake clock, phases.
#include "controller/status.h"

#include <gtest/gtest.h>

#include "controller/conditions.h"
#include "controller/hashes.h"

namespace modelgate::controller {
namespace {

using nlohmann::json;
using scanners::FileReport;
using scanners::Format;
using scanners::Severity;

const std::string kA(64, 'a'), kB(64, 'b'), kC(64, 'c');

TimePoint T(int seconds) { return TimePoint(std::chrono::seconds(1'700'000'000 + seconds)); }

policy::ModelAdmission Model(int64_t generation = 1) {
  policy::ModelAdmission ma;
  ma.name = "llama";
  ma.namespace_name = "ml";
  ma.uid = "u1";
  ma.generation = generation;
  ma.source.kind = policy::ModelSource::Kind::kHostPath;
  ma.source.host_path = "/models/llama";
  ma.files = {{"model.safetensors", kA}};
  return ma;
}

ScanOutcome CleanOutcome() {
  ScanOutcome o;
  FileReport f;
  f.path = "model.safetensors";
  f.size = 100;
  f.sha256 = kA;
  f.format = Format::kSafeTensors;
  o.report.files.push_back(f);
  o.report.total_bytes = 100;
  o.report.started = "2024-01-01T00:00:00Z";
  o.report.completed = "2024-01-01T00:00:01Z";
  o.signature.kind = SignatureResult::Kind::kUnsigned;
  return o;
}

const json& Cond(const json& st, const std::string& type) {
  const json* c = FindCondition(st["conditions"], type);
  EXPECT_NE(c, nullptr) << type;
  static const json kNull;
  return c ? *c : kNull;
}

TEST(CompareHashes, AllMatchCaseInsensitive) {
  std::string upper = kA;
  for (char& c : upper) c = 'A';
  auto cmp = CompareHashes({{"./m.safetensors", upper}}, {{"m.safetensors", kA}});
  EXPECT_TRUE(cmp.ok());
  EXPECT_EQ(cmp.matched, 1);
}

TEST(CompareHashes, MissingMismatchAndUnpinnedAreEachNamed) {
  auto cmp = CompareHashes({{"a.bin", kA}, {"b.bin", kB}}, {{"a.bin", kC}, {"extra.py", kA}, {"model.sig", kB}},
                           {"model.sig"});
  EXPECT_FALSE(cmp.ok());
  ASSERT_EQ(cmp.mismatched.size(), 1u);
  EXPECT_EQ(cmp.mismatched[0].path, "a.bin");
  EXPECT_EQ(cmp.missing, std::vector<std::string>{"b.bin"});
  EXPECT_EQ(cmp.unpinned, std::vector<std::string>{"extra.py"});
  const std::string msg = cmp.Message();
  EXPECT_NE(msg.find("a.bin: sha256 cccccccccccc... != pinned aaaaaaaaaaaa..."), std::string::npos) << msg;
  EXPECT_NE(msg.find("missing: b.bin"), std::string::npos) << msg;
  EXPECT_NE(msg.find("not pinned: extra.py"), std::string::npos) << msg;
}

TEST(CompareHashes, UnhashedFileIsAMismatchNotAMatch) {
  auto cmp = CompareHashes({{"a.bin", kA}}, {{"a.bin", ""}});
  ASSERT_EQ(cmp.mismatched.size(), 1u);
  EXPECT_NE(cmp.Message().find("<unhashed>"), std::string::npos);
}

TEST(CompareHashes, NoPinsNothingToCompare) {
  auto cmp = CompareHashes({}, {{"a.bin", kA}});
  EXPECT_TRUE(cmp.ok());
  EXPECT_TRUE(cmp.unpinned.empty());
}

TEST(CompletedStatus, CleanPinnedSafetensorsIsAdmitted) {
  json st = CompletedStatus(Model(), CleanOutcome(), json(), StatusOptions{}, T(0));
  EXPECT_EQ(st["phase"], "Admitted");
  EXPECT_EQ(st["observedGeneration"], 1);
  EXPECT_EQ(Cond(st, "Scanned")["status"], "True");
  EXPECT_EQ(Cond(st, "HashesMatch")["status"], "True");
  EXPECT_EQ(Cond(st, "FormatAllowed")["status"], "True");
  EXPECT_EQ(Cond(st, "SignatureVerified")["status"], "False");
  EXPECT_EQ(Cond(st, "SignatureVerified")["reason"], "Unsigned");
  EXPECT_EQ(Cond(st, "Ready")["status"], "True");
  EXPECT_EQ(st["signature"]["status"], "Unsigned");
  EXPECT_EQ(st["scan"]["format"], "safetensors");
  EXPECT_EQ(st["scan"]["files"][0]["sha256"], kA);
  EXPECT_EQ(st["scan"]["files"][0]["size"], 100);
  EXPECT_EQ(st["conditions"].size(), 5u);
  for (const auto& c : st["conditions"]) EXPECT_EQ(c["lastTransitionTime"], FormatTime(T(0)));
}

TEST(CompletedStatus, HashMismatchRejectsWithPreciseMessage) {
  ScanOutcome o = CleanOutcome();
  o.report.files[0].sha256 = kB;
  json st = CompletedStatus(Model(), o, json(), StatusOptions{}, T(0));
  EXPECT_EQ(st["phase"], "Rejected");
  EXPECT_EQ(Cond(st, "HashesMatch")["status"], "False");
  EXPECT_EQ(Cond(st, "HashesMatch")["reason"], "HashMismatch");
  EXPECT_NE(Cond(st, "HashesMatch")["message"].get<std::string>().find("model.safetensors: sha256 bbbbbbbbbbbb"),
            std::string::npos);
  EXPECT_EQ(Cond(st, "Ready")["reason"], "HashMismatch");
}

TEST(CompletedStatus, MissingPinnedFile) {
  ScanOutcome o = CleanOutcome();
  policy::ModelAdmission ma = Model();
  ma.files.push_back({"model-2.safetensors", kB});
  json st = CompletedStatus(ma, o, json(), StatusOptions{}, T(0));
  EXPECT_EQ(Cond(st, "HashesMatch")["reason"], "FileMissing");
  EXPECT_EQ(st["phase"], "Rejected");
}

TEST(CompletedStatus, NoPinsIsUnknownButNotRejected) {
  policy::ModelAdmission ma = Model();
  ma.files.clear();
  json st = CompletedStatus(ma, CleanOutcome(), json(), StatusOptions{}, T(0));
  EXPECT_EQ(Cond(st, "HashesMatch")["status"], "Unknown");
  EXPECT_EQ(Cond(st, "HashesMatch")["reason"], "NoPinnedHashes");
  EXPECT_EQ(st["phase"], "Admitted");
}

TEST(CompletedStatus, DigestComparedWithManifestDigest) {
  policy::ModelAdmission ma = Model();
  ma.digest = "sha256:" + kC;
  ScanOutcome o = CleanOutcome();
  o.manifest_digest = "sha256:" + kB;
  json st = CompletedStatus(ma, o, json(), StatusOptions{}, T(0));
  EXPECT_EQ(Cond(st, "HashesMatch")["reason"], "DigestMismatch");
  o.manifest_digest = "sha256:" + kC;
  st = CompletedStatus(ma, o, json(), StatusOptions{}, T(0));
  EXPECT_EQ(Cond(st, "HashesMatch")["status"], "True");
  EXPECT_EQ(st["scan"]["manifestDigest"], "sha256:" + kC);
}

TEST(CompletedStatus, PickleWithPayloadIsRejectedForContentAndFormat) {
  ScanOutcome o = CleanOutcome();
  o.report.files[0].path = "pytorch_model.bin";
  o.report.files[0].format = Format::kPickle;
  o.report.files[0].findings.push_back(
      {"pickle/dangerous-global", Severity::kCritical, "pytorch_model.bin", "posix.system"});
  policy::ModelAdmission ma = Model();
  ma.files = {{"pytorch_model.bin", kA}};
  json st = CompletedStatus(ma, o, json(), StatusOptions{}, T(0));
  EXPECT_EQ(st["phase"], "Rejected");
  EXPECT_EQ(Cond(st, "Ready")["reason"], "UnsafeContent");
  EXPECT_NE(Cond(st, "Ready")["message"].get<std::string>().find("pickle/dangerous-global"), std::string::npos);
  EXPECT_EQ(Cond(st, "FormatAllowed")["status"], "False");
  EXPECT_EQ(Cond(st, "FormatAllowed")["reason"], "FormatNotAllowed");
  EXPECT_EQ(st["scan"]["findings"][0]["rule"], "pickle/dangerous-global");
  EXPECT_EQ(st["scan"]["findings"][0]["severity"], "critical");
  EXPECT_EQ(st["scan"]["format"], "pickle");
}

TEST(CompletedStatus, FindingBelowFailOnDoesNotReject) {
  ScanOutcome o = CleanOutcome();
  o.report.files[0].findings.push_back({"format/unrecognized", Severity::kInfo, "model.safetensors", "x"});
  json st = CompletedStatus(Model(), o, json(), StatusOptions{}, T(0));
  EXPECT_EQ(st["phase"], "Admitted");
  EXPECT_EQ(st["scan"]["findings"].size(), 1u);
}

TEST(CompletedStatus, UndecidedFileIsNeverClean) {
  ScanOutcome o = CleanOutcome();
  o.report.files[0].undecided.push_back({"model.safetensors", "truncated header"});
  json st = CompletedStatus(Model(), o, json(), StatusOptions{}, T(0));
  EXPECT_EQ(st["phase"], "Rejected");
  EXPECT_EQ(Cond(st, "Ready")["reason"], "Undecided");
  EXPECT_EQ(st["scan"]["undecided"][0]["reason"], "truncated header");
}

TEST(CompletedStatus, FindingsAreBoundedWorstFirstWithTotal) {
  ScanOutcome o = CleanOutcome();
  for (int i = 0; i < 150; ++i)
    o.report.files[0].findings.push_back({"r/low", Severity::kLow, "model.safetensors", std::to_string(i)});
  o.report.files[0].findings.push_back({"r/critical", Severity::kCritical, "model.safetensors", "x"});
  StatusOptions opts;
  opts.max_findings = 100;
  json st = CompletedStatus(Model(), o, json(), opts, T(0));
  ASSERT_EQ(st["scan"]["findings"].size(), 100u);
  EXPECT_EQ(st["scan"]["findings"][0]["rule"], "r/critical");
  EXPECT_EQ(st["scan"]["findings"][99]["rule"], kTruncatedRule);
  EXPECT_EQ(st["scan"]["findings"][99]["detail"], "52 more findings not listed (151 in total)");
  EXPECT_NE(Cond(st, "Scanned")["message"].get<std::string>().find("151 findings"), std::string::npos);
  // Exactly at the bound: no marker.
  o.report.files[0].findings.resize(100);
  st = CompletedStatus(Model(), o, json(), opts, T(0));
  EXPECT_NE(st["scan"]["findings"][99]["rule"], kTruncatedRule);
}

TEST(CompletedStatus, ClaimedFormatDiffersFromDetected) {
  policy::ModelAdmission ma = Model();
  ma.format = "gguf";
  StatusOptions opts;
  opts.allowed_formats = {"safetensors", "gguf"};
  json st = CompletedStatus(ma, CleanOutcome(), json(), opts, T(0));
  EXPECT_EQ(Cond(st, "FormatAllowed")["reason"], "FormatMismatch");
  EXPECT_EQ(st["phase"], "Rejected");
}

TEST(CompletedStatus, InvalidSignatureRejectsNotVerifiedDoesNot) {
  ScanOutcome o = CleanOutcome();
  o.signature = {SignatureResult::Kind::kInvalid, "", "", "bad signature"};
  json st = CompletedStatus(Model(), o, json(), StatusOptions{}, T(0));
  EXPECT_EQ(st["phase"], "Rejected");
  EXPECT_EQ(st["signature"]["status"], "Invalid");
  o.signature = {SignatureResult::Kind::kNotVerified, "", "", "cannot verify"};
  st = CompletedStatus(Model(), o, json(), StatusOptions{}, T(0));
  EXPECT_EQ(st["phase"], "Admitted");
  EXPECT_EQ(st["signature"]["status"], "Unsigned");
  EXPECT_EQ(Cond(st, "SignatureVerified")["reason"], "VerificationUnavailable");
  EXPECT_EQ(st["signature"]["message"], "cannot verify");
}

TEST(CompletedStatus, AuxiliaryFilesDoNotCountAsWeights) {
  ScanOutcome o = CleanOutcome();
  FileReport cfg;
  cfg.path = "config.json";
  cfg.sha256 = kB;
  cfg.format = Format::kJson;
  o.report.files.push_back(cfg);
  policy::ModelAdmission ma = Model();
  ma.files.push_back({"config.json", kB});
  json st = CompletedStatus(ma, o, json(), StatusOptions{}, T(0));
  EXPECT_EQ(st["scan"]["format"], "safetensors");
  EXPECT_EQ(st["phase"], "Admitted");
}

TEST(Conditions, TransitionTimeChangesOnlyWhenStatusFlips) {
  json st = CompletedStatus(Model(), CleanOutcome(), json(), StatusOptions{}, T(0));
  // Rescan later with the same result: times stay.
  json st2 = CompletedStatus(Model(2), CleanOutcome(), st, StatusOptions{}, T(100));
  EXPECT_EQ(Cond(st2, "Ready")["lastTransitionTime"], FormatTime(T(0)));
  EXPECT_EQ(Cond(st2, "Ready")["observedGeneration"], 2);
  // A mismatch flips HashesMatch and Ready, not Scanned.
  ScanOutcome bad = CleanOutcome();
  bad.report.files[0].sha256 = kB;
  json st3 = CompletedStatus(Model(3), bad, st2, StatusOptions{}, T(200));
  EXPECT_EQ(Cond(st3, "HashesMatch")["lastTransitionTime"], FormatTime(T(200)));
  EXPECT_EQ(Cond(st3, "Ready")["lastTransitionTime"], FormatTime(T(200)));
  EXPECT_EQ(Cond(st3, "Scanned")["lastTransitionTime"], FormatTime(T(0)));
}

TEST(Conditions, ReasonChangeWithoutFlipKeepsTime) {
  json conds;
  SetCondition(conds, {"Ready", "False", "ScanInProgress", "a"}, 1, T(0));
  SetCondition(conds, {"Ready", "False", "HashMismatch", "b"}, 1, T(50));
  ASSERT_EQ(conds.size(), 1u);
  EXPECT_EQ(conds[0]["lastTransitionTime"], FormatTime(T(0)));
  EXPECT_EQ(conds[0]["reason"], "HashMismatch");
}

TEST(Phases, PendingToScanningToAdmittedToScanningToError) {
  json st = ScanningStatus(Model(), json(), T(0));
  EXPECT_EQ(st["phase"], "Scanning");
  EXPECT_EQ(st["observedGeneration"], 0) << "observedGeneration stays stale while scanning";
  EXPECT_EQ(Cond(st, "Scanned")["status"], "Unknown");
  EXPECT_EQ(Cond(st, "Ready")["reason"], "ScanInProgress");

  st = CompletedStatus(Model(), CleanOutcome(), st, StatusOptions{}, T(10));
  EXPECT_EQ(st["phase"], "Admitted");
  EXPECT_EQ(Cond(st, "Scanned")["lastTransitionTime"], FormatTime(T(10)));  // Unknown -> True
  st["workloads"] = json::array({{{"kind", "Deployment"}, {"name", "web"}, {"firstSeen", "x"}}});

  st = ScanningStatus(Model(2), st, T(20));
  EXPECT_EQ(st["observedGeneration"], 1);
  EXPECT_EQ(st["scan"]["format"], "safetensors") << "previous results stay visible while scanning";

  st = ErrorStatus(Model(2), "model path /x does not exist", ErrorRetry::kWithBackoff, st, T(30));
  EXPECT_EQ(st["phase"], "Error");
  EXPECT_EQ(st["observedGeneration"], 2);
  EXPECT_FALSE(st.contains("scan"));
  EXPECT_EQ(Cond(st, "Scanned")["reason"], "ScanFailed");
  EXPECT_EQ(Cond(st, "HashesMatch")["status"], "Unknown");
  EXPECT_EQ(st["workloads"][0]["name"], "web") << "the inventory survives every phase";
}

// What lets a retry that fails the same way skip its status write (the reconciler
// compares before it writes): the same failure later changes nothing, not even a time.
TEST(ErrorStatus, SameFailureAgainIsTheSameStatus) {
  json st = ScanningStatus(Model(3), json::object(), T(0));
  const json first = ErrorStatus(Model(3), "model path /x does not exist", ErrorRetry::kWithBackoff, st, T(5));
  EXPECT_EQ(ErrorStatus(Model(3), "model path /x does not exist", ErrorRetry::kWithBackoff, first, T(4000)), first);

  const json other = ErrorStatus(Model(3), "scan timed out after 10m", ErrorRetry::kWithBackoff, first, T(4000));
  EXPECT_NE(other, first) << "a different failure is news";
  EXPECT_EQ(Cond(other, "Scanned")["message"], "scan timed out after 10m");
  EXPECT_EQ(Cond(other, "Scanned")["lastTransitionTime"], FormatTime(T(5))) << "still False: no flip";
}

TEST(ErrorStatus, ReadySaysWhetherTheOperatorRetries) {
  const json retried = ErrorStatus(Model(1), "model path /x does not exist", ErrorRetry::kWithBackoff, json(), T(0));
  EXPECT_EQ(Cond(retried, "Ready")["reason"], "ScanFailed");
  const std::string r = Cond(retried, "Ready")["message"];
  EXPECT_EQ(r.rfind("model path /x does not exist; ", 0), 0u) << r;
  EXPECT_NE(r.find("retries with backoff"), std::string::npos) << r;
  EXPECT_EQ(Cond(retried, "Scanned")["message"], "model path /x does not exist") << "what MG002 quotes";

  const json stuck = ErrorStatus(Model(1), "invalid spec: spec.source: missing", ErrorRetry::kOnSpecChange, json(), T(0));
  EXPECT_NE(Cond(stuck, "Ready")["message"].get<std::string>().find("not retried until the spec changes"),
            std::string::npos);
}

json Object(int64_t generation, const json& status, const std::string& rescan = "") {
  json o = {{"metadata", {{"name", "m"}, {"namespace", "ns"}, {"generation", generation}}}};
  if (!rescan.empty()) o["metadata"]["annotations"] = {{kRescanAnnotation, rescan}};
  if (!status.is_null()) o["status"] = status;
  return o;
}

TEST(NeedsScan, Cases) {
  EXPECT_TRUE(NeedsScan(Object(1, json())));
  EXPECT_TRUE(NeedsScan(Object(1, {{"phase", "Scanning"}, {"observedGeneration", 1}})));
  EXPECT_TRUE(NeedsScan(Object(1, {{"phase", "Error"}, {"observedGeneration", 1}})));
  EXPECT_TRUE(NeedsScan(Object(2, {{"phase", "Admitted"}, {"observedGeneration", 1}})));
  EXPECT_FALSE(NeedsScan(Object(2, {{"phase", "Admitted"}, {"observedGeneration", 2}})));
  EXPECT_FALSE(NeedsScan(Object(2, {{"phase", "Rejected"}, {"observedGeneration", 2}})));
  EXPECT_TRUE(NeedsScan(Object(2, {{"phase", "Admitted"}, {"observedGeneration", 2}}, "t1")));
  json answered = Object(2, {{"phase", "Admitted"}, {"observedGeneration", 2}}, "t1");
  answered["metadata"]["annotations"][kRescanAnsweredAnnotation] = "t1";
  EXPECT_FALSE(NeedsScan(answered));
  answered["metadata"]["annotations"][kRescanAnnotation] = "t2";
  EXPECT_TRUE(NeedsScan(answered));
  EXPECT_TRUE(NeedsScan(Object(1, {{"workloads", json::array()}}))) << "status without phase (inventory only)";
}

TEST(DetectedFormat, MixedWeightsJoined) {
  scanners::ScanReport r;
  FileReport a, b, c;
  a.format = Format::kSafeTensors;
  b.format = Format::kPickle;
  c.format = Format::kJson;
  r.files = {a, b, c};
  EXPECT_EQ(DetectedFormat(r), "pickle,safetensors");
  r.files = {c};
  EXPECT_EQ(DetectedFormat(r), "json");
  EXPECT_EQ(DetectedFormat(scanners::ScanReport{}), "");
}

TEST(Clock, FormatAndParseRoundTrip) {
  EXPECT_EQ(FormatTime(T(0)), "2023-11-14T22:13:20Z");
  EXPECT_EQ(ParseTime("2023-11-14T22:13:20Z"), T(0));
  EXPECT_EQ(ParseTime("2023-11-14T22:13:20.123Z"), T(0));
  EXPECT_FALSE(ParseTime("2023-11-14 22:13:20").has_value());
}

}  // namespace
}  // namespace modelgate::controller
