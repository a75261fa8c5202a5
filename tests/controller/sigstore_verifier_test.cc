// The operator's signature verifier against the model-transparency v1.1.0 vectors,
// inline (model directory) and Job mode (embedded bundle + reported hashes).
#include "controller/sigstore_verifier.h"

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "controller/job.h"
#include "controller/scan_result.h"
#include "controller/scan_source.h"
#include "scanners/hashing.h"
#include "scanners/signing/embedded_signature.h"

namespace modelgate::controller {
namespace {
namespace fs = std::filesystem;

const std::string kVectors = std::string(MODELGATE_SHARED_DIR) + "/testdata/sigstore/model-signing";

std::string ReadFile(const std::string& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// A writable copy of a vector without its unsigned file (extra files are Invalid).
std::string CopyModel(const std::string& vector) {
  fs::path dst = fs::temp_directory_path() / ("mg_sigv_" + vector + "_" + std::to_string(::getpid()));
  fs::remove_all(dst);
  fs::copy(kVectors + "/" + vector, dst, fs::copy_options::recursive);
  fs::remove(dst / "ignore-me");
  return dst.string();
}

policy::ModelAdmission KeyModel() {
  policy::ModelAdmission ma;
  ma.name = "m";
  ma.namespace_name = "ml";
  ma.signature_declared = true;
  ma.signature_path = "model.sig";
  ma.signature_key = policy::KeyRef{"ConfigMap", "signing-key", "key.pem"};
  return ma;
}

policy::ModelAdmission KeylessModel() {
  policy::ModelAdmission ma = KeyModel();
  ma.signature_path.clear();
  ma.signature_key.reset();
  ma.signature_identity = "stefanb@us.ibm.com";
  ma.signature_issuer = "https://sigstore.verify.ibm.com/oauth2";
  return ma;
}

SignatureVerifier KeyVerifier() {
  SigstoreVerifierOptions o;
  o.fetch_key = [](const std::string& ns, const policy::KeyRef& ref) -> Result<std::string> {
    EXPECT_EQ(ns, "ml");
    EXPECT_EQ(ref.name, "signing-key");
    return ReadFile(kVectors + "/keys/certificate/signing-key-pub.pem");
  };
  auto v = MakeSigstoreVerifier(o);
  EXPECT_TRUE(v.ok());
  return v.value();
}

TEST(SigstoreVerifier, PublicKeySignatureVerifiesAndATamperedFileIsInvalid) {
  std::string dir = CopyModel("v1.1.0-elliptic-key");
  policy::ModelAdmission ma = KeyModel();
  SignatureVerifier verify = KeyVerifier();
  SignatureResult ok = verify({&ma, dir, {}, ""});
  EXPECT_EQ(ok.kind, SignatureResult::Kind::kVerified) << ok.detail;

  {
    std::fstream f(dir + "/signme-1", std::ios::in | std::ios::out | std::ios::binary);
    char c;
    f.read(&c, 1);
    f.seekp(0);
    c ^= 1;
    f.write(&c, 1);
  }
  SignatureResult bad = verify({&ma, dir, {}, ""});
  EXPECT_EQ(bad.kind, SignatureResult::Kind::kInvalid);
  EXPECT_NE(bad.detail.find("signme-1"), std::string::npos) << bad.detail;
  fs::remove_all(dir);
}

TEST(SigstoreVerifier, KeylessNeedsATrustedRootAndTheRightIdentity) {
  std::string dir = CopyModel("v1.1.0-sigstore");
  policy::ModelAdmission ma = KeylessModel();

  auto no_root = MakeSigstoreVerifier({});
  ASSERT_TRUE(no_root.ok());
  EXPECT_EQ(no_root.value()({&ma, dir, {}, ""}).kind, SignatureResult::Kind::kNotVerified);

  SigstoreVerifierOptions o;
  o.trusted_root_json =
      ReadFile(std::string(MODELGATE_SHARED_DIR) + "/testdata/sigstore/trust-roots/prod_trusted_root.json");
  auto verify = MakeSigstoreVerifier(o);
  ASSERT_TRUE(verify.ok()) << verify.status().message();
  SignatureResult ok = verify.value()({&ma, dir, {}, ""});
  EXPECT_EQ(ok.kind, SignatureResult::Kind::kVerified) << ok.detail;
  EXPECT_EQ(ok.identity, "stefanb@us.ibm.com");

  ma.signature_identity = "someone-else@example.com";
  SignatureResult wrong = verify.value()({&ma, dir, {}, ""});
  EXPECT_EQ(wrong.kind, SignatureResult::Kind::kUntrusted) << wrong.detail;
  fs::remove_all(dir);
}

TEST(SigstoreVerifier, MissingSignatureFileIsUnsignedAndJobScansAreNotVerified) {
  std::string dir = CopyModel("v1.1.0-elliptic-key");
  fs::remove(dir + "/model.sig");
  policy::ModelAdmission ma = KeyModel();
  SignatureVerifier verify = KeyVerifier();
  EXPECT_EQ(verify({&ma, dir, {}, ""}).kind, SignatureResult::Kind::kUnsigned);
  EXPECT_EQ(verify({&ma, "", {}, ""}).kind, SignatureResult::Kind::kNotVerified);
  ma.signature_path = "../../etc/shadow";
  EXPECT_EQ(verify({&ma, dir, {}, ""}).kind, SignatureResult::Kind::kInvalid);
  fs::remove_all(dir);
}

// What a scan Job reports for a vector: every file's hash (relative path), and the
// signature file it was asked to embed.
std::vector<ObservedFile> ScannedFiles(const std::string& vector) {
  std::vector<ObservedFile> out;
  for (const auto& e : fs::directory_iterator(kVectors + "/" + vector))
    out.push_back({e.path().filename().string(), scanners::Sha256File(e.path().string()).value()});
  return out;
}

signing::EmbeddedSignature Embedded(const std::string& vector) {
  signing::EmbeddedSignature e;
  e.path = "model.sig";
  e.state = signing::EmbeddedSignature::State::kPresent;
  e.bundle = ReadFile(kVectors + "/" + vector + "/model.sig");
  e.size = e.bundle.size();
  return e;
}

SignatureInput JobInput(const policy::ModelAdmission& ma, std::vector<ObservedFile> files,
                        const signing::EmbeddedSignature* e) {
  SignatureInput in;
  in.model = &ma;
  in.files = std::move(files);
  in.embedded_signature = e;  // model_root stays "": a Job scan
  return in;
}

TEST(SigstoreVerifier, JobScanVerifiesTheEmbeddedBundleAgainstTheReportedHashes) {
  policy::ModelAdmission ma = KeyModel();
  SignatureVerifier verify = KeyVerifier();
  const signing::EmbeddedSignature e = Embedded("v1.1.0-elliptic-key");
  auto files = ScannedFiles("v1.1.0-elliptic-key");
  SignatureResult ok = verify(JobInput(ma, files, &e));
  EXPECT_EQ(ok.kind, SignatureResult::Kind::kVerified) << ok.detail;
  EXPECT_EQ(ok.detail, "verified 2 files against model.sig (file hashes from the scan Job)");

  auto changed = files;
  for (auto& f : changed)
    if (f.path == "signme-1") f.sha256 = std::string(64, 'f');
  SignatureResult bad = verify(JobInput(ma, changed, &e));
  EXPECT_EQ(bad.kind, SignatureResult::Kind::kInvalid);
  EXPECT_EQ(bad.detail, "model does not match its signature: modified signme-1");

  auto extra = files;
  extra.push_back({"sub/evil.pkl", std::string(64, 'a')});
  SignatureResult more = verify(JobInput(ma, extra, &e));
  EXPECT_EQ(more.kind, SignatureResult::Kind::kInvalid);
  EXPECT_EQ(more.detail, "model does not match its signature: extra sub/evil.pkl");
}

TEST(SigstoreVerifier, JobScanBundleIsCheckedNotTrusted) {
  policy::ModelAdmission ma = KeyModel();
  SignatureVerifier verify = KeyVerifier();
  // A valid bundle by another signer (the certificate vector), with hashes to match.
  const signing::EmbeddedSignature other = Embedded("v1.1.0-certificate");
  SignatureResult r = verify(JobInput(ma, ScannedFiles("v1.1.0-certificate"), &other));
  EXPECT_EQ(r.kind, SignatureResult::Kind::kUntrusted) << r.detail;

  signing::EmbeddedSignature garbage = Embedded("v1.1.0-elliptic-key");
  garbage.bundle = "{\"mediaType\": \"verified, trust me\"}";
  r = verify(JobInput(ma, ScannedFiles("v1.1.0-elliptic-key"), &garbage));
  EXPECT_EQ(r.kind, SignatureResult::Kind::kInvalid) << r.detail;
}

TEST(SigstoreVerifier, JobScanEmbeddedStatesMapToPreciseResults) {
  using State = signing::EmbeddedSignature::State;
  policy::ModelAdmission ma = KeyModel();
  SignatureVerifier verify = KeyVerifier();
  const auto files = ScannedFiles("v1.1.0-elliptic-key");
  signing::EmbeddedSignature e;
  e.path = "model.sig";

  e.state = State::kMissing;
  SignatureResult r = verify(JobInput(ma, files, &e));
  EXPECT_EQ(r.kind, SignatureResult::Kind::kUnsigned);
  EXPECT_EQ(r.detail, "spec.signature declares model.sig but there is no such file");

  e.state = State::kTooLarge;
  e.reason = "model.sig is 99999999999 bytes";
  EXPECT_EQ(verify(JobInput(ma, files, &e)).kind, SignatureResult::Kind::kInvalid);

  e.state = State::kUnreadable;
  e.reason = "model.sig resolves outside the model";
  r = verify(JobInput(ma, files, &e));
  EXPECT_EQ(r.kind, SignatureResult::Kind::kNotVerified);
  EXPECT_EQ(r.detail, "could not verify: the scan Job could not read model.sig: model.sig resolves outside the model");

  // A bundle for another path (a stale or foreign report) is not looked at.
  signing::EmbeddedSignature elsewhere = Embedded("v1.1.0-elliptic-key");
  elsewhere.path = "other.sig";
  r = verify(JobInput(ma, files, &elsewhere));
  EXPECT_EQ(r.kind, SignatureResult::Kind::kNotVerified);
  EXPECT_EQ(r.detail, "the scan Job embedded other.sig, but spec.signature declares model.sig");

  r = verify(JobInput(ma, files, nullptr));
  EXPECT_EQ(r.kind, SignatureResult::Kind::kNotVerified);
  EXPECT_NE(r.detail.find("carries no signature file"), std::string::npos) << r.detail;

  ma.signature_path = "a/./model.sig";
  EXPECT_EQ(verify(JobInput(ma, files, &e)).kind, SignatureResult::Kind::kInvalid);
}

TEST(SigstoreVerifier, JobScanKeylessChecksTheIdentity) {
  policy::ModelAdmission ma = KeylessModel();
  SigstoreVerifierOptions o;
  o.trusted_root_json =
      ReadFile(std::string(MODELGATE_SHARED_DIR) + "/testdata/sigstore/trust-roots/prod_trusted_root.json");
  auto verify = MakeSigstoreVerifier(o);
  ASSERT_TRUE(verify.ok()) << verify.status().message();
  const signing::EmbeddedSignature e = Embedded("v1.1.0-sigstore");
  const auto files = ScannedFiles("v1.1.0-sigstore");
  SignatureResult ok = verify.value()(JobInput(ma, files, &e));
  EXPECT_EQ(ok.kind, SignatureResult::Kind::kVerified) << ok.detail;
  EXPECT_EQ(ok.identity, "stefanb@us.ibm.com");
  ma.signature_identity = "someone-else@example.com";
  SignatureResult wrong = verify.value()(JobInput(ma, files, &e));
  EXPECT_EQ(wrong.kind, SignatureResult::Kind::kUntrusted) << wrong.detail;
}

TEST(SigstoreVerifier, GarbageTrustedRootIsAnError) {
  SigstoreVerifierOptions o;
  o.trusted_root_json = "{not json";
  EXPECT_FALSE(MakeSigstoreVerifier(o).ok());
}

// Job-mode verification from end to end without a cluster: the real `modelgate scan`
// binary, run with the scan Job's args (BuildScanJob; the model directory stands in for
// the /model mount), embeds the signature file; the operator's side parses the log
// (ParseScanOutput), makes paths relative as the job executor does, and the verifier
// checks the bundle against the reported hashes.

// Runs the scanner with the Job's args, `model_dir` in place of the /model mount.
// Returns its stdout (the pod log) and exit code.
std::pair<std::string, int> RunJobScan(const policy::ModelAdmission& ma, const std::string& model_dir) {
  ControllerOptions opts;
  opts.scanner_image = "registry.example/modelgate:1";
  auto job = BuildScanJob(ma, "", opts);
  EXPECT_TRUE(job.ok());
  std::string cmd = MODELGATE_BINARY;
  for (const auto& a : job.value()["spec"]["template"]["spec"]["containers"][0]["args"]) {
    std::string arg = a.get<std::string>();
    if (arg == kJobModelMount) arg = model_dir;
    cmd += " '" + arg + "'";
  }
  std::string out;
  FILE* p = popen((cmd + " 2>/dev/null").c_str(), "r");
  if (!p) return {"", -1};
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  const int st = pclose(p);
  return {out, WIFEXITED(st) ? WEXITSTATUS(st) : -1};
}

// KeyModel() as a hostPath model, so that BuildScanJob has a source to mount.
policy::ModelAdmission KeyHostPathModel() {
  policy::ModelAdmission ma = KeyModel();
  ma.uid = "u";
  ma.generation = 1;
  ma.source.kind = policy::ModelSource::Kind::kHostPath;
  ma.source.host_path = "/models/m";
  return ma;
}

SignatureResult VerifyLog(const policy::ModelAdmission& ma, const std::string& model_dir, const std::string& log) {
  auto parsed = ParseScanOutput(log);
  EXPECT_TRUE(parsed.ok()) << parsed.status().message();
  if (!parsed.ok()) return {};
  RelativizeReport(parsed.value().report, model_dir, false);
  SignatureInput in;
  in.model = &ma;
  for (const auto& f : parsed.value().report.files) in.files.push_back({f.path, f.sha256});
  if (parsed.value().signature) in.embedded_signature = &*parsed.value().signature;
  return KeyVerifier()(in);
}

TEST(SigstoreVerifier, JobScanCliEmbedsTheBundleAndTheOperatorVerifiesIt) {
  const std::string dir = kVectors + "/v1.1.0-elliptic-key";
  const policy::ModelAdmission ma = KeyHostPathModel();
  auto [log, code] = RunJobScan(ma, dir);
  ASSERT_NE(code, -1);
  auto parsed = ParseScanOutput(log);
  ASSERT_TRUE(parsed.ok()) << parsed.status().message();
  ASSERT_TRUE(parsed.value().signature.has_value());
  EXPECT_EQ(parsed.value().signature->bundle, ReadFile(dir + "/model.sig"));
  SignatureResult r = VerifyLog(ma, dir, log);
  EXPECT_EQ(r.kind, SignatureResult::Kind::kVerified) << r.detail;
}

TEST(SigstoreVerifier, JobScanCliTamperedModelIsInvalidAndMissingSignatureUnsigned) {
  const fs::path dir = fs::temp_directory_path() / ("mg-jobsig-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::copy(kVectors + "/v1.1.0-elliptic-key", dir, fs::copy_options::recursive);
  for (const auto& e : fs::directory_iterator(dir)) fs::permissions(e.path(), fs::perms::owner_write, fs::perm_options::add);
  std::ofstream(dir / "signme-2", std::ios::app) << "!";
  const policy::ModelAdmission ma = KeyHostPathModel();
  auto [log, code] = RunJobScan(ma, dir.string());
  SignatureResult r = VerifyLog(ma, dir.string(), log);
  EXPECT_EQ(r.kind, SignatureResult::Kind::kInvalid);
  EXPECT_EQ(r.detail, "model does not match its signature: modified signme-2");

  fs::remove(dir / "model.sig");
  auto [log2, code2] = RunJobScan(ma, dir.string());
  auto parsed = ParseScanOutput(log2);
  ASSERT_TRUE(parsed.ok()) << parsed.status().message();
  ASSERT_TRUE(parsed.value().signature.has_value());  // reported missing, not dropped
  EXPECT_EQ(parsed.value().signature->state, signing::EmbeddedSignature::State::kMissing);
  EXPECT_EQ(VerifyLog(ma, dir.string(), log2).kind, SignatureResult::Kind::kUnsigned);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace modelgate::controller
