#include "scanners/dispatch.h"

#include <gtest/gtest.h>

#include "scanners/scan.h"

namespace modelgate::scanners {
namespace {

bool HasRule(const FileReport& r, const std::string& prefix) {
  for (const auto& f : r.findings)
    if (f.rule.rfind(prefix, 0) == 0) return true;
  return false;
}

// Regression: a template starting with "{{" sniffed as JSON and came out undecided
// ("invalid JSON") instead of being audited.
TEST(Dispatch, JinjaTemplateThatLooksLikeJsonIsAuditedAsATemplate) {
  ScanLimits limits;
  FileReport hostile =
      ScanBytes("{{ cycler.__init__.__globals__.os.popen('id').read() }}", "m/chat_template.jinja", limits);
  EXPECT_TRUE(hostile.undecided.empty()) << hostile.undecided[0].reason;
  EXPECT_TRUE(HasRule(hostile, "template/")) << hostile.findings.size();

  FileReport benign =
      ScanBytes("{% for m in messages %}{{ m.role }}: {{ m.content }}\n{% endfor %}", "m/chat_template.jinja", limits);
  EXPECT_TRUE(benign.undecided.empty());
  EXPECT_FALSE(HasRule(benign, "template/"));
}

TEST(Dispatch, UnknownBinaryIsAnInfoFindingNotClean) {
  FileReport r = ScanBytes(std::string("\x0a\x05\xff\xfe\x00\x01", 6), "tokenizer.model", ScanLimits{});
  ASSERT_EQ(r.findings.size(), 1u);
  EXPECT_EQ(r.findings[0].rule, "format/unrecognized");
  EXPECT_EQ(r.findings[0].severity, Severity::kInfo);
}

TEST(Dispatch, NestingDeeperThanTheBoundIsUndecided) {
  ScanLimits limits;
  limits.max_archive_depth = 0;
  FileReport fr;
  fr.path = "a.zip";
  ScanContext top(limits, &fr);
  ScanContext inner = top.Child("b.zip");
  MemorySource src(std::string_view("hello"));
  AnalyzeBlob(src, "b.zip", inner);
  ASSERT_EQ(fr.undecided.size(), 1u);
  EXPECT_NE(fr.undecided[0].reason.find("nesting"), std::string::npos);
}

}  // namespace
}  // namespace modelgate::scanners
