// The operator's signature verifier against the model-transparency v1.1.0 vectors.
#include "controller/sigstore_verifier.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

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
  policy::ModelAdmission ma;
  ma.name = "m";
  ma.namespace_name = "ml";
  ma.signature_declared = true;
  ma.signature_identity = "stefanb@us.ibm.com";
  ma.signature_issuer = "https://sigstore.verify.ibm.com/oauth2";

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

TEST(SigstoreVerifier, GarbageTrustedRootIsAnError) {
  SigstoreVerifierOptions o;
  o.trusted_root_json = "{not json";
  EXPECT_FALSE(MakeSigstoreVerifier(o).ok());
}

}  // namespace
}  // namespace modelgate::controller
