// Embedding a model's signature file in a scan report, and reading it back.
#include "scanners/signing/embedded_signature.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "scanners/signing/bundle.h"

namespace modelgate::signing {
namespace {
namespace fs = std::filesystem;
using State = EmbeddedSignature::State;

class TempModel : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "mg-embed-XXXXXX").string();
    base_ = ::mkdtemp(tmpl.data());
    dir_ = base_ + "/model";
    fs::create_directories(dir_ + "/sigs");
  }
  void TearDown() override { fs::remove_all(base_); }
  void Write(const std::string& rel, const std::string& bytes) {
    std::ofstream(fs::path(dir_) / rel, std::ios::binary) << bytes;
  }
  std::string base_, dir_;
};

TEST(EmbedPath, OnlyCleanRelativePaths) {
  EXPECT_TRUE(CheckEmbedPath("model.sig").ok());
  EXPECT_TRUE(CheckEmbedPath("sigs/model.sig").ok());
  for (const char* bad : {"", "/etc/passwd", "-x.sig", "--output", "../x", "a/../b", "./model.sig", "a//b", "a/", "a/."})
    EXPECT_FALSE(CheckEmbedPath(bad).ok()) << bad;
}

TEST_F(TempModel, PresentFileRoundTripsThroughJson) {
  const std::string bytes = std::string("{\"mediaType\": \"x\"}\n\xff\x00", 22);
  Write("sigs/model.sig", bytes);
  EmbeddedSignature s = ReadEmbeddedSignature(dir_, "sigs/model.sig");
  ASSERT_EQ(s.state, State::kPresent) << s.reason;
  EXPECT_EQ(s.bundle, bytes);
  const auto j = EmbeddedSignatureToJson(s);
  EXPECT_EQ(j["status"], "present");
  EXPECT_EQ(j["size"], bytes.size());
  EXPECT_FALSE(j.contains("reason"));
  auto back = EmbeddedSignatureFromJson(nlohmann::json::parse(j.dump()));
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(back->state, State::kPresent);
  EXPECT_EQ(back->path, "sigs/model.sig");
  EXPECT_EQ(back->bundle, bytes);
}

TEST_F(TempModel, MissingFileIsReportedNotDropped) {
  EmbeddedSignature s = ReadEmbeddedSignature(dir_, "model.sig");
  EXPECT_EQ(s.state, State::kMissing);
  const auto j = EmbeddedSignatureToJson(s);
  EXPECT_EQ(j["status"], "missing");
  EXPECT_EQ(j["reason"], "no file model.sig in the model");
  auto back = EmbeddedSignatureFromJson(j);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->state, State::kMissing);
  EXPECT_TRUE(back->bundle.empty());
}

TEST_F(TempModel, OversizedFileIsNotReadButReported) {
  {
    std::ofstream f(dir_ + "/model.sig", std::ios::binary);
    f.seekp(static_cast<std::streamoff>(kMaxBundleBytes));
    f.put('x');  // sparse: kMaxBundleBytes + 1 bytes
  }
  EmbeddedSignature s = ReadEmbeddedSignature(dir_, "model.sig");
  EXPECT_EQ(s.state, State::kTooLarge);
  EXPECT_EQ(s.size, kMaxBundleBytes + 1);
  EXPECT_TRUE(s.bundle.empty());
  EXPECT_EQ(EmbeddedSignatureToJson(s)["status"], "too-large");
}

TEST_F(TempModel, SymlinkOutOfTheModelIsNotFollowed) {
  std::ofstream(base_ + "/secret") << "do not print me";
  fs::create_symlink(base_ + "/secret", dir_ + "/model.sig");
  EmbeddedSignature s = ReadEmbeddedSignature(dir_, "model.sig");
  EXPECT_EQ(s.state, State::kUnreadable);
  EXPECT_EQ(s.reason, "model.sig resolves outside the model");
  EXPECT_TRUE(s.bundle.empty());
}

TEST_F(TempModel, DirectoryAndNonDirectoryRootAreUnreadable) {
  EXPECT_EQ(ReadEmbeddedSignature(dir_, "sigs").state, State::kUnreadable);
  Write("weights.bin", "x");
  EmbeddedSignature s = ReadEmbeddedSignature(dir_ + "/weights.bin", "model.sig");
  EXPECT_EQ(s.state, State::kUnreadable);
  EXPECT_NE(s.reason.find("is not a directory"), std::string::npos) << s.reason;
}

TEST(EmbeddedSignatureJson, MalformedFieldsAreErrorsNamingTheField) {
  using nlohmann::json;
  EXPECT_EQ(EmbeddedSignatureFromJson(json::array()).status().message(), "signature: expected an object");
  EXPECT_EQ(EmbeddedSignatureFromJson({{"path", 3}, {"status", "present"}}).status().message(),
            "signature.path: expected a string");
  EXPECT_FALSE(EmbeddedSignatureFromJson({{"path", "../x"}, {"status", "missing"}}).ok());
  EXPECT_EQ(EmbeddedSignatureFromJson({{"path", "m.sig"}, {"status", "verified"}}).status().message(),
            "signature.status: unknown value 'verified'");
  EXPECT_EQ(EmbeddedSignatureFromJson({{"path", "m.sig"}, {"status", "present"}, {"bundleBase64", "!!"}})
                .status()
                .message(),
            "signature.bundleBase64: not base64");
  EXPECT_FALSE(EmbeddedSignatureFromJson({{"path", "m.sig"}, {"status", "present"}, {"size", -1}}).ok());
}

}  // namespace
}  // namespace modelgate::signing
