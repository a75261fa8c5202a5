#include "scanners/format.h"

#include <gtest/gtest.h>

#include <string>

namespace modelgate::scanners {
namespace {

Format Sniff(std::string bytes) {
  MemorySource src(std::move(bytes));
  return SniffFormat(src);
}

TEST(SniffFormat, RecognisesMagicNumbers) {
  EXPECT_EQ(Sniff(""), Format::kEmpty);
  EXPECT_EQ(Sniff(std::string("PK\x03\x04", 4) + std::string(30, '\0')), Format::kZip);
  EXPECT_EQ(Sniff("\x1f\x8b\x08"), Format::kGzip);
  EXPECT_EQ(Sniff(std::string("\xfd" "7zXZ\x00\x00", 7)), Format::kXz);
  EXPECT_EQ(Sniff("BZh91AY"), Format::kBzip2);
  EXPECT_EQ(Sniff("7z\xbc\xaf\x27\x1c\x00\x04"), Format::kSevenZip);
  EXPECT_EQ(Sniff("\x93NUMPY\x01"), Format::kNumpy);
  EXPECT_EQ(Sniff("GGUF\x03\x00\x00\x00"), Format::kGguf);
  EXPECT_EQ(Sniff("\x89HDF\r\n\x1a\n"), Format::kHdf5);
  EXPECT_EQ(Sniff("\x80\x02}q\x00."), Format::kPickle);
}

TEST(SniffFormat, TarByUstarMagic) {
  std::string tar(512, '\0');
  tar.replace(257, 6, std::string("ustar\0", 6));
  EXPECT_EQ(Sniff(tar), Format::kTar);
}

TEST(SniffFormat, SafeTensorsNeedsPlausibleHeaderLength) {
  std::string header = R"({"__metadata__":{}})";
  std::string good(8, '\0');
  good[0] = static_cast<char>(header.size());
  EXPECT_EQ(Sniff(good + header), Format::kSafeTensors);
  // A header length past the end is still SafeTensors: the analyzer reports it
  // (regression: a truncated file used to sniff as unknown and pass as clean).
  std::string lying(8, '\x7f');
  EXPECT_EQ(Sniff(lying + header), Format::kSafeTensors);
}

TEST(SniffFormat, ExtensionNeverMatters) {
  // Content alone decides; a pickle is a pickle whatever it is called.
  EXPECT_EQ(Sniff("{\"a\": 1}"), Format::kJson);
  EXPECT_EQ(Sniff("  [1, 2]"), Format::kJson);
  EXPECT_EQ(Sniff("hello world\n"), Format::kText);
  EXPECT_EQ(Sniff(std::string("\x00\x01\x02\xff", 4)), Format::kUnknown);
}

TEST(SniffFormat, OnnxModelProto) {
  // ir_version=8, then producer_name (field 2, length-delimited).
  EXPECT_EQ(Sniff(std::string("\x08\x08\x12\x07pytorch", 11)), Format::kOnnx);
}

}  // namespace
}  // namespace modelgate::scanners
