// End-to-end model verification against the model-transparency v1.1.0
// vectors, from the directory (VerifyModel) and from scanned per-file hashes
// (VerifyModelDigests), and the precise failure for each way a model can fail.
#include "scanners/signing/model_verify.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>

#include "scanners/hashing.h"
#include "scanners/signing/encoding.h"
#include "scanners/signing/trusted_root.h"

namespace modelgate::signing {
namespace {
namespace fs = std::filesystem;
using nlohmann::json;

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


// --- VerifyModelDigests: the model known only by the per-file SHA-256s a scanner
// reported (Job-mode scans). Every way the hashes can disagree with the signature
// must give the precise reason.

// What `modelgate scan` reports for the vector: every regular file (the signature
// and the unsigned `ignore-me` included), path relative to the model, hex SHA-256.
std::vector<ManifestEntry> ScannedFiles(const std::string& model) {
  std::vector<ManifestEntry> out;
  for (const auto& e : fs::directory_iterator(kModels + model))
    out.push_back({e.path().filename().string(), scanners::Sha256File(e.path().string()).value()});
  return out;
}

void SetHash(std::vector<ManifestEntry>& files, const std::string& name, const std::string& sha) {
  for (auto& f : files)
    if (f.name == name) f.sha256 = sha;
}

void Remove(std::vector<ManifestEntry>& files, const std::string& name) {
  std::erase_if(files, [&](const ManifestEntry& f) { return f.name == name; });
}

const std::string kZeros(64, '0');

TEST(ModelDigests, EllipticKeyVectorVerifiesFromScannedHashes) {
  auto v = VerifyModelDigests(Slurp(kModels + "v1.1.0-elliptic-key/model.sig"), ScannedFiles("v1.1.0-elliptic-key"),
                              KeyOptions(kKeys + "signing-key-pub.pem"));
  EXPECT_EQ(v.status, SignatureStatus::kVerified) << v.reason;
  EXPECT_EQ(v.root_digest, "92745110b1ab4368471cbe31664e10174e954b113a3df333db860317b2c6dec4");
  EXPECT_EQ(v.resources.size(), 2u);
  EXPECT_TRUE(v.mismatches.empty());
}

TEST(ModelDigests, CertificateVectorVerifiesFromScannedHashes) {
  auto v = VerifyModelDigests(Slurp(kModels + "v1.1.0-certificate/model.sig"), ScannedFiles("v1.1.0-certificate"),
                              ChainOptions());
  EXPECT_EQ(v.status, SignatureStatus::kVerified) << v.reason;
}

TEST_F(KeylessTest, SigstoreVectorVerifiesFromScannedHashes) {
  auto v = VerifyModelDigests(Slurp(kModels + "v1.1.0-sigstore/model.sig"), ScannedFiles("v1.1.0-sigstore"), opts_);
  EXPECT_EQ(v.status, SignatureStatus::kVerified) << v.reason;
  EXPECT_EQ(v.signer, "stefanb@us.ibm.com");
  EXPECT_EQ(v.issuer, "https://sigstore.verify.ibm.com/oauth2");
}

TEST_F(KeylessTest, DigestsWithWrongIdentityAreUntrustedAndNameTheRealSigner) {
  opts_.policy.identity = "mallory@example.com";
  auto v = VerifyModelDigests(Slurp(kModels + "v1.1.0-sigstore/model.sig"), ScannedFiles("v1.1.0-sigstore"), opts_);
  EXPECT_EQ(v.status, SignatureStatus::kUntrusted);
  EXPECT_NE(v.reason.find("signed by stefanb@us.ibm.com"), std::string::npos) << v.reason;
}

TEST_F(KeylessTest, DigestsWithAChangedHashAreInvalidAndNameTheFile) {
  auto files = ScannedFiles("v1.1.0-sigstore");
  SetHash(files, "signme-2", kZeros);
  auto v = VerifyModelDigests(Slurp(kModels + "v1.1.0-sigstore/model.sig"), files, opts_);
  EXPECT_EQ(v.status, SignatureStatus::kInvalid);
  ASSERT_EQ(v.mismatches.size(), 1u);
  EXPECT_EQ(v.mismatches[0].kind, FileMismatch::Kind::kModified);
  EXPECT_EQ(v.reason, "model does not match its signature: modified signme-2");
}

TEST(ModelDigests, ExtraFileIsInvalidAndNamed) {
  auto files = ScannedFiles("v1.1.0-elliptic-key");
  files.push_back({"sub/payload.pkl", kZeros});
  auto v = VerifyModelDigests(Slurp(kModels + "v1.1.0-elliptic-key/model.sig"), files, KeyOptions(kKeys + "signing-key-pub.pem"));
  EXPECT_EQ(v.status, SignatureStatus::kInvalid);
  ASSERT_EQ(v.mismatches.size(), 1u);
  EXPECT_EQ(v.mismatches[0].kind, FileMismatch::Kind::kExtra);
  EXPECT_EQ(v.reason, "model does not match its signature: extra sub/payload.pkl");
}

TEST(ModelDigests, MissingFileIsInvalidAndNamed) {
  auto files = ScannedFiles("v1.1.0-certificate");
  Remove(files, "signme-1");
  auto v = VerifyModelDigests(Slurp(kModels + "v1.1.0-certificate/model.sig"), files, ChainOptions());
  EXPECT_EQ(v.status, SignatureStatus::kInvalid);
  ASSERT_EQ(v.mismatches.size(), 1u);
  EXPECT_EQ(v.mismatches[0].kind, FileMismatch::Kind::kMissing);
  EXPECT_EQ(v.reason, "model does not match its signature: missing signme-1");
}

TEST(ModelDigests, OnlyTheSignatureLeftNamesEverySignedFileMissing) {
  auto files = ScannedFiles("v1.1.0-elliptic-key");
  Remove(files, "signme-1");
  Remove(files, "signme-2");
  auto v = VerifyModelDigests(Slurp(kModels + "v1.1.0-elliptic-key/model.sig"), files,
                              KeyOptions(kKeys + "signing-key-pub.pem"));
  EXPECT_EQ(v.status, SignatureStatus::kInvalid);
  EXPECT_EQ(v.reason, "model does not match its signature: missing signme-1, missing signme-2");
}

TEST(ModelDigests, SignatureIgnoreGitAndCallerPathsAreLeftOut) {
  auto files = ScannedFiles("v1.1.0-elliptic-key");
  SetHash(files, "ignore-me", kZeros);               // the signature's ignore_paths
  SetHash(files, "model.sig", kZeros);               // the signature itself
  files.push_back({".git/HEAD", kZeros});            // git paths
  files.push_back({"./notes/readme.txt", kZeros});   // the caller's ignore_paths
  auto opts = KeyOptions(kKeys + "signing-key-pub.pem");
  opts.ignore_paths = {"notes"};
  auto v = VerifyModelDigests(Slurp(kModels + "v1.1.0-elliptic-key/model.sig"), files, opts);
  EXPECT_EQ(v.status, SignatureStatus::kVerified) << v.reason;

  opts.ignore_paths.clear();
  v = VerifyModelDigests(Slurp(kModels + "v1.1.0-elliptic-key/model.sig"), files, opts);
  EXPECT_EQ(v.status, SignatureStatus::kInvalid);
  EXPECT_EQ(v.reason, "model does not match its signature: extra notes/readme.txt");
}

TEST(ModelDigests, SignatureAtAnotherPathIsLeftOutUnderItsName) {
  auto files = ScannedFiles("v1.1.0-elliptic-key");
  files.push_back({"sigs/model.sig", kZeros});
  auto opts = KeyOptions(kKeys + "signing-key-pub.pem");
  opts.signature_path = "sigs/model.sig";
  auto v = VerifyModelDigests(Slurp(kModels + "v1.1.0-elliptic-key/model.sig"), files, opts);
  // model.sig is in the signature's own ignore_paths; sigs/model.sig is the declared one.
  EXPECT_EQ(v.status, SignatureStatus::kVerified) << v.reason;
}

TEST(ModelDigests, UnhashedSignedFileIsUndecidedNotAPass) {
  auto files = ScannedFiles("v1.1.0-elliptic-key");
  SetHash(files, "signme-1", "");
  auto v = VerifyModelDigests(Slurp(kModels + "v1.1.0-elliptic-key/model.sig"), files, KeyOptions(kKeys + "signing-key-pub.pem"));
  EXPECT_EQ(v.status, SignatureStatus::kError);
  EXPECT_NE(v.reason.find("'signme-1' could not be hashed"), std::string::npos) << v.reason;
}

TEST(ModelDigests, DigestsWithWrongKeyAreUntrusted) {
  auto opts = KeyOptions(kKeys + "ca-cert.pem");
  auto v = VerifyModelDigests(Slurp(kModels + "v1.1.0-elliptic-key/model.sig"), ScannedFiles("v1.1.0-elliptic-key"),
                              opts);
  EXPECT_EQ(v.status, SignatureStatus::kUntrusted) << v.reason;
}

TEST(ModelDigests, GarbageAndOversizedBundlesAreInvalid) {
  auto files = ScannedFiles("v1.1.0-elliptic-key");
  auto v = VerifyModelDigests("{not json", files, KeyOptions(kKeys + "signing-key-pub.pem"));
  EXPECT_EQ(v.status, SignatureStatus::kInvalid);
  EXPECT_NE(v.reason.find("malformed signature"), std::string::npos) << v.reason;
  v = VerifyModelDigests(std::string(kMaxBundleBytes + 1, ' '), files, KeyOptions(kKeys + "signing-key-pub.pem"));
  EXPECT_EQ(v.status, SignatureStatus::kInvalid);
  EXPECT_EQ(v.reason, "signature file is implausibly large");
}

// The vectors' key (P-384) signs a DSSE envelope over `statement` in the elliptic-key
// vector's bundle: a validly signed bundle with a statement of our choosing.
std::string SignStatement(const json& statement) {
  const std::string payload = statement.dump();
  const std::string type = "application/vnd.in-toto+json";
  const std::string pae = "DSSEv1 " + std::to_string(type.size()) + " " + type + " " +
                          std::to_string(payload.size()) + " " + payload;
  const std::string pem = Slurp(kKeys + "signing-key.pem");
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), BIO_free);
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr),
                                                          EVP_PKEY_free);
  EXPECT_TRUE(key);
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  EXPECT_EQ(EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha384(), nullptr, key.get()), 1);
  size_t len = 0;
  EXPECT_EQ(EVP_DigestSign(ctx.get(), nullptr, &len, reinterpret_cast<const unsigned char*>(pae.data()), pae.size()), 1);
  std::string sig(len, '\0');
  EXPECT_EQ(EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &len,
                           reinterpret_cast<const unsigned char*>(pae.data()), pae.size()),
            1);
  sig.resize(len);
  json bundle = json::parse(Slurp(kModels + "v1.1.0-elliptic-key/model.sig"));
  bundle["dsseEnvelope"]["payload"] = Base64Encode(payload);
  bundle["dsseEnvelope"]["signatures"][0]["sig"] = Base64Encode(sig);
  return bundle.dump();
}

