// Manifest computation against model-transparency v1.1.0 signatures.
#include "scanners/signing/manifest.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "scanners/signing/encoding.h"

namespace modelgate::signing {
namespace {
namespace fs = std::filesystem;

const std::string kVectors = std::string(MODELGATE_SHARED_DIR) + "/testdata/sigstore/model-signing/";

nlohmann::json SignedStatement(const std::string& model) {
  std::ifstream in(kVectors + model + "/model.sig");
  auto bundle = nlohmann::json::parse(in);
  auto payload = Base64Decode(bundle["dsseEnvelope"]["payload"].get<std::string>());
  return nlohmann::json::parse(*payload);
}

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "mg-manifest-XXXXXX").string();
    path_ = ::mkdtemp(tmpl.data());
  }
  ~TempDir() { fs::remove_all(path_); }
  const std::string& path() const { return path_; }
  void Write(const std::string& rel, const std::string& content) const {
    fs::create_directories((fs::path(path_) / rel).parent_path());
    std::ofstream(fs::path(path_) / rel, std::ios::binary) << content;
  }

 private:
  std::string path_;
};

class VectorTest : public ::testing::TestWithParam<const char*> {};

TEST_P(VectorTest, ResourcesAndRootDigestMatchTheSignedStatement) {
  std::string model = GetParam();
  auto statement = SignedStatement(model);
  ManifestOptions opts;
  for (const auto& p : statement["predicate"]["serialization"]["ignore_paths"]) opts.ignore_paths.push_back(p);
  auto m = ComputeManifest(kVectors + model, opts);
  ASSERT_TRUE(m.ok()) << m.status().message();
  const auto& resources = statement["predicate"]["resources"];
  ASSERT_EQ(m->entries.size(), resources.size());
  for (size_t i = 0; i < resources.size(); ++i) {
    EXPECT_EQ(m->entries[i].name, resources[i]["name"].get<std::string>());
    EXPECT_EQ(m->entries[i].sha256, resources[i]["digest"].get<std::string>());
  }
  EXPECT_EQ(m->root_digest, statement["subject"][0]["digest"]["sha256"].get<std::string>());
  EXPECT_EQ(m->model_name, model);
}

INSTANTIATE_TEST_SUITE_P(V110, VectorTest,
                         ::testing::Values("v1.1.0-elliptic-key", "v1.1.0-certificate", "v1.1.0-sigstore"));

TEST(Manifest, IgnoreMeIsCoveredWhenNotIgnored) {
  ManifestOptions opts;
  opts.ignore_paths = {"model.sig"};
  auto m = ComputeManifest(kVectors + "v1.1.0-certificate", opts);
  ASSERT_TRUE(m.ok());
  ASSERT_EQ(m->entries.size(), 3u);
  EXPECT_EQ(m->entries[0].name, "ignore-me");
}

TEST(Manifest, OrderIsComponentWiseNotBytewise) {
  TempDir d;
  d.Write("a-b", "1");
  d.Write("a/b", "2");
  d.Write("a/c/d", "3");
  auto m = ComputeManifest(d.path(), {});
  ASSERT_TRUE(m.ok()) << m.status().message();
  ASSERT_EQ(m->entries.size(), 3u);
  EXPECT_EQ(m->entries[0].name, "a/b");
  EXPECT_EQ(m->entries[1].name, "a/c/d");
  EXPECT_EQ(m->entries[2].name, "a-b");
}

TEST(Manifest, HiddenFilesAreCoveredGitPathsAreNot) {
  TempDir d;
  d.Write(".hidden", "h");
  d.Write(".git/config", "g");
  d.Write(".gitattributes", "g");
  d.Write("w", "w");
  auto m = ComputeManifest(d.path(), {});
  ASSERT_TRUE(m.ok());
  ASSERT_EQ(m->entries.size(), 2u);
  EXPECT_EQ(m->entries[0].name, ".hidden");
  EXPECT_EQ(m->entries[1].name, "w");
}

TEST(Manifest, IgnoredDirectoryDropsItsChildren) {
  TempDir d;
  d.Write("keep", "k");
  d.Write("cache/x/y", "c");
  ManifestOptions opts;
  opts.ignore_paths = {"./cache/"};
  auto m = ComputeManifest(d.path(), opts);
  ASSERT_TRUE(m.ok());
  ASSERT_EQ(m->entries.size(), 1u);
  EXPECT_EQ(m->entries[0].name, "keep");
}

TEST(Manifest, SymlinkRejectedUnlessAllowed) {
  TempDir d;
  d.Write("real", "r");
  fs::create_symlink("real", fs::path(d.path()) / "link");
  auto m = ComputeManifest(d.path(), {});
  ASSERT_FALSE(m.ok());
  EXPECT_NE(m.status().message().find("symlink"), std::string::npos);
  ManifestOptions opts;
  opts.allow_symlinks = true;
  m = ComputeManifest(d.path(), opts);
  ASSERT_TRUE(m.ok()) << m.status().message();
  ASSERT_EQ(m->entries.size(), 2u);
  EXPECT_EQ(m->entries[0].sha256, m->entries[1].sha256);
}

TEST(Manifest, SymlinkLeavingTheModelIsRejectedEvenWhenAllowed) {
  TempDir d, outside;
  d.Write("real", "r");
  outside.Write("secret", "s");
  fs::create_symlink(fs::path(outside.path()) / "secret", fs::path(d.path()) / "link");
  ManifestOptions opts;
  opts.allow_symlinks = true;
  auto m = ComputeManifest(d.path(), opts);
  ASSERT_FALSE(m.ok());
  EXPECT_NE(m.status().message().find("outside"), std::string::npos);
}

TEST(Manifest, ShardsSplitFilesAndSkipEmptyOnes) {
  TempDir d;
  d.Write("f", "0123abcd");
  d.Write("empty", "");
  ManifestOptions opts;
  opts.method = SerializationMethod::kShards;
  opts.shard_size = 4;
  auto m = ComputeManifest(d.path(), opts);
  ASSERT_TRUE(m.ok()) << m.status().message();
  ASSERT_EQ(m->entries.size(), 2u);
  EXPECT_EQ(m->entries[0].name, "f:0:4");
  EXPECT_EQ(m->entries[1].name, "f:4:8");
  // model-transparency's documented example: sha256("abcd").
  EXPECT_EQ(m->entries[1].sha256, "88d4266fd4e6338d13b845fcf289579d209c897823b9217da3e161936f031589");
}

TEST(Manifest, ShardOrderIsNumeric) {
  std::vector<ManifestEntry> e = {{"f:10:20", ""}, {"f:2:10", ""}, {"f:0:2", ""}};
  SortCanonical(e);
  EXPECT_EQ(e[0].name, "f:0:2");
  EXPECT_EQ(e[1].name, "f:2:10");
  EXPECT_EQ(e[2].name, "f:10:20");
}

TEST(Manifest, EmptyModelIsAnError) {
  TempDir d;
  d.Write(".gitignore", "x");
  auto m = ComputeManifest(d.path(), {});
  EXPECT_FALSE(m.ok());
}

}  // namespace
}  // namespace modelgate::signing
