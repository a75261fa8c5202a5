// `modelgate check --scanner-image`: the built binary recognises a scan pod of the
// operator's shape (admitted, with a note) and judges a lookalike with a writable mount
// as an ordinary pod (denied MG002).
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

const char* kScanner = "registry.example/modelgate:1.0";

using cli_test::Binary;
using cli_test::CliRun;

CliRun Exec(const std::string& args) { return cli_test::RunCheck(args, "", /*with_stderr=*/true); }

// The operator's scan pod for "llama" (unscanned) and the isolation NetworkPolicy.
json ScanPod(bool writable) {
  json pod = json::parse(R"({
    "apiVersion": "v1", "kind": "Pod",
    "metadata": {"name": "mg-scan-1", "namespace": "ml", "labels": {"modelgate.io/scan-job": "true"}},
    "spec": {
      "restartPolicy": "Never", "automountServiceAccountToken": false,
      "securityContext": {"runAsNonRoot": true, "runAsUser": 65532},
      "containers": [{
        "name": "scan",
        "args": ["scan", "/model", "--output", "json", "--no-progress"],
        "volumeMounts": [{"name": "model", "mountPath": "/model", "readOnly": true, "subPath": "llama-3-8b"}],
        "securityContext": {"allowPrivilegeEscalation": false, "capabilities": {"drop": ["ALL"]}}
      }],
      "volumes": [{"name": "model", "persistentVolumeClaim": {"claimName": "models", "readOnly": true}}]
    }})");
  pod["spec"]["containers"][0]["image"] = kScanner;
  if (writable) {
    pod["metadata"]["name"] = "lookalike";
    pod["spec"]["containers"][0]["volumeMounts"][0]["readOnly"] = false;
  }
  return pod;
}

class CheckScannerImage : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(fs::exists(Binary())) << "no modelgate binary at " << Binary();
    dir_ = fs::path(::testing::TempDir()) / ("mg-check-scanner-" + std::to_string(getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    json ma = AdmittedModel();
    ma.erase("status");
    std::ofstream(dir_ / "admissions.json") << ma.dump();
    std::ofstream(dir_ / "netpol.json") << DenyAllEgress().dump();
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string Write(const std::string& name, const json& obj) {
    std::ofstream(dir_ / name) << obj.dump();
    return (dir_ / name).string();
  }
  std::string Lookups() const {
    return " --admissions " + (dir_ / "admissions.json").string() + " --admissions " + (dir_ / "netpol.json").string();
  }
  fs::path dir_;
};

TEST_F(CheckScannerImage, ScanPodIsAdmittedWithANote) {
  const std::string f = Write("scan.json", ScanPod(false));
  CliRun r = Exec("-f " + f + Lookups() + " --scanner-image " + kScanner);
  EXPECT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("[note] scanner pod"), std::string::npos) << r.out;

  r = Exec("-f " + f + Lookups() + " --scanner-image " + kScanner + " --output json");
  EXPECT_EQ(r.code, 0) << r.out;
  const json j = json::parse(r.out, nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << r.out;
  EXPECT_EQ(j["workloads"][0]["decision"]["notes"].size(), 1u) << r.out;
}

TEST_F(CheckScannerImage, WithoutTheFlagTheScanPodIsDeniedMg002) {
  CliRun r = Exec("-f " + Write("scan.json", ScanPod(false)) + Lookups());
  EXPECT_EQ(r.code, 1) << r.out;
  EXPECT_NE(r.out.find("MG002"), std::string::npos) << r.out;
}

TEST_F(CheckScannerImage, LookalikeWithAWritableMountIsDeniedMg002) {
  CliRun r = Exec("-f " + Write("lookalike.json", ScanPod(true)) + Lookups() + " --scanner-image " + kScanner);
  EXPECT_EQ(r.code, 1) << r.out;
  EXPECT_NE(r.out.find("MG002"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("[note]"), std::string::npos) << r.out;
}

TEST_F(CheckScannerImage, EmptyImageIsAUsageError) {
  CliRun r = Exec("-f " + Write("scan.json", ScanPod(false)) + " --scanner-image ''");
  EXPECT_EQ(r.code, 2) << r.out;
}

}  // namespace
}  // namespace modelgate::policy
