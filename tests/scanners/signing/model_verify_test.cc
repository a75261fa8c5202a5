// End-to-end model verification against the model-transparency v1.1.0
// vectors, and the precise failure for each way a model can fail.
#include "scanners/signing/model_verify.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "scanners/signing/trusted_root.h"

namespace modelgate::signing {
namespace {
namespace fs = std::filesystem;

const std::string kShared = std::string(MODELGATE_SHARED_DIR) + "/testdata/sigstore/";
const std::string kModels = kShared + "model-signing/";
const std::string kKeys = kModels + "keys/certificate/";

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// A writable copy of a vector model (/work/shared is read-only).
class ModelCopy {
 public:
  explicit ModelCopy(const std::string& name) {
    std::string tmpl = (fs::temp_directory_path() / "mg-model-XXXXXX").string();
    base_ = ::mkdtemp(tmpl.data());
    dir_ = (fs::path(base_) / name).string();
    fs::copy(kModels + name, dir_, fs::copy_options::recursive);
    for (auto& e : fs::recursive_directory_iterator(dir_))
      fs::permissions(e.path(), fs::perms::owner_write, fs::perm_options::add);
    fs::permissions(dir_, fs::perms::owner_all, fs::perm_options::add);
  }
  ~ModelCopy() { fs::remove_all(base_); }
  const std::string& dir() const { return dir_; }

 private:
  std::string base_, dir_;
};

ModelVerifyOptions KeyOptions(const std::string& pem_file) {
  ModelVerifyOptions o;
  o.policy.mode = SignerMode::kPublicKey;
  o.policy.key = PublicKeyFromPem(Slurp(pem_file)).value();
  return o;
}

ModelVerifyOptions ChainOptions() {
  ModelVerifyOptions o;
  o.policy.mode = SignerMode::kCertificateChain;
  for (const char* f : {"int-ca-cert.pem", "ca-cert.pem"}) {
    auto certs = CertsFromPem(Slurp(kKeys + f));
    for (auto& c : certs.value()) o.policy.anchors.push_back(c);
  }
  return o;
}

class KeylessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = ParseTrustedRoot(Slurp(kShared + "trust-roots/prod_trusted_root.json")).value();
    opts_.policy.mode = SignerMode::kKeyless;
    opts_.policy.root = &root_;
    opts_.policy.identity = "stefanb@us.ibm.com";
    opts_.policy.issuer = "https://sigstore.verify.ibm.com/oauth2";
  }
  TrustedRoot root_;
  ModelVerifyOptions opts_;
};

TEST(ModelVerify, EllipticKeyVectorVerifies) {
  auto v = VerifyModel(kModels + "v1.1.0-elliptic-key", KeyOptions(kKeys + "signing-key-pub.pem"));
  EXPECT_EQ(v.status, SignatureStatus::kVerified) << v.reason;
  EXPECT_EQ(v.root_digest, "92745110b1ab4368471cbe31664e10174e954b113a3df333db860317b2c6dec4");
  EXPECT_EQ(v.resources.size(), 2u);
}

TEST(ModelVerify, CertificateVectorVerifies) {
  auto v = VerifyModel(kModels + "v1.1.0-certificate", ChainOptions());
  EXPECT_EQ(v.status, SignatureStatus::kVerified) << v.reason;
}

TEST_F(KeylessTest, SigstoreVectorVerifies) {
  auto v = VerifyModel(kModels + "v1.1.0-sigstore", opts_);
  EXPECT_EQ(v.status, SignatureStatus::kVerified) << v.reason;
  EXPECT_EQ(v.signer, "stefanb@us.ibm.com");
  EXPECT_EQ(v.issuer, "https://sigstore.verify.ibm.com/oauth2");
}

TEST_F(KeylessTest, WrongIdentityIsUntrustedAndNamesTheRealSigner) {
  opts_.policy.identity = "mallory@example.com";
  auto v = VerifyModel(kModels + "v1.1.0-sigstore", opts_);
  EXPECT_EQ(v.status, SignatureStatus::kUntrusted);
  EXPECT_NE(v.reason.find("signed by stefanb@us.ibm.com"), std::string::npos) << v.reason;
}

TEST_F(KeylessTest, WrongIssuerIsUntrusted) {
  opts_.policy.issuer = "https://accounts.google.com";
  auto v = VerifyModel(kModels + "v1.1.0-sigstore", opts_);
  EXPECT_EQ(v.status, SignatureStatus::kUntrusted) << v.reason;
}

TEST_F(KeylessTest, StagingRootDoesNotTrustProductionSignature) {
  root_ = ParseTrustedRoot(Slurp(kShared + "trust-roots/staging_trusted_root.json")).value();
  auto v = VerifyModel(kModels + "v1.1.0-sigstore", opts_);
  EXPECT_NE(v.status, SignatureStatus::kVerified);
}

