// Bundle parsing (protobuf-JSON rules), DSSE PAE, Merkle inclusion proofs and
// checkpoints, with hostile inputs built in the test.
#include "scanners/signing/bundle.h"

#include <gtest/gtest.h>

#include "scanners/hashing.h"
#include "scanners/signing/checkpoint.h"
#include "scanners/signing/encoding.h"
#include "scanners/signing/merkle.h"

namespace modelgate::signing {
namespace {
using scanners::Sha256Raw;

std::string KeyBundle(const std::string& media_type, const std::string& extra_entry = "") {
  return R"({"mediaType":")" + media_type +
         R"(","verification_material":{"public_key":{"hint":"abc"},"tlog_entries":[)" + extra_entry +
         R"(]},"message_signature":{"message_digest":{"algorithm":"SHA2_256","digest":"AAEC"},"signature":"AAAA"}})";
}

TEST(Bundle, SnakeCaseFieldsAndAllMediaTypesParse) {
  for (const char* mt : {"application/vnd.dev.sigstore.bundle+json;version=0.1",
                         "application/vnd.dev.sigstore.bundle+json;version=0.2",
                         "application/vnd.dev.sigstore.bundle+json;version=0.3",
                         "application/vnd.dev.sigstore.bundle.v0.3+json"}) {
    auto b = ParseBundle(KeyBundle(mt));
    ASSERT_TRUE(b.ok()) << mt << ": " << b.status().message();
    EXPECT_EQ(b->material, MaterialKind::kPublicKey);
    EXPECT_EQ(b->key_hint, "abc");
    EXPECT_EQ(b->message_digest, std::string("\x00\x01\x02", 3));
  }
}

TEST(Bundle, UnknownMediaTypeIsRejected) {
  auto b = ParseBundle(KeyBundle("application/vnd.dev.sigstore.bundle+json;version=99.9"));
  ASSERT_FALSE(b.ok());
  EXPECT_NE(b.status().message().find("media type"), std::string::npos);
}

TEST(Bundle, Int64AsStringOrNumberAndNegativeIndexRejected) {
  std::string entry = R"({"logIndex":LI,"logId":{"keyId":"AAAA"},"kindVersion":{"kind":"k","version":"v"},
                          "integratedTime":"5","canonicalizedBody":"e30="})";
  auto with = [&](const std::string& li) {
    std::string e = entry;
    e.replace(e.find("LI"), 2, li);
    return ParseBundle(KeyBundle("application/vnd.dev.sigstore.bundle.v0.3+json", e));
  };
  auto a = with("\"42\"");
  ASSERT_TRUE(a.ok()) << a.status().message();
  EXPECT_EQ(a->tlog_entries[0].log_index, 42);
  EXPECT_EQ(a->tlog_entries[0].integrated_time, 5);
  EXPECT_TRUE(with("42").ok());
  EXPECT_FALSE(with("\"-1\"").ok());
  EXPECT_FALSE(with("\"4x\"").ok());
  EXPECT_FALSE(with("4.5").ok());
}

TEST(Bundle, InvalidBase64SignatureIsRejected) {
  std::string b = KeyBundle("application/vnd.dev.sigstore.bundle.v0.3+json");
  b.replace(b.find("\"AAAA\""), 6, "\"INVALID!!!BASE64===\"");
  auto r = ParseBundle(b);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("base64"), std::string::npos);
}

TEST(Bundle, TruncatedJsonIsRejected) {
  std::string b = KeyBundle("application/vnd.dev.sigstore.bundle.v0.3+json");
  EXPECT_FALSE(ParseBundle(b.substr(0, b.size() / 2)).ok());
  EXPECT_FALSE(ParseBundle("").ok());
  EXPECT_FALSE(ParseBundle("[]").ok());
}

TEST(Bundle, EmptyCertificateChainIsRejected) {
  auto r = ParseBundle(R"({"mediaType":"application/vnd.dev.sigstore.bundle+json;version=0.1",
      "verificationMaterial":{"x509CertificateChain":{"certificates":[]}},
      "messageSignature":{"signature":"AAAA"}})");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("empty"), std::string::npos);
}

TEST(Bundle, GarbageCertificateIsRejected) {
  auto r = ParseBundle(R"({"mediaType":"application/vnd.dev.sigstore.bundle+json;version=0.1",
      "verificationMaterial":{"x509CertificateChain":{"certificates":[{"rawBytes":"MIIBAAAA"}]}},
      "messageSignature":{"signature":"AAAA"}})");
  EXPECT_FALSE(r.ok());
}

TEST(Bundle, DsseNeedsExactlyOneSignature) {
  std::string base = R"({"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json",
      "verificationMaterial":{"publicKey":{}},
      "dsseEnvelope":{"payload":"e30=","payloadType":"application/vnd.in-toto+json","signatures":SIGS}})";
  auto with = [&](const std::string& sigs) {
    std::string b = base;
    b.replace(b.find("SIGS"), 4, sigs);
    return ParseBundle(b);
  };
  auto one = with(R"([{"sig":"AAAA","keyid":""}])");
  ASSERT_TRUE(one.ok()) << one.status().message();
  EXPECT_TRUE(one->is_dsse);
  EXPECT_EQ(one->payload, "{}");
  EXPECT_FALSE(with("[]").ok());
  EXPECT_FALSE(with(R"([{"sig":"AAAA"},{"sig":"AAAA"}])").ok());
}

TEST(Bundle, BothContentKindsAreRejected) {
  auto r = ParseBundle(R"({"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json",
      "verificationMaterial":{"publicKey":{}},"messageSignature":{"signature":"AAAA"},
      "dsseEnvelope":{"payload":"e30=","payloadType":"x","signatures":[{"sig":"AAAA"}]}})");
  EXPECT_FALSE(r.ok());
}

