// ParseModelAdmission against the CRD's schema for pins: what `kubectl apply` rejects,
// `modelgate check` rejects too, with the field path.
#include "policy/objects.h"

#include <gtest/gtest.h>

#include <string>

#include "helpers.h"

namespace modelgate::policy {
namespace {

using testing::AdmittedModel;
using testing::json;
using testing::kSha;

// The error message of parsing `ma`, "" when it parsed.
std::string ParseError(const json& ma) {
  auto r = ParseModelAdmission(ma);
  return r.ok() ? "" : r.status().message();
}

TEST(ParseModelAdmissionPins, LowercasePinsParse) {
  json ma = AdmittedModel();
  ma["spec"]["digest"] = "sha256:" + std::string(64, 'f');
  auto r = ParseModelAdmission(ma);
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(r->files.size(), 1u);
  EXPECT_EQ(r->files[0].sha256, kSha);
  EXPECT_EQ(r->digest, "sha256:" + std::string(64, 'f'));
}

TEST(ParseModelAdmissionPins, UppercaseFilePinIsRejectedWithItsPath) {
  json ma = AdmittedModel();
  ma["spec"]["files"][0]["sha256"] = std::string(64, 'A');
  const std::string err = ParseError(ma);
  EXPECT_NE(err.find("spec.files[0].sha256: \"" + std::string(64, 'A') + "\" does not match"), std::string::npos)
      << err;
  EXPECT_NE(err.find("^[a-f0-9]{64}$"), std::string::npos) << err;
}

TEST(ParseModelAdmissionPins, MixedCaseOneDigitIsEnoughToReject) {
  json ma = AdmittedModel();
  ma["spec"]["files"][0]["sha256"] = std::string(63, 'a') + "B";
  EXPECT_NE(ParseError(ma).find("spec.files[0].sha256"), std::string::npos);
}

TEST(ParseModelAdmissionPins, WrongLengthAndNonHexAreRejected) {
  for (const std::string& bad : {std::string(63, 'a'), std::string(65, 'a'), std::string(64, 'g'), std::string()}) {
    json ma = AdmittedModel();
    ma["spec"]["files"][0]["sha256"] = bad;
    EXPECT_NE(ParseError(ma).find("spec.files[0].sha256"), std::string::npos) << "pin '" << bad << "'";
  }
}

TEST(ParseModelAdmissionPins, FileWithoutPinIsRejectedAsTheCrdRequiresIt) {
  json ma = AdmittedModel();
  ma["spec"]["files"].push_back({{"path", "tokenizer.json"}});
  EXPECT_NE(ParseError(ma).find("spec.files[1].sha256: required"), std::string::npos) << ParseError(ma);
}

TEST(ParseModelAdmissionPins, HugeValueIsNotEchoed) {
  json ma = AdmittedModel();
  ma["spec"]["files"][0]["sha256"] = std::string(100000, 'A');
  const std::string err = ParseError(ma);
  EXPECT_NE(err.find("spec.files[0].sha256: 100000 characters does not match"), std::string::npos) << err.size();
  EXPECT_LT(err.size(), 400u);
}

TEST(ParseModelAdmissionPins, DigestFollowsItsOwnPattern) {
  for (const std::string& bad : {"sha256:" + std::string(64, 'A'), std::string(64, 'a'), "SHA256:" + kSha,
                                 "sha512:" + kSha, std::string("sha256:")}) {
    json ma = AdmittedModel();
    ma["spec"]["digest"] = bad;
    EXPECT_NE(ParseError(ma).find("spec.digest: "), std::string::npos) << "digest '" << bad << "'";
  }
}

TEST(ParseModelAdmissionPins, DigestIsOptional) {
  json ma = AdmittedModel();
  ma["spec"].erase("digest");
  EXPECT_EQ(ParseError(ma), "");
}

// status is written by the operator and has no pattern in the CRD; MG005 compares it
// case-insensitively, so it stays readable in any case.
TEST(ParseModelAdmissionPins, StatusHashesAreNotPins) {
  json ma = AdmittedModel();
  ma["status"]["scan"]["files"][0]["sha256"] = std::string(64, 'A');
  EXPECT_EQ(ParseError(ma), "");
}

}  // namespace
}  // namespace modelgate::policy
