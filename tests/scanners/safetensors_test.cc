#include "scanners/safetensors.h"

#include <gtest/gtest.h>

#include <string>

#include "scanners/context.h"
#include "scanners/source.h"

namespace modelgate::scanners {
namespace {

// u64 little-endian length + header + data bytes.
std::string File(const std::string& header, uint64_t data_len, uint64_t claimed_len = UINT64_MAX) {
  uint64_t n = claimed_len == UINT64_MAX ? header.size() : claimed_len;
  std::string out;
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((n >> (8 * i)) & 0xff));
  return out + header + std::string(data_len, '\0');
}

struct Outcome {
  FileReport report;
  std::string Fact(const std::string& key) const {
    for (const auto& [k, v] : report.facts) {
      if (k == key) return v;
    }
    return "<none>";
  }
  std::string Reason() const { return report.undecided.empty() ? "" : report.undecided[0].reason; }
};

Outcome Scan(const std::string& bytes, ScanLimits limits = {}) {
  Outcome o;
  o.report.path = "model.safetensors";
  ScanContext ctx(limits, &o.report);
  MemorySource src(bytes);
  AnalyzeSafeTensors(src, ctx);
  return o;
}

const char kTwoTensors[] =
    R"({"__metadata__":{"format":"pt"},)"
    R"("a":{"dtype":"F32","shape":[2,3],"data_offsets":[0,24]},)"
    R"("b":{"dtype":"BF16","shape":[4],"data_offsets":[24,32]}})";

TEST(SafeTensors, ValidFileIsCleanWithFacts) {
  Outcome o = Scan(File(kTwoTensors, 32));
  EXPECT_TRUE(o.report.findings.empty());
  EXPECT_TRUE(o.report.undecided.empty()) << o.Reason();
  EXPECT_EQ(o.Fact("safetensors_tensors"), "2");
  EXPECT_EQ(o.Fact("safetensors_parameters"), "10");
  EXPECT_EQ(o.Fact("safetensors_dtypes"), "BF16,F32");
}

TEST(SafeTensors, TrailingSpacePaddingIsAllowed) {
  Outcome o = Scan(File(std::string(kTwoTensors) + "      ", 32));
  EXPECT_TRUE(o.report.undecided.empty()) << o.Reason();
}

TEST(SafeTensors, EmptyHeaderWithNoDataIsClean) {
  Outcome o = Scan(File("{}", 0));
  EXPECT_TRUE(o.report.undecided.empty()) << o.Reason();
  EXPECT_EQ(o.Fact("safetensors_tensors"), "0");
}

TEST(SafeTensors, OverlappingTensorsUndecided) {
  Outcome o = Scan(File(R"({"a":{"dtype":"U8","shape":[8],"data_offsets":[0,8]},)"
                        R"("b":{"dtype":"U8","shape":[8],"data_offsets":[4,12]}})",
                        12));
  ASSERT_EQ(o.report.undecided.size(), 1u);
  EXPECT_NE(o.Reason().find("overlaps"), std::string::npos) << o.Reason();
  EXPECT_EQ(o.Fact("safetensors_tensors"), "<none>");
}

TEST(SafeTensors, GapBetweenTensorsUndecided) {
  Outcome o = Scan(File(R"({"a":{"dtype":"U8","shape":[4],"data_offsets":[0,4]},)"
                        R"("b":{"dtype":"U8","shape":[4],"data_offsets":[8,12]}})",
                        12));
  EXPECT_NE(o.Reason().find("gap of 4"), std::string::npos) << o.Reason();
}

TEST(SafeTensors, UnreferencedTrailingDataUndecided) {
  Outcome o = Scan(File(R"({"a":{"dtype":"U8","shape":[4],"data_offsets":[0,4]}})", 100));
  EXPECT_NE(o.Reason().find("96 trailing bytes"), std::string::npos) << o.Reason();
}

TEST(SafeTensors, OffsetsPastEndUndecided) {
  Outcome o = Scan(File(R"({"a":{"dtype":"U8","shape":[16],"data_offsets":[0,16]}})", 8));
  EXPECT_NE(o.Reason().find("past the data section"), std::string::npos) << o.Reason();
}

TEST(SafeTensors, DuplicateTensorNameIsFinding) {
  Outcome o = Scan(File(R"({"a":{"dtype":"U8","shape":[4],"data_offsets":[0,4]},)"
                        R"("a":{"dtype":"U8","shape":[4],"data_offsets":[4,8]}})",
                        8));
  ASSERT_EQ(o.report.findings.size(), 1u);
  EXPECT_EQ(o.report.findings[0].rule, "safetensors/duplicate-key");
  EXPECT_EQ(o.report.findings[0].severity, Severity::kHigh);
}

TEST(SafeTensors, DuplicateMetadataKeyIsFinding) {
  Outcome o = Scan(File(R"({"__metadata__":{"x":"1","x":"2"}})", 0));
  ASSERT_EQ(o.report.findings.size(), 1u);
  EXPECT_EQ(o.report.findings[0].rule, "safetensors/duplicate-key");
}

TEST(SafeTensors, UnknownDtypeUndecided) {
  Outcome o = Scan(File(R"({"a":{"dtype":"Q4","shape":[4],"data_offsets":[0,4]}})", 4));
  EXPECT_NE(o.Reason().find("unknown dtype 'Q4'"), std::string::npos) << o.Reason();
}

TEST(SafeTensors, ShapeSizeMismatchUndecided) {
  Outcome o = Scan(File(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}})", 4));
  EXPECT_NE(o.Reason().find("needs 8"), std::string::npos) << o.Reason();
}

