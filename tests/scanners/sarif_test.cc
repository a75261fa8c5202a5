// SARIF 2.1.0 pieces shared by `scan` and `check`: artifact URIs that are valid URIs,
// no location for stdin, rule help in the log instead of a helpUri to a site that does
// not exist.
#include "scanners/sarif.h"

#include <map>
#include <string>

#include <gtest/gtest.h>

#include "scanners/report.h"

namespace modelgate::scanners {
namespace {

TEST(SarifArtifactUri, RelativePathStaysRelative) {
  EXPECT_EQ(SarifArtifactUri("k8s/app.yaml"), "k8s/app.yaml");
  EXPECT_EQ(SarifArtifactUri("models/llama-3_8b~v1.safetensors"), "models/llama-3_8b~v1.safetensors");
}

TEST(SarifArtifactUri, AbsolutePathIsAFileUri) {
  EXPECT_EQ(SarifArtifactUri("/tmp/app.yaml"), "file:///tmp/app.yaml");
}

TEST(SarifArtifactUri, DelimitersAndNonAsciiArePercentEncoded) {
  EXPECT_EQ(SarifArtifactUri("my app#1?.yaml"), "my%20app%231%3F.yaml");
  EXPECT_EQ(SarifArtifactUri("100%.yaml"), "100%25.yaml");
  // A colon in the first segment would otherwise read as a scheme ("c:" or "http:").
  EXPECT_EQ(SarifArtifactUri("c:model.bin"), "c%3Amodel.bin");
  EXPECT_EQ(SarifArtifactUri("mod\xc3\xa8le.bin"), "mod%C3%A8le.bin");
}

TEST(SarifArtifactUri, StdinHasNoUri) {
  EXPECT_EQ(SarifArtifactUri("<stdin>"), std::nullopt);
  EXPECT_EQ(SarifArtifactUri("-"), std::nullopt);
  EXPECT_EQ(SarifArtifactUri(""), std::nullopt);
}

TEST(SarifLocation, StdinKeepsOnlyTheLogicalLocation) {
  nlohmann::json loc = SarifLocation("<stdin>", "ml/Pod/server", "object");
  EXPECT_FALSE(loc.contains("physicalLocation")) << loc.dump();
  EXPECT_EQ(loc["logicalLocations"][0]["fullyQualifiedName"], "ml/Pod/server");
  EXPECT_EQ(loc["logicalLocations"][0]["kind"], "object");
  nlohmann::json file = SarifLocation("a.yaml", "a.yaml");
  EXPECT_EQ(file["physicalLocation"]["artifactLocation"]["uri"], "a.yaml");
  EXPECT_FALSE(file["logicalLocations"][0].contains("kind"));
}

TEST(SarifRule, HelpTextInsteadOfHelpUri) {
  nlohmann::json rule = SarifRule("MG009", "a container may run as root", "see docs/rules.md");
  EXPECT_EQ(rule["shortDescription"]["text"], "a container may run as root");
  EXPECT_EQ(rule["fullDescription"]["text"], "see docs/rules.md");
  EXPECT_EQ(rule["help"]["text"], "see docs/rules.md");
  EXPECT_FALSE(rule.contains("helpUri"));
}

// The scan report: each rule's help names the document that describes its family, and
// nothing points at a web site that does not exist.
TEST(ReportToSarif, RulesNameTheirDocumentAndHaveNoUris) {
  ScanReport r;
  FileReport a;
  a.path = "m/model.zip";
  a.findings.push_back({"pickle/dangerous-global", Severity::kCritical, "m/model.zip!data.pkl", "os.system"});
  a.findings.push_back({"zip/bad-crc", Severity::kHigh, "m/model.zip", "crc"});
  a.findings.push_back({"format/unrecognized", Severity::kInfo, "m/notes.xyz", ""});
  r.files = {a};
  nlohmann::json s = ReportToSarif(r, Severity::kMedium);
  const nlohmann::json& driver = s["runs"][0]["tool"]["driver"];
  EXPECT_FALSE(driver.contains("informationUri"));
  std::map<std::string, std::string> help;
  for (const auto& rule : driver["rules"]) {
    EXPECT_FALSE(rule.contains("helpUri")) << rule.dump();
    help[rule["id"]] = rule["help"]["text"];
  }
  EXPECT_NE(help["pickle/dangerous-global"].find("docs/rules/pickle.md"), std::string::npos);
  EXPECT_NE(help["zip/bad-crc"].find("docs/rules/archives.md"), std::string::npos);
  EXPECT_NE(help["format/unrecognized"].find("docs/scan-output.md"), std::string::npos);
  // An archive member points at the archive; its logical name keeps the member.
  const nlohmann::json& loc = s["runs"][0]["results"][0]["locations"][0];
  EXPECT_EQ(loc["physicalLocation"]["artifactLocation"]["uri"], "m/model.zip");
  EXPECT_EQ(loc["logicalLocations"][0]["fullyQualifiedName"], "m/model.zip!data.pkl");
}

}  // namespace
}  // namespace modelgate::scanners
