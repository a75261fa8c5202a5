#include "scanners/context.h"

#include <gtest/gtest.h>

namespace modelgate::scanners {
namespace {

TEST(ScanContext, ChildPathsAndDepth) {
  ScanLimits limits;
  FileReport fr;
  fr.path = "m/model.zip";
  ScanContext top(limits, &fr);
  ScanContext inner = top.Child("archive/data.pkl");
  EXPECT_EQ(inner.path(), "m/model.zip!archive/data.pkl");
  EXPECT_EQ(inner.depth(), 1);
  inner.Add("pickle/dangerous-global", Severity::kCritical, "os.system");
  ASSERT_EQ(fr.findings.size(), 1u);
  EXPECT_EQ(fr.findings[0].file, "m/model.zip!archive/data.pkl");
  inner.SetFormat(Format::kPickle);  // members never change the file's format
  top.SetFormat(Format::kPyTorchZip);
  EXPECT_EQ(fr.format, Format::kPyTorchZip);
  inner.AddFact("k", "v");
  EXPECT_EQ(fr.facts.back().first, "archive/data.pkl:k");
}

TEST(ScanContext, DecompressionBudgetIsSharedAndReportedOnce) {
  ScanLimits limits;
  limits.max_total_decompressed = 100;
  FileReport fr;
  fr.path = "bomb.zip";
  ScanContext top(limits, &fr);
  ScanContext a = top.Child("a");
  ScanContext b = top.Child("b");
  EXPECT_TRUE(a.ChargeDecompressed(60));
  EXPECT_FALSE(b.ChargeDecompressed(60));
  EXPECT_FALSE(a.ChargeDecompressed(1));
  ASSERT_EQ(fr.undecided.size(), 1u);
  EXPECT_NE(fr.undecided[0].reason.find("bomb"), std::string::npos);
}

}  // namespace
}  // namespace modelgate::scanners
