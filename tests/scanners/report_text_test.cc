// The text report labels each file with the same verdict as the JSON report
// (DecideFile: the report's rules for that file alone, at the same --fail-on).
#include <gtest/gtest.h>

#include <string>

#include "scanners/report.h"
#include "scanners/scan.h"

namespace modelgate::scanners {
namespace {

// The line of the file `path` in the text report.
std::string FileLine(const std::string& text, const std::string& path) {
  const size_t at = text.find("  " + path + "  ");
  if (at == std::string::npos) return "";
  const size_t begin = text.rfind('\n', at) == std::string::npos ? 0 : text.rfind('\n', at) + 1;
  return text.substr(begin, text.find('\n', at) - begin);
}

TEST(ReportText, FindingBelowFailOnIsListedUnderACleanFile) {
  ScanReport r;
  FileReport f;
  f.path = "m/tokenizer.model";
  f.findings.push_back({"format/unrecognized", Severity::kInfo, f.path, "binary data of no known format"});
  r.files.push_back(f);
  const std::string text = ReportToText(r, Severity::kMedium, false);
  EXPECT_NE(FileLine(text, f.path).find("clean"), std::string::npos) << text;
  EXPECT_NE(text.find("INFO format/unrecognized"), std::string::npos) << text;
  EXPECT_NE(text.find("verdict: clean"), std::string::npos) << text;

  const std::string strict = ReportToText(r, Severity::kInfo, false);
  EXPECT_NE(FileLine(strict, f.path).find("findings"), std::string::npos) << strict;
}

TEST(ReportText, FindingAtFailOnOutranksAnUndecidedPart) {
  ScanReport r;
  FileReport f;
  f.path = "m/model.zip";
  f.findings.push_back({"pickle/dangerous-global", Severity::kCritical, "m/model.zip!a/data.pkl", "posix.system"});
  f.undecided.push_back({"m/model.zip!b/data.pkl", "truncated"});
  r.files.push_back(f);
  const std::string text = ReportToText(r, Severity::kMedium, false);
  const std::string line = FileLine(text, f.path);
  EXPECT_NE(line.find("findings"), std::string::npos) << text;
  EXPECT_EQ(line.find("UNDECIDED"), std::string::npos) << text;
  // The undecided part is still shown beneath it.
  EXPECT_NE(text.find("UNDECIDED m/model.zip!b/data.pkl: truncated"), std::string::npos) << text;
}

}  // namespace
}  // namespace modelgate::scanners
