// Inline scan roots, report relativisation, manifest digest, option parsing.
#include "controller/scan_source.h"

#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "controller/options.h"
#ifdef MODELGATE_HAVE_MG_SIGNING
#include "scanners/signing/manifest.h"
#endif

namespace modelgate::controller {
namespace {

policy::ModelAdmission Pvc(const std::string& claim, const std::string& sub) {
  policy::ModelAdmission ma;
  ma.namespace_name = "ml";
  ma.source.kind = policy::ModelSource::Kind::kPvc;
  ma.source.claim_name = claim;
  ma.source.sub_path = sub;
  return ma;
}

TEST(InlineModelRoot, PvcUnderRoot) {
  auto r = InlineModelRoot(Pvc("models", "llama/v1"), "/pvcs/");
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r.value(), "/pvcs/ml/models/llama/v1");
}

TEST(InlineModelRoot, RefusesEscapes) {
  EXPECT_FALSE(InlineModelRoot(Pvc("models", "../../etc"), "/pvcs").ok());
  EXPECT_FALSE(InlineModelRoot(Pvc("models", "/etc"), "/pvcs").ok());
  EXPECT_FALSE(InlineModelRoot(Pvc("..", ""), "/pvcs").ok());
  EXPECT_FALSE(InlineModelRoot(Pvc("a/b", ""), "/pvcs").ok());
  EXPECT_FALSE(InlineModelRoot(Pvc("models", ""), "").ok()) << "no --pvc-root";
  policy::ModelAdmission h;
  h.source.kind = policy::ModelSource::Kind::kHostPath;
  h.source.host_path = "relative/path";
  EXPECT_FALSE(InlineModelRoot(h, "").ok());
  h.source.host_path = "/mnt/../etc";
  EXPECT_FALSE(InlineModelRoot(h, "").ok());
  h.source.host_path = "/mnt/models";
  EXPECT_EQ(InlineModelRoot(h, "").value(), "/mnt/models");
  policy::ModelAdmission img;
  img.source.kind = policy::ModelSource::Kind::kImage;
  auto r = InlineModelRoot(img, "");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("--scan-mode job"), std::string::npos);
}

TEST(RelativizeReport, DirectoryAndFileRoots) {
  scanners::ScanReport r;
  scanners::FileReport f;
  f.path = "/m/dir/sub/a.bin";
  f.findings.push_back({"x", scanners::Severity::kHigh, "/m/dir/sub/a.bin!inner", ""});
  r.files.push_back(f);
  r.errors.push_back({"/m/dir/broken", "x"});
  RelativizeReport(r, "/m/dir/", false);
  EXPECT_EQ(r.files[0].path, "sub/a.bin");
  EXPECT_EQ(r.files[0].findings[0].file, "sub/a.bin!inner");
  EXPECT_EQ(r.errors[0].file, "broken");
  scanners::ScanReport s;
  f.path = "/m/model.bin";
  s.files.push_back(f);
  RelativizeReport(s, "/m/model.bin", true);
  EXPECT_EQ(s.files[0].path, "model.bin");
}

TEST(ManifestDigest, IgnoresSignatureAndNeedsEveryHash) {
#ifdef MODELGATE_HAVE_MG_SIGNING
  scanners::ScanReport r;
  scanners::FileReport a, sig;
  a.path = "model.safetensors";
  a.sha256 = std::string(64, 'a');
  sig.path = "model.sig";
  sig.sha256 = std::string(64, 'b');
  r.files = {a, sig};
  const std::string d1 = ManifestDigest(r, {"model.sig"});
  ASSERT_EQ(d1.rfind("sha256:", 0), 0u);
  EXPECT_EQ(d1.size(), 7u + 64u);
  r.files[1].sha256 = std::string(64, 'c');
  EXPECT_EQ(ManifestDigest(r, {"model.sig"}), d1);
  EXPECT_NE(ManifestDigest(r, {}), d1);
  r.files[0].sha256.clear();
  EXPECT_EQ(ManifestDigest(r, {"model.sig"}), "");
#else
  GTEST_SKIP() << "built without mg_signing";
#endif
}

// The digest from the scan's hashes equals model_signing's own manifest of the directory.
TEST(ManifestDigest, EqualsSigningLibraryManifestOfTheDirectory) {
#ifdef MODELGATE_HAVE_MG_SIGNING
  const auto dir = std::filesystem::temp_directory_path() / ("mg-manifest-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir / "sub");
  std::ofstream(dir / "a.bin") << "alpha";
  std::ofstream(dir / "sub" / "b.json") << "{}";
  std::ofstream(dir / "a-b") << "x";  // canonical order: "a-b" vs "a.bin" vs "sub/b.json"
  scanners::ScanOptions so;
  so.threads = 1;
  scanners::ScanReport r = scanners::ScanPaths({dir.string()}, so);
  RelativizeReport(r, dir.string(), false);
  auto m = signing::ComputeManifest(dir.string(), signing::ManifestOptions{});
  std::filesystem::remove_all(dir);
  ASSERT_TRUE(m.ok()) << m.status().message();
  EXPECT_EQ(ManifestDigest(r, {}), "sha256:" + m.value().root_digest);
#else
  GTEST_SKIP() << "built without mg_signing";
#endif
}

TEST(Options, DurationsAndValidation) {
  EXPECT_EQ(ParseDuration("10m").value(), std::chrono::minutes(10));
  EXPECT_EQ(ParseDuration("1h30m").value(), std::chrono::minutes(90));
  EXPECT_EQ(ParseDuration("500ms").value(), std::chrono::milliseconds(500));
  EXPECT_EQ(ParseDuration("45").value(), std::chrono::seconds(45));
  EXPECT_FALSE(ParseDuration("").ok());
  EXPECT_FALSE(ParseDuration("10x").ok());
  EXPECT_FALSE(ParseDuration("m").ok());
  ControllerOptions o;
  EXPECT_TRUE(ValidateOptions(o).ok());
  o.max_concurrent_scans = 0;
  EXPECT_NE(ValidateOptions(o).message().find("--max-concurrent-scans"), std::string::npos);
  o = {};
  o.renew_deadline = o.lease_duration;
  EXPECT_FALSE(ValidateOptions(o).ok());
  EXPECT_TRUE(ParseScanMode("job").ok());
  EXPECT_FALSE(ParseScanMode("pod").ok());
}

}  // namespace
}  // namespace modelgate::controller
