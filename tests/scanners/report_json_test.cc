// The JSON report's per-file `verdict` follows the report's verdict rules
// (docs/scan-output.md "Verdict rules") for that file alone, at the same failOn.
#include <gtest/gtest.h>

#include <string>

#include "scanners/report.h"
#include "scanners/scan.h"

namespace modelgate::scanners {
namespace {

ScanReport OneFile(FileReport f) {
  ScanReport r;
  r.files.push_back(std::move(f));
  return r;
}

// A SentencePiece `tokenizer.model` is a protobuf: binary, of no format we parse.
std::string SentencePieceLikeBytes() {
  std::string b("\x0a\x0b\x0a\x05<unk>\x15\x00\x00\x00\x00\x18\x02", 17);
  for (int i = 0; i < 256; ++i) b.push_back(static_cast<char>((i * 151 + 7) & 0xff));
  return b;
}

TEST(FileVerdict, UnrecognizedTokenizerModelIsCleanLikeTheReport) {
  FileReport f = ScanBytes(SentencePieceLikeBytes(), "tokenizer.model", ScanLimits{});
  // The premise: an info finding and nothing undecided.
  ASSERT_EQ(f.findings.size(), 1u);
  ASSERT_EQ(f.findings[0].rule, "format/unrecognized");
  ASSERT_EQ(f.findings[0].severity, Severity::kInfo);
  ASSERT_TRUE(f.undecided.empty());

  auto j = ReportToJson(OneFile(f), Severity::kMedium);
  EXPECT_EQ(j["verdict"], "clean");
  EXPECT_EQ(j["exitCode"], 0);
  EXPECT_EQ(j["files"][0]["verdict"], "clean");
  // Below failOn the finding is still listed.
  ASSERT_EQ(j["files"][0]["findings"].size(), 1u);
  EXPECT_EQ(j["files"][0]["findings"][0]["rule"], "format/unrecognized");
}

TEST(FileVerdict, FollowsFailOn) {
  FileReport f;
  f.path = "m/tokenizer.model";
  f.findings.push_back({"format/unrecognized", Severity::kInfo, f.path, "binary data of no known format"});
  auto j = ReportToJson(OneFile(f), Severity::kInfo);
  EXPECT_EQ(j["verdict"], "findings");
  EXPECT_EQ(j["files"][0]["verdict"], "findings");
}

TEST(FileVerdict, CriticalFindingOutranksUndecidedPart) {
  FileReport f;
  f.path = "m/model.zip";
  f.findings.push_back({"pickle/dangerous-global", Severity::kCritical, "m/model.zip!a/data.pkl", "posix.system"});
  f.undecided.push_back({"m/model.zip!b/data.pkl", "truncated"});
  auto j = ReportToJson(OneFile(f), Severity::kMedium);
  EXPECT_EQ(j["verdict"], "findings");
  EXPECT_EQ(j["exitCode"], 1);
  EXPECT_EQ(j["files"][0]["verdict"], "findings");
  EXPECT_EQ(j["files"][0]["undecided"].size(), 1u);
}

TEST(FileVerdict, UndecidedOutranksFindingsBelowFailOn) {
  FileReport f;
  f.path = "m/model.zip";
  f.findings.push_back({"file/symlink-outside-root", Severity::kLow, f.path, "link"});
  f.undecided.push_back({"m/model.zip!b/data.pkl", "truncated"});
  auto j = ReportToJson(OneFile(f), Severity::kMedium);
  EXPECT_EQ(j["verdict"], "undecided");
  EXPECT_EQ(j["files"][0]["verdict"], "undecided");
  // With the threshold lowered, the same low finding decides.
  j = ReportToJson(OneFile(f), Severity::kLow);
  EXPECT_EQ(j["verdict"], "findings");
  EXPECT_EQ(j["files"][0]["verdict"], "findings");
}

TEST(FileVerdict, EachFileAlone) {
  ScanReport r;
  FileReport bad, side;
  bad.path = "m/pytorch_model.bin";
  bad.findings.push_back({"pickle/dangerous-global", Severity::kCritical, bad.path, "posix.system"});
  side.path = "m/tokenizer.model";
  side.findings.push_back({"format/unrecognized", Severity::kInfo, side.path, "binary"});
  r.files = {bad, side};
  auto j = ReportToJson(r, Severity::kMedium);
  EXPECT_EQ(j["verdict"], "findings");
  EXPECT_EQ(j["files"][0]["verdict"], "findings");
  EXPECT_EQ(j["files"][1]["verdict"], "clean");
}

}  // namespace
}  // namespace modelgate::scanners