TEST(ModelVerify, FlippedByteInSignedFileIsInvalidAndNamesTheFile) {
  ModelCopy m("v1.1.0-elliptic-key");
  std::string path = m.dir() + "/signme-1";
  std::string content = Slurp(path);
  content[0] ^= 1;
  std::ofstream(path, std::ios::binary | std::ios::trunc) << content;
  auto v = VerifyModel(m.dir(), KeyOptions(kKeys + "signing-key-pub.pem"));
  EXPECT_EQ(v.status, SignatureStatus::kInvalid);
  ASSERT_EQ(v.mismatches.size(), 1u);
  EXPECT_EQ(v.mismatches[0].kind, FileMismatch::Kind::kModified);
  EXPECT_EQ(v.mismatches[0].name, "signme-1");
  EXPECT_NE(v.reason.find("modified signme-1"), std::string::npos) << v.reason;
}

TEST(ModelVerify, ExtraAndMissingFilesAreNamed) {
  ModelCopy m("v1.1.0-certificate");
  fs::remove(m.dir() + "/signme-2");
  std::ofstream(m.dir() + "/payload.pkl") << "evil";
  auto v = VerifyModel(m.dir(), ChainOptions());
  EXPECT_EQ(v.status, SignatureStatus::kInvalid);
  ASSERT_EQ(v.mismatches.size(), 2u);
  EXPECT_EQ(v.mismatches[0].kind, FileMismatch::Kind::kMissing);
  EXPECT_EQ(v.mismatches[0].name, "signme-2");
  EXPECT_EQ(v.mismatches[1].kind, FileMismatch::Kind::kExtra);
  EXPECT_EQ(v.mismatches[1].name, "payload.pkl");
}

TEST(ModelVerify, IgnoredFileMayChange) {
  ModelCopy m("v1.1.0-elliptic-key");
  std::ofstream(m.dir() + "/ignore-me") << "anything";
  auto v = VerifyModel(m.dir(), KeyOptions(kKeys + "signing-key-pub.pem"));
  EXPECT_EQ(v.status, SignatureStatus::kVerified) << v.reason;
}

TEST(ModelVerify, WrongKeyIsUntrusted) {
  // The CA certificate's key did not sign the model.
  auto v = VerifyModel(kModels + "v1.1.0-elliptic-key", KeyOptions(kKeys + "ca-cert.pem"));
  EXPECT_EQ(v.status, SignatureStatus::kUntrusted);
  EXPECT_NE(v.reason.find("configured key"), std::string::npos) << v.reason;
}

TEST(ModelVerify, ExpiredChainIsUntrusted) {
  auto opts = ChainOptions();
  opts.policy.now = 2'200'000'000;  // 2039: the vector's CA expired in 2035
  auto v = VerifyModel(kModels + "v1.1.0-certificate", opts);
  EXPECT_EQ(v.status, SignatureStatus::kUntrusted);
  EXPECT_NE(v.reason.find("expired"), std::string::npos) << v.reason;
}

TEST(ModelVerify, ChainToOtherAnchorIsUntrusted) {
  ModelVerifyOptions opts;
  opts.policy.mode = SignerMode::kCertificateChain;
  // The production Fulcio root is not the vector's CA.
  auto root = ParseTrustedRoot(Slurp(kShared + "trust-roots/prod_trusted_root.json")).value();
  opts.policy.anchors.push_back(root.certificate_authorities.back().chain.back());
  auto v = VerifyModel(kModels + "v1.1.0-certificate", opts);
  EXPECT_EQ(v.status, SignatureStatus::kUntrusted) << v.reason;
}

TEST(ModelVerify, KeySignatureGivenToChainVerifierIsUntrusted) {
  auto v = VerifyModel(kModels + "v1.1.0-elliptic-key", ChainOptions());
  EXPECT_EQ(v.status, SignatureStatus::kUntrusted) << v.reason;
}

TEST(ModelVerify, NoSignatureFileIsUnsigned) {
  ModelCopy m("v1.1.0-elliptic-key");
  fs::remove(m.dir() + "/model.sig");
  auto v = VerifyModel(m.dir(), KeyOptions(kKeys + "signing-key-pub.pem"));
  EXPECT_EQ(v.status, SignatureStatus::kUnsigned);
}

TEST(ModelVerify, TamperedPayloadIsInvalid) {
  ModelCopy m("v1.1.0-certificate");
  std::string sig = Slurp(m.dir() + "/model.sig");
  // Flip one base64 character of the DSSE payload.
  size_t at = sig.find("\"payload\": \"") + 40;
  sig[at] = sig[at] == 'A' ? 'B' : 'A';
  std::ofstream(m.dir() + "/model.sig", std::ios::trunc) << sig;
  auto v = VerifyModel(m.dir(), ChainOptions());
  EXPECT_EQ(v.status, SignatureStatus::kInvalid) << v.reason;
}

TEST(ModelVerify, SignatureOutsideTheModelDirectory) {
  ModelCopy m("v1.1.0-elliptic-key");
  std::string outside = m.dir() + "/../model.sig";
  fs::rename(m.dir() + "/model.sig", outside);
  auto opts = KeyOptions(kKeys + "signing-key-pub.pem");
  opts.signature_path = outside;
  auto v = VerifyModel(m.dir(), opts);
  EXPECT_EQ(v.status, SignatureStatus::kVerified) << v.reason;
}

}  // namespace
}  // namespace modelgate::signing
