#include "scanners/onnx.h"

#include <gtest/gtest.h>

#include <string>

#include "scanners/context.h"
#include "scanners/source.h"

namespace modelgate::scanners {
namespace {

// Protobuf encoding helpers.
std::string Varint(uint64_t v) {
  std::string out;
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
  return out;
}
std::string Bytes(uint32_t field, const std::string& payload) {
  return Varint((uint64_t(field) << 3) | 2) + Varint(payload.size()) + payload;
}
std::string Int(uint32_t field, uint64_t v) { return Varint(uint64_t(field) << 3) + Varint(v); }

std::string ExternalTensor(const std::string& name, const std::string& location) {
  return Int(1, 4) + Int(2, 1) + Bytes(8, name) +
         Bytes(13, Bytes(1, "location") + Bytes(2, location)) +
         Bytes(13, Bytes(1, "offset") + Bytes(2, "0")) + Int(14, 1);
}
std::string Opset(const std::string& domain, uint64_t version) {
  return Bytes(8, Bytes(1, domain) + Int(2, version));
}
std::string Model(const std::string& graph, const std::string& extra = Opset("", 17)) {
  return Int(1, 8) + Bytes(2, "pytorch") + Bytes(7, graph) + extra;
}

struct Outcome {
  FileReport report;
  const Finding* Get(const std::string& rule) const {
    for (const auto& f : report.findings) {
      if (f.rule == rule) return &f;
    }
    return nullptr;
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
  o.report.path = "model.onnx";
  ScanLimits limits;
  ScanContext ctx(limits, &o.report);
  MemorySource src(bytes);
  AnalyzeOnnx(src, ctx);
  return o;
}

std::string Node(const std::string& op, const std::string& domain = "") {
  std::string n = Bytes(1, "x") + Bytes(2, "y") + Bytes(4, op);
  if (!domain.empty()) n += Bytes(7, domain);
  return Bytes(1, n);
}

TEST(Onnx, BenignModelWithInlineAndLocalExternalData) {
  std::string graph = Node("Relu") + Bytes(2, "g") +
                      Bytes(5, Int(1, 2) + Int(2, 1) + Bytes(8, "w") + Bytes(9, std::string(8, 'x'))) +
                      Bytes(5, ExternalTensor("big", "model.onnx_data"));
  Outcome o = Scan(Model(graph, Opset("", 17) + Opset("ai.onnx.ml", 3)));
  EXPECT_TRUE(o.report.findings.empty());
  EXPECT_TRUE(o.report.undecided.empty()) << o.Reason();
  EXPECT_EQ(o.Fact("onnx_external_data"), "1");
  EXPECT_EQ(o.Fact("onnx_external_files"), "model.onnx_data");
}

TEST(Onnx, ExternalDataTraversalIsHigh) {
  Outcome o = Scan(Model(Bytes(5, ExternalTensor("w", "../../etc/passwd"))));
  const Finding* f = o.Get("onnx/external-data-path");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->severity, Severity::kHigh);
  EXPECT_NE(f->detail.find("../../etc/passwd"), std::string::npos);
}

TEST(Onnx, AbsoluteAndWindowsPathsFlagged) {
  for (const char* loc : {"/etc/shadow", "C:\\Windows\\win.ini", "\\\\server\\share\\x",
                          "data\\..\\..\\secret", "a/b/../../../c"}) {
    EXPECT_NE(Scan(Model(Bytes(5, ExternalTensor("w", loc)))).Get("onnx/external-data-path"),
              nullptr)
        << loc;
  }
  EXPECT_EQ(Scan(Model(Bytes(5, ExternalTensor("w", "weights/a..b.bin"))))
                .Get("onnx/external-data-path"),
            nullptr);
}

TEST(Onnx, ExternalDataInNestedSubgraphFound) {
  // If node with a then_branch graph attribute holding the hostile initializer.
  std::string sub = Bytes(5, ExternalTensor("w", "/proc/self/environ"));
  std::string attribute = Bytes(1, "then_branch") + Bytes(6, sub) + Int(20, 5);
  std::string node = Bytes(4, "If") + Bytes(5, attribute);
  Outcome o = Scan(Model(Bytes(1, node)));
  EXPECT_NE(o.Get("onnx/external-data-path"), nullptr);
}

TEST(Onnx, ExternalDataInSparseAndAttributeTensors) {
  std::string sparse = Bytes(1, ExternalTensor("v", "../v")) + Bytes(2, Int(1, 1));
  EXPECT_NE(Scan(Model(Bytes(15, sparse))).Get("onnx/external-data-path"), nullptr);
  std::string attribute = Bytes(1, "value") + Bytes(5, ExternalTensor("c", "/c"));
  std::string node = Bytes(4, "Constant") + Bytes(5, attribute);
  EXPECT_NE(Scan(Model(Bytes(1, node))).Get("onnx/external-data-path"), nullptr);
}

TEST(Onnx, CustomOpDomainIsMedium) {
  Outcome o = Scan(Model(Node("Evil", "com.example.ops"), Opset("", 17) + Opset("com.example.ops", 1)));
  const Finding* f = o.Get("onnx/custom-op-domain");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->severity, Severity::kMedium);
  EXPECT_EQ(o.report.findings.size(), 1u) << "one finding per domain";
}

TEST(Onnx, OnnxRuntimeContribDomainIsLow) {
  Outcome o = Scan(Model(Node("FusedMatMul", "com.microsoft"), Opset("com.microsoft", 1)));
  const Finding* f = o.Get("onnx/custom-op-domain");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->severity, Severity::kLow);
}

TEST(Onnx, TruncatedModelUndecidedButFindingsKept) {
  std::string m = Model(Bytes(5, ExternalTensor("w", "../../x")) + Node("Relu"));
  Outcome o = Scan(m + Bytes(7, "zz").substr(0, 2));  // graph field whose payload is cut
  EXPECT_NE(o.Reason().find("malformed"), std::string::npos) << o.Reason();
  EXPECT_NE(o.Get("onnx/external-data-path"), nullptr);
}

TEST(Onnx, MalformedWireUndecided) {
  EXPECT_NE(Scan(Int(1, 8) + std::string("\x0b", 1)).Reason().find("wire type 3"), std::string::npos);
  EXPECT_NE(Scan(Int(1, 8) + std::string("\x08\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff", 11))
                .Reason()
                .find("malformed"),
            std::string::npos);
  EXPECT_NE(Scan(Int(1, 8) + Varint((7 << 3) | 2) + Varint(1000) + "x").Reason().find("past"),
            std::string::npos);
}

TEST(Onnx, DeeplyNestedSubgraphsUndecided) {
  std::string g = Node("Relu");
  for (int i = 0; i < 40; ++i) {
    std::string attribute = Bytes(1, "body") + Bytes(6, g);
    g = Bytes(1, Bytes(4, "Loop") + Bytes(5, attribute));
  }
  EXPECT_NE(Scan(Model(g)).Reason().find("nested deeper"), std::string::npos);
}

}  // namespace
}  // namespace modelgate::scanners
