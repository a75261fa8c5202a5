#include "scanners/hashing.h"

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>

namespace modelgate::scanners {
namespace {

TEST(Sha256, KnownVectors) {
  EXPECT_EQ(Sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Sha256, FilesInParallelMatchBuffers) {
  auto dir = std::filesystem::temp_directory_path() / "mg_hash_test";
  std::filesystem::create_directories(dir);
  std::vector<std::string> paths;
  std::vector<std::string> contents;
  for (int i = 0; i < 5; ++i) {
    std::string c((1 << 20) * i + 17, static_cast<char>('a' + i));  // crosses chunk sizes
    auto p = dir / ("f" + std::to_string(i));
    std::ofstream(p, std::ios::binary) << c;
    paths.push_back(p.string());
    contents.push_back(c);
  }
  paths.push_back((dir / "missing").string());
  std::atomic<uint64_t> seen{0};
  auto results = Sha256Files(paths, 2, [&](uint64_t n) { seen += n; });
  ASSERT_EQ(results.size(), paths.size());
  uint64_t total = 0;
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(results[i].ok());
    EXPECT_EQ(results[i].value(), Sha256Hex(contents[i]));
    total += contents[i].size();
  }
  EXPECT_FALSE(results[5].ok());
  EXPECT_EQ(seen.load(), total);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace modelgate::scanners
