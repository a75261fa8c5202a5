// HexDigitValue and AppendUtf8: the pieces the pickle-text and chat-template decoders share.
#include <gtest/gtest.h>

#include "scanners/escapes.h"

namespace modelgate::scanners {
namespace {

TEST(HexDigitValue, AcceptsBothCasesOnly) {
  EXPECT_EQ(HexDigitValue('0'), 0);
  EXPECT_EQ(HexDigitValue('9'), 9);
  EXPECT_EQ(HexDigitValue('a'), 10);
  EXPECT_EQ(HexDigitValue('F'), 15);
  EXPECT_EQ(HexDigitValue('g'), -1);
  EXPECT_EQ(HexDigitValue('/'), -1);
  EXPECT_EQ(HexDigitValue('\0'), -1);
}

std::string Utf8(uint32_t cp) {
  std::string s;
  AppendUtf8(cp, &s);
  return s;
}

TEST(AppendUtf8, EncodesEachLengthAtItsBoundaries) {
  EXPECT_EQ(Utf8(0x5f), "_");
  EXPECT_EQ(Utf8(0x7f), "\x7f");
  EXPECT_EQ(Utf8(0x80), "\xc2\x80");
  EXPECT_EQ(Utf8(0x7ff), "\xdf\xbf");
  EXPECT_EQ(Utf8(0x800), "\xe0\xa0\x80");
  EXPECT_EQ(Utf8(0x202e), "\xe2\x80\xae");  // RIGHT-TO-LEFT OVERRIDE, used to hide text
  EXPECT_EQ(Utf8(0xffff), "\xef\xbf\xbf");
  EXPECT_EQ(Utf8(0x10000), "\xf0\x90\x80\x80");
  EXPECT_EQ(Utf8(0x10ffff), "\xf4\x8f\xbf\xbf");
}

TEST(AppendUtf8, Appends) {
  std::string s = "a";
  AppendUtf8(0xe9, &s);
  EXPECT_EQ(s, "a\xc3\xa9");
}

}  // namespace
}  // namespace modelgate::scanners