json StatementOf(const std::string& bundle) {
  json b = json::parse(bundle);
  return json::parse(*Base64Decode(b["dsseEnvelope"]["payload"].get<std::string>()));
}

TEST(ModelDigests, ResignedFilesStatementVerifiesSoTheSigningHelperIsSound) {
  const std::string bundle = SignStatement(StatementOf(Slurp(kModels + "v1.1.0-elliptic-key/model.sig")));
  auto v = VerifyModelDigests(bundle, ScannedFiles("v1.1.0-elliptic-key"), KeyOptions(kKeys + "signing-key-pub.pem"));
  EXPECT_EQ(v.status, SignatureStatus::kVerified) << v.reason;
}

TEST(ModelDigests, ShardsSerializationIsNotVerifiedWithAReason) {
  // signme-1 and signme-2 as 1-MB shards: each file is one shard "name:0:size".
  json st = StatementOf(Slurp(kModels + "v1.1.0-elliptic-key/model.sig"));
  auto files = ScannedFiles("v1.1.0-elliptic-key");
  json resources = json::array();
  std::vector<ManifestEntry> shards;
  for (const auto& f : files) {
    if (f.name != "signme-1" && f.name != "signme-2") continue;
    const auto size = fs::file_size(kModels + "v1.1.0-elliptic-key/" + f.name);
    shards.push_back({f.name + ":0:" + std::to_string(size), f.sha256});
  }
  SortCanonical(shards);
  for (const auto& s : shards) resources.push_back({{"algorithm", "sha256"}, {"name", s.name}, {"digest", s.sha256}});
  st["predicate"]["resources"] = resources;
  st["predicate"]["serialization"]["method"] = "shards";
  st["predicate"]["serialization"]["shard_size"] = 1000000;
  st["subject"][0]["digest"]["sha256"] = RootDigest(shards).value();
  auto v = VerifyModelDigests(SignStatement(st), files, KeyOptions(kKeys + "signing-key-pub.pem"));
  EXPECT_EQ(v.status, SignatureStatus::kError);
  EXPECT_NE(v.reason.find("shards serialization"), std::string::npos) << v.reason;
  EXPECT_TRUE(v.mismatches.empty());
}

}  // namespace
}  // namespace modelgate::signing