TEST(Dsse, PaeMatchesTheSpecExample) {
  EXPECT_EQ(Pae("http://example.com/HelloWorld", "hello world"),
            "DSSEv1 29 http://example.com/HelloWorld 11 hello world");
}

TEST(Encoding, Base64AcceptsLineBreaksAndUrlSafeRejectsJunk) {
  EXPECT_EQ(Base64Decode("aGVs\nbG8="), "hello");
  EXPECT_EQ(Base64Decode("-_8="), std::string("\xfb\xff", 2));
  EXPECT_EQ(Base64Decode("aGVsbG8"), "hello");
  EXPECT_FALSE(Base64Decode("aGV*bG8=").has_value());
  EXPECT_FALSE(Base64Decode("a").has_value());
  EXPECT_FALSE(Base64Decode("aG=sbG8=").has_value());
}

// A 3-leaf tree: root = H(1 || H(1 || l0 || l1) || l2).
TEST(Merkle, InclusionProofOfEveryLeafOfASmallTree) {
  auto node = [](const std::string& a, const std::string& b) { return Sha256Raw(std::string("\x01") + a + b); };
  std::string l0 = MerkleLeafHash("a"), l1 = MerkleLeafHash("b"), l2 = MerkleLeafHash("c");
  std::string root = node(node(l0, l1), l2);
  EXPECT_TRUE(VerifyInclusion(l0, 0, 3, {l1, l2}, root).ok());
  EXPECT_TRUE(VerifyInclusion(l1, 1, 3, {l0, l2}, root).ok());
  EXPECT_TRUE(VerifyInclusion(l2, 2, 3, {node(l0, l1)}, root).ok());
  // Wrong index, corrupted hash, wrong size, extra or missing proof hashes.
  EXPECT_FALSE(VerifyInclusion(l0, 1, 3, {l1, l2}, root).ok());
  std::string bad = l1;
  bad[0] ^= 1;
  EXPECT_FALSE(VerifyInclusion(l0, 0, 3, {bad, l2}, root).ok());
  EXPECT_FALSE(VerifyInclusion(l0, 0, 2, {l1, l2}, root).ok());
  EXPECT_FALSE(VerifyInclusion(l0, 0, 3, {l1}, root).ok());
  EXPECT_FALSE(VerifyInclusion(l0, 0, 3, {l1, l2, l2}, root).ok());
  EXPECT_FALSE(VerifyInclusion(l0, 3, 3, {}, root).ok());
  EXPECT_FALSE(VerifyInclusion(l0, -1, 3, {}, root).ok());
}

class CheckpointTest : public ::testing::Test {
 protected:
  void SetUp() override {
    key_ = PKey(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"), PkeyFree());
    log_.key = key_;
    log_.log_id = Sha256Raw(PublicKeyDer(key_.get()));
    log_.base_url = "https://log.example";
  }
  std::string Sign(const std::string& body) {
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
    EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key_.get());
    size_t len = 0;
    EVP_DigestSign(ctx.get(), nullptr, &len, reinterpret_cast<const unsigned char*>(body.data()), body.size());
    std::string sig(len, '\0');
    EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &len,
                   reinterpret_cast<const unsigned char*>(body.data()), body.size());
    sig.resize(len);
    return sig;
  }
  std::string Line(const std::string& name, const std::string& hint, const std::string& sig) {
    return "\xE2\x80\x94 " + name + " " + Base64Encode(hint + sig) + "\n";
  }
  PKey key_;
  LogKey log_;
  const std::string root_ = std::string(32, '\x07');
};

TEST_F(CheckpointTest, LogSignatureAmongCosignaturesVerifies) {
  std::string body = "log.example\n12\n" + Base64Encode(root_) + "\n";
  std::string note = body + "\n" + Line("witness", "wwww", "junk") +
                     Line("log.example", log_.log_id.substr(0, 4), Sign(body));
  auto cp = VerifyCheckpoint(note, log_);
  ASSERT_TRUE(cp.ok()) << cp.status().message();
  EXPECT_EQ(cp->tree_size, 12);
  EXPECT_EQ(cp->root_hash, root_);
}

TEST_F(CheckpointTest, WrongKeyHintOrNameOrBodyIsRejected) {
  std::string body = "log.example\n12\n" + Base64Encode(root_) + "\n";
  std::string sig = Sign(body);
  EXPECT_FALSE(VerifyCheckpoint(body + "\n" + Line("log.example", "XXXX", sig), log_).ok());
  EXPECT_FALSE(VerifyCheckpoint(body + "\n" + Line("other.example", log_.log_id.substr(0, 4), sig), log_).ok());
  std::string tampered = "log.example\n13\n" + Base64Encode(root_) + "\n";
  EXPECT_FALSE(VerifyCheckpoint(tampered + "\n" + Line("log.example", log_.log_id.substr(0, 4), sig), log_).ok());
  EXPECT_FALSE(VerifyCheckpoint(body + "\n", log_).ok());
}

TEST_F(CheckpointTest, MissingLinesAreRejected) {
  std::string no_size = "log.example\n" + Base64Encode(root_) + "\n";
  EXPECT_FALSE(VerifyCheckpoint(no_size + "\n" + Line("log.example", log_.log_id.substr(0, 4), Sign(no_size)), log_).ok());
  std::string short_root = "log.example\n12\nAAAA\n";
  EXPECT_FALSE(VerifyCheckpoint(short_root + "\n" + Line("log.example", log_.log_id.substr(0, 4), Sign(short_root)), log_).ok());
}

}  // namespace
}  // namespace modelgate::signing
