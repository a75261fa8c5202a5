#include "scanners/reader.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

namespace modelgate::scanners {
namespace {

TEST(Reader, ReadsLittleAndBigEndian) {
  Reader r(std::string_view("\x01\x02\x03\x04\x05\x06\x07\x08\x09", 9));
  uint32_t le = 0;
  ASSERT_TRUE(r.U32LE(&le));
  EXPECT_EQ(le, 0x04030201u);
  uint32_t be = 0;
  ASSERT_TRUE(r.U32BE(&be));
  EXPECT_EQ(be, 0x05060708u);
  EXPECT_EQ(r.remaining(), 1u);
}

TEST(Reader, NeverReadsPastTheEnd) {
  Reader r(std::string_view("abc"));
  uint32_t v = 7;
  EXPECT_FALSE(r.U32LE(&v));
  EXPECT_EQ(v, 7u);  // untouched on failure
  std::string s;
  EXPECT_FALSE(r.Bytes(4, &s));
  EXPECT_FALSE(r.Skip(UINT64_MAX));  // overflow-safe
  EXPECT_TRUE(r.Bytes(3, &s));
  EXPECT_EQ(s, "abc");
  uint8_t b;
  EXPECT_FALSE(r.U8(&b));
}

TEST(Reader, WindowOfASource) {
  MemorySource src(std::string_view("0123456789"));
  Reader r(src, 2, 5);
  std::string s;
  EXPECT_FALSE(r.Bytes(4, &s));
  ASSERT_TRUE(r.Bytes(3, &s));
  EXPECT_EQ(s, "234");
  EXPECT_TRUE(r.at_end());
  EXPECT_FALSE(r.Seek(6));
  EXPECT_TRUE(r.Seek(2));
}

TEST(Reader, FileSourceReadsAcrossItsBufferWindow) {
  auto path = std::filesystem::temp_directory_path() / "mg_reader_test.bin";
  std::string data(200000, '\0');
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>(i * 7);
  std::ofstream(path, std::ios::binary) << data;
  auto src = FileSource::Open(path.string());
  ASSERT_TRUE(src.ok()) << src.status().message();
  Reader r(*src.value());
  ASSERT_TRUE(r.Skip(65530));
  uint64_t v = 0;
  ASSERT_TRUE(r.U64LE(&v));  // straddles the 64 KiB window
  uint64_t want = 0;
  for (int i = 0; i < 8; ++i) want |= uint64_t(static_cast<uint8_t>(data[65530 + i])) << (8 * i);
  EXPECT_EQ(v, want);
  std::string big;
  ASSERT_TRUE(r.Bytes(100000, &big));
  EXPECT_EQ(big, data.substr(65538, 100000));
  std::filesystem::remove(path);
}

TEST(Reader, LineIsBounded) {
  Reader r(std::string_view("os\nsystem\n"));
  std::string line;
  ASSERT_TRUE(r.Line(&line, 10));
  EXPECT_EQ(line, "os");
  EXPECT_FALSE(r.Line(&line, 3));  // "system" is longer than 3
}

TEST(FileSource, MissingFileIsAnError) {
  auto src = FileSource::Open("/nonexistent/mg");
  ASSERT_FALSE(src.ok());
  EXPECT_NE(src.status().message().find("/nonexistent/mg"), std::string::npos);
}

}  // namespace
}  // namespace modelgate::scanners