TEST(SafeTensors, NegativeOrFractionalShapeUndecided) {
  EXPECT_NE(Scan(File(R"({"a":{"dtype":"U8","shape":[-1],"data_offsets":[0,0]}})", 0))
                .Reason()
                .find("shape"),
            std::string::npos);
  EXPECT_NE(Scan(File(R"({"a":{"dtype":"U8","shape":[1.0],"data_offsets":[0,1]}})", 1))
                .Reason()
                .find("shape"),
            std::string::npos);
}

TEST(SafeTensors, ShapeProductOverflowUndecided) {
  Outcome o = Scan(File(
      R"({"a":{"dtype":"U8","shape":[4294967296,4294967296,0],"data_offsets":[0,0]}})", 0));
  EXPECT_NE(o.Reason().find("overflows"), std::string::npos) << o.Reason();
}

TEST(SafeTensors, SubByteDtypeMustFillBytes) {
  EXPECT_TRUE(Scan(File(R"({"a":{"dtype":"F4","shape":[4],"data_offsets":[0,2]}})", 2))
                  .report.undecided.empty());
  EXPECT_NE(Scan(File(R"({"a":{"dtype":"F4","shape":[3],"data_offsets":[0,2]}})", 2))
                .Reason()
                .find("whole bytes"),
            std::string::npos);
}

TEST(SafeTensors, NonStringMetadataUndecided) {
  Outcome o = Scan(File(R"({"__metadata__":{"n":1}})", 0));
  EXPECT_NE(o.Reason().find("not a string"), std::string::npos) << o.Reason();
}

TEST(SafeTensors, HugeHeaderLengthUndecidedWithoutReading) {
  Outcome o = Scan(File("{}", 0, UINT64_MAX - 1));
  EXPECT_NE(o.Reason().find("exceeds the bound"), std::string::npos) << o.Reason();
  ScanLimits small;
  small.max_safetensors_header = 16;
  EXPECT_NE(Scan(File(kTwoTensors, 32), small).Reason().find("bound of 16"), std::string::npos);
  // Header length past the file end (but under the bound) is its own reason.
  Outcome o2 = Scan(File("{}", 0, 1000));
  EXPECT_NE(o2.Reason().find("bytes after the length field"), std::string::npos) << o2.Reason();
}

TEST(SafeTensors, TinyHeaderLengthUndecided) {
  EXPECT_NE(Scan(File("{", 0)).Reason().find("below 2"), std::string::npos);
  EXPECT_NE(Scan("abc").Reason().find("shorter"), std::string::npos);
}

TEST(SafeTensors, NonUtf8HeaderUndecided) {
  Outcome o = Scan(File("{\"\xff\xfe\":{}}", 0));
  ASSERT_EQ(o.report.undecided.size(), 1u);
  EXPECT_NE(o.Reason().find("invalid JSON"), std::string::npos) << o.Reason();
  // The reason quotes hostile bytes only in escaped form.
  EXPECT_EQ(o.Reason().find('\xff'), std::string::npos);
}

TEST(SafeTensors, HeaderMustStartWithBrace) {
  EXPECT_NE(Scan(File(" {}", 0)).Reason().find("start with"), std::string::npos);
}

TEST(SafeTensors, DeepNestingUndecided) {
  std::string deep = R"({"__metadata__":)" + std::string(5000, '[') + std::string(5000, ']') + "}";
  Outcome o = Scan(File(deep, 0));
  EXPECT_NE(o.Reason().find("nested deeper"), std::string::npos) << o.Reason();
}

TEST(SafeTensors, MissingFieldsUndecided) {
  EXPECT_NE(Scan(File(R"({"a":{"dtype":"U8","shape":[1]}})", 1)).Reason().find("data_offsets"),
            std::string::npos);
  EXPECT_NE(Scan(File(R"({"a":{"shape":[1],"data_offsets":[0,1]}})", 1)).Reason().find("dtype"),
            std::string::npos);
  EXPECT_NE(Scan(File(R"({"a":[1]})", 1)).Reason().find("not an object"), std::string::npos);
}

TEST(SafeTensors, ZeroSizedTensorsMayShareAnOffset) {
  Outcome o = Scan(File(R"({"a":{"dtype":"U8","shape":[0],"data_offsets":[0,0]},)"
                        R"("b":{"dtype":"U8","shape":[2],"data_offsets":[0,2]},)"
                        R"("c":{"dtype":"F32","shape":[0,5],"data_offsets":[2,2]}})",
                        2));
  EXPECT_TRUE(o.report.undecided.empty()) << o.Reason();
}

}  // namespace
}  // namespace modelgate::scanners
