#include "scanners/scan.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "scanners/hashing.h"
#include "scanners/report.h"

namespace modelgate::scanners {
namespace {
namespace fs = std::filesystem;

class ScanDirTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("mg_scan_test_" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "model" / "sub");
  }
  void TearDown() override { fs::remove_all(dir_); }
  void Write(const std::string& rel, const std::string& bytes) {
    std::ofstream(dir_ / rel, std::ios::binary) << bytes;
  }
  fs::path dir_;
};

const FileReport* Find(const ScanReport& r, const std::string& suffix) {
  for (const auto& f : r.files) {
    if (f.path.size() >= suffix.size() && f.path.substr(f.path.size() - suffix.size()) == suffix) return &f;
  }
  return nullptr;
}

TEST_F(ScanDirTest, WalksDirectoriesHashesAndReportsRelativePaths) {
  Write("model/README.md", "# a model\n");
  Write("model/sub/notes.txt", "plain text\n");
  ScanReport r = ScanPaths({(dir_ / "model").string()}, {});
  ASSERT_EQ(r.files.size(), 2u);
  const FileReport* readme = Find(r, "model/README.md");
  ASSERT_NE(readme, nullptr);
  EXPECT_EQ(readme->sha256, Sha256Hex("# a model\n"));
  EXPECT_EQ(readme->format, Format::kText);
  EXPECT_NE(Find(r, "model/sub/notes.txt"), nullptr);
  EXPECT_EQ(Decide(r, Severity::kMedium), Verdict::kClean);
  EXPECT_EQ(ExitCode(Decide(r, Severity::kMedium)), 0);
}

TEST_F(ScanDirTest, MissingPathIsUndecidedNotClean) {
  ScanReport r = ScanPaths({(dir_ / "nope").string()}, {});
  EXPECT_TRUE(r.files.empty());
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(Decide(r, Severity::kMedium), Verdict::kUndecided);
  EXPECT_EQ(ExitCode(Decide(r, Severity::kMedium)), 2);
}

TEST_F(ScanDirTest, PythonFilesInModelDirectoryAreCustomCode) {
  Write("model/modeling_evil.py", "import os\n");
  ScanReport r = ScanPaths({(dir_ / "model").string()}, {});
  const FileReport* f = Find(r, "modeling_evil.py");
  ASSERT_NE(f, nullptr);
  ASSERT_FALSE(f->findings.empty());
  EXPECT_EQ(f->findings[0].rule, "hf/custom-code");
  EXPECT_EQ(Decide(r, Severity::kMedium), Verdict::kFindings);
  EXPECT_EQ(Decide(r, Severity::kCritical), Verdict::kClean);
}

TEST_F(ScanDirTest, SymlinkOutsideRootIsFollowedAndFlagged) {
  Write("outside.txt", "hello\n");
  fs::create_symlink(dir_ / "outside.txt", dir_ / "model" / "link.txt");
  ScanReport r = ScanPaths({(dir_ / "model").string()}, {});
  const FileReport* f = Find(r, "model/link.txt");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->sha256, Sha256Hex("hello\n"));
  ASSERT_EQ(f->findings.size(), 1u);
  EXPECT_EQ(f->findings[0].rule, "file/symlink-outside-root");
}

TEST_F(ScanDirTest, BrokenSymlinkIsUndecided) {
  fs::create_symlink(dir_ / "gone", dir_ / "model" / "dangling");
  ScanReport r = ScanPaths({(dir_ / "model").string()}, {});
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(Decide(r, Severity::kMedium), Verdict::kUndecided);
}

TEST(Decide, FindingsOutrankUndecided) {
  ScanReport r;
  FileReport a;
  a.path = "a";
  a.findings.push_back({"pickle/dangerous-global", Severity::kCritical, "a", "os.system"});
  FileReport b;
  b.path = "b";
  b.undecided.push_back({"b", "truncated"});
  r.files = {a, b};
  EXPECT_EQ(Decide(r, Severity::kMedium), Verdict::kFindings);
  r.files = {b};
  EXPECT_EQ(Decide(r, Severity::kMedium), Verdict::kUndecided);
}

TEST(Report, JsonAndSarifCarryFindingsAndUndecided) {
  ScanReport r;
  FileReport a;
  a.path = "m/evil.bin";
  a.format = Format::kPickle;
  a.findings.push_back({"pickle/dangerous-global", Severity::kCritical, "m/evil.bin", "os.system"});
  a.undecided.push_back({"m/evil.bin!x", "truncated"});
  r.files = {a};
  auto j = ReportToJson(r, Severity::kMedium);
  EXPECT_EQ(j["schemaVersion"], "modelgate.io/scan/v1");
  EXPECT_EQ(j["verdict"], "findings");
  EXPECT_EQ(j["exitCode"], 1);
  EXPECT_EQ(j["files"][0]["format"], "pickle");
  EXPECT_EQ(j["files"][0]["findings"][0]["rule"], "pickle/dangerous-global");
  EXPECT_EQ(j["summary"]["findings"]["critical"], 1);
  EXPECT_EQ(j["summary"]["undecided"], 1);

  auto s = ReportToSarif(r, Severity::kMedium);
  EXPECT_EQ(s["version"], "2.1.0");
  auto& results = s["runs"][0]["results"];
  ASSERT_EQ(results.size(), 2u);
  EXPECT_EQ(results[0]["ruleId"], "pickle/dangerous-global");
  EXPECT_EQ(results[0]["level"], "error");
  EXPECT_EQ(results[1]["ruleId"], "scan/undecided");
  EXPECT_EQ(results[1]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"], "m/evil.bin");

  std::string text = ReportToText(r, Severity::kMedium, false);
  EXPECT_NE(text.find("CRITICAL pickle/dangerous-global"), std::string::npos);
  EXPECT_NE(text.find("exit 1"), std::string::npos);
}

}  // namespace
}  // namespace modelgate::scanners
