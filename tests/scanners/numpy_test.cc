#include "scanners/numpy.h"

#include <gtest/gtest.h>

#include <string>

#include "scanners/numpy_header.h"

namespace modelgate::scanners {
namespace {

// Builds a version 1.0 .npy file: preamble, header padded to 64 bytes, data.
std::string Npy(const std::string& dict, const std::string& data, uint8_t major = 1) {
  std::string header = dict;
  size_t pre = major == 1 ? 10 : 12;
  while ((pre + header.size() + 1) % 64 != 0) header.push_back(' ');
  header.push_back('\n');
  std::string out("\x93NUMPY", 6);
  out.push_back(static_cast<char>(major));
  out.push_back('\0');
  for (size_t i = 0; i < pre - 8; ++i) out.push_back(static_cast<char>((header.size() >> (8 * i)) & 0xff));
  return out + header + data;
}

FileReport ScanNpy(const std::string& bytes) {
  FileReport report;
  report.path = "a.npy";
  ScanLimits limits;
  ScanContext ctx(limits, &report);
  MemorySource src(bytes);
  AnalyzeNumpy(src, ctx);
  return report;
}

bool Has(const FileReport& r, const std::string& rule) {
  for (const Finding& f : r.findings) {
    if (f.rule == rule) return true;
  }
  return false;
}

const char kF4[] = "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }";

TEST(AnalyzeNumpy, PlainArrayOfTheRightSizeIsClean) {
  FileReport r = ScanNpy(Npy(kF4, std::string(48, '\0')));
  EXPECT_TRUE(r.findings.empty());
  EXPECT_TRUE(r.undecided.empty());
  FileReport v2 = ScanNpy(Npy(kF4, std::string(48, '\0'), 2));
  EXPECT_TRUE(v2.findings.empty());
  EXPECT_TRUE(v2.undecided.empty());
}

TEST(AnalyzeNumpy, TruncatedDataIsUndecided) {
  FileReport r = ScanNpy(Npy(kF4, std::string(47, '\0')));
  ASSERT_EQ(r.undecided.size(), 1u);
  EXPECT_NE(r.undecided[0].reason.find("truncated"), std::string::npos);
}

TEST(AnalyzeNumpy, TruncatedHeaderIsUndecided) {
  std::string full = Npy(kF4, "");
  FileReport r = ScanNpy(full.substr(0, 30));
  EXPECT_EQ(r.undecided.size(), 1u);
  EXPECT_EQ(ScanNpy(full.substr(0, 9)).undecided.size(), 1u);
}

TEST(AnalyzeNumpy, TrailingBytesAreReported) {
  FileReport r = ScanNpy(Npy(kF4, std::string(48, '\0') + "\x80\x02."));
  EXPECT_TRUE(Has(r, "numpy/trailing-data"));
}

TEST(AnalyzeNumpy, ObjectArrayIsAPickle) {
  std::string pickle("\x80\x02" "cos\nsystem\nq\x00X\x02\x00\x00\x00idq\x01\x85q\x02Rq\x03.", 33);
  FileReport r = ScanNpy(Npy("{'descr': '|O', 'fortran_order': False, 'shape': (2,), }", pickle));
  EXPECT_TRUE(Has(r, "numpy/object-array"));
  // The pickle analyzer ran on the data (it reports a finding or could not decide).
  EXPECT_TRUE(r.findings.size() > 1 || !r.undecided.empty());
}

TEST(AnalyzeNumpy, StructuredDtypeWithObjectFieldIsAPickle) {
  FileReport r = ScanNpy(Npy(
      "{'descr': [('a', '<f4'), ('b', [('c', '|O')])], 'fortran_order': False, 'shape': (1,), }",
      std::string("\x80\x02N.", 4)));
  EXPECT_TRUE(Has(r, "numpy/object-array"));
  FileReport named_o = ScanNpy(Npy(
      "{'descr': [('O', '<f4')], 'fortran_order': False, 'shape': (1,), }", std::string(4, '\0')));
  EXPECT_FALSE(Has(named_o, "numpy/object-array"));
}

TEST(AnalyzeNumpy, MalformedHeadersAreUndecided) {
  const char* bad[] = {
      "{'descr': '<f4', 'fortran_order': False}",                            // missing key
      "{'descr': '<f4', 'fortran_order': False, 'shape': (3,), 'x': 1}",     // extra key
      "{'descr': '<f4', 'fortran_order': 0, 'shape': (3,)}",                 // not a bool
      "{'descr': '<f4', 'fortran_order': False, 'shape': [3]}",              // not a tuple
      "{'descr': '<f4', 'fortran_order': False, 'shape': (-3,)}",            // negative
      "{'descr': '<f4', 'fortran_order': False, 'shape': (3,)",              // unterminated
      "__import__('os').system('id')",                                       // not a literal
      "{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999999,)}",
  };
  for (const char* h : bad) {
    FileReport r = ScanNpy(Npy(h, std::string(12, '\0')));
    EXPECT_EQ(r.undecided.size(), 1u) << h;
  }
}

TEST(AnalyzeNumpy, UnknownVersionIsUndecided) {
  std::string f = Npy(kF4, std::string(48, '\0'));
  f[6] = 9;
  EXPECT_EQ(ScanNpy(f).undecided.size(), 1u);
}

TEST(AnalyzeNumpy, ShapeOverflowIsUndecided) {
  FileReport r = ScanNpy(Npy(
      "{'descr': '<f8', 'fortran_order': False, 'shape': (4294967296, 4294967296), }", ""));
  EXPECT_EQ(r.undecided.size(), 1u);
}

TEST(ParseNpyHeader, AcceptsWhatNumpyWrites) {
  Result<NpyHeader> h = ParseNpyHeader("{'descr': '>i8', 'fortran_order': True, 'shape': (), }  \n");
  ASSERT_TRUE(h.ok()) << h.status().message();
  EXPECT_EQ(h->item_size, 8u);
  EXPECT_TRUE(h->fortran_order);
  EXPECT_TRUE(h->shape.empty());
  Result<NpyHeader> py2 = ParseNpyHeader("{'descr': '<U5', 'fortran_order': False, 'shape': (2L, 3L), }");
  ASSERT_TRUE(py2.ok()) << py2.status().message();
  EXPECT_EQ(py2->item_size, 20u);
  EXPECT_EQ(py2->shape, (std::vector<uint64_t>{2, 3}));
}

TEST(ParseNpyHeader, DeepNestingIsRejected) {
  std::string deep = "{'descr': " + std::string(100, '[') + std::string(100, ']') +
                     ", 'fortran_order': False, 'shape': ()}";
  EXPECT_FALSE(ParseNpyHeader(deep).ok());
}

}  // namespace
}  // namespace modelgate::scanners
