#include "scanners/onnx.h"

#include <set>
#include <string>

#include "scanners/json_printable.h"
#include "scanners/onnx_wire.h"

namespace modelgate::scanners {
namespace {

constexpr int kMaxNesting = 32;
constexpr uint64_t kMaxPath = 4096;

// Field numbers from onnx.proto (IR version 10).
namespace model { constexpr uint32_t kGraph = 7, kOpset = 8, kTrainingInfo = 20, kFunctions = 25; }
namespace graph { constexpr uint32_t kNode = 1, kInitializer = 5, kSparseInitializer = 15; }
namespace node { constexpr uint32_t kAttribute = 5, kDomain = 7; }
namespace attr {
constexpr uint32_t kT = 5, kG = 6, kTensors = 10, kGraphs = 11, kSparse = 22, kSparses = 23;
}
namespace tensor { constexpr uint32_t kExternalData = 13; }
namespace sparse { constexpr uint32_t kValues = 1, kIndices = 2; }
namespace training { constexpr uint32_t kInitialization = 1, kAlgorithm = 2; }
namespace function { constexpr uint32_t kNode = 7, kOpset = 9, kDomain = 10; }

class OnnxWalker {
 public:
  OnnxWalker(const ByteSource& src, ScanContext& ctx) : src_(src), ctx_(ctx) {}

  // Returns "" when the whole model parsed, else why not.
  std::string Model(uint64_t begin, uint64_t end);
  void Report();

 private:
  std::string Graph(uint64_t begin, uint64_t end, int depth);
  std::string Node(uint64_t begin, uint64_t end, int depth);
  std::string Attribute(uint64_t begin, uint64_t end, int depth);
  std::string Tensor(uint64_t begin, uint64_t end);
  std::string Sparse(uint64_t begin, uint64_t end);
  std::string Opset(uint64_t begin, uint64_t end);
  std::string Function(uint64_t begin, uint64_t end, int depth);
  std::string TrainingInfo(uint64_t begin, uint64_t end, int depth);
  std::string ExternalEntry(uint64_t begin, uint64_t end);
  bool ReadString(const WireField& f, uint64_t max, std::string* out);
  void Domain(const std::string& d) { domains_.insert(d); }

  const ByteSource& src_;
  ScanContext& ctx_;
  std::set<std::string> domains_;
  std::set<std::string> locations_;
  std::set<std::string> bad_locations_;
  uint64_t external_tensors_ = 0;
};

bool OnnxWalker::ReadString(const WireField& f, uint64_t max, std::string* out) {
  if (f.wire_type != 2 || f.length > max) return false;
  return src_.ReadAt(f.begin, f.length, out) && out->size() == f.length;
}

// Iterates fields of [begin, end); `body` returns "" or an error.
template <typename Fn>
std::string ForEachField(const ByteSource& src, uint64_t begin, uint64_t end, Fn body) {
  WireReader w(src, begin, end);
  WireField f;
  while (w.Next(&f)) {
    std::string err = body(f);
    if (!err.empty()) return err;
  }
  return w.error();
}

std::string OnnxWalker::Model(uint64_t begin, uint64_t end) {
  return ForEachField(src_, begin, end, [&](const WireField& f) -> std::string {
    if (f.wire_type != 2) return "";
    switch (f.number) {
      case model::kGraph: return Graph(f.begin, f.begin + f.length, 0);
      case model::kOpset: return Opset(f.begin, f.begin + f.length);
      case model::kTrainingInfo: return TrainingInfo(f.begin, f.begin + f.length, 0);
      case model::kFunctions: return Function(f.begin, f.begin + f.length, 0);
      default: return "";
    }
  });
}

std::string OnnxWalker::Graph(uint64_t begin, uint64_t end, int depth) {
  if (depth > kMaxNesting) return "graphs nested deeper than " + std::to_string(kMaxNesting);
  return ForEachField(src_, begin, end, [&](const WireField& f) -> std::string {
    if (f.wire_type != 2) return "";
    switch (f.number) {
      case graph::kNode: return Node(f.begin, f.begin + f.length, depth);
      case graph::kInitializer: return Tensor(f.begin, f.begin + f.length);
      case graph::kSparseInitializer: return Sparse(f.begin, f.begin + f.length);
      default: return "";
    }
  });
}

std::string OnnxWalker::Node(uint64_t begin, uint64_t end, int depth) {
  return ForEachField(src_, begin, end, [&](const WireField& f) -> std::string {
    if (f.wire_type != 2) return "";
    if (f.number == node::kAttribute) return Attribute(f.begin, f.begin + f.length, depth);
    if (f.number == node::kDomain) {
      std::string d;
      if (!ReadString(f, kMaxPath, &d)) return "node domain unreadable or too long";
      Domain(d);
    }
    return "";
  });
}

std::string OnnxWalker::Attribute(uint64_t begin, uint64_t end, int depth) {
  return ForEachField(src_, begin, end, [&](const WireField& f) -> std::string {
    if (f.wire_type != 2) return "";
    switch (f.number) {
      case attr::kT:
      case attr::kTensors: return Tensor(f.begin, f.begin + f.length);
      case attr::kG:
      case attr::kGraphs: return Graph(f.begin, f.begin + f.length, depth + 1);
      case attr::kSparse:
      case attr::kSparses: return Sparse(f.begin, f.begin + f.length);
      default: return "";
    }
  });
}

std::string OnnxWalker::Sparse(uint64_t begin, uint64_t end) {
  return ForEachField(src_, begin, end, [&](const WireField& f) -> std::string {
    if (f.wire_type == 2 && (f.number == sparse::kValues || f.number == sparse::kIndices)) {
      return Tensor(f.begin, f.begin + f.length);
    }
    return "";
  });
}

std::string OnnxWalker::Tensor(uint64_t begin, uint64_t end) {
  bool external = false;
  std::string err = ForEachField(src_, begin, end, [&](const WireField& f) -> std::string {
    if (f.wire_type != 2 || f.number != tensor::kExternalData) return "";
    external = true;
    return ExternalEntry(f.begin, f.begin + f.length);
  });
  if (external) ++external_tensors_;
  return err;
}

// Whether a location could name a file outside the model's directory.
bool EscapesModelDir(const std::string& loc) {
  if (loc.empty()) return false;
  if (loc[0] == '/' || loc[0] == '\\' || loc[0] == '~') return true;
  if (loc.size() >= 2 && loc[1] == ':') return true;  // C:\..., C:foo
  if (loc.find('\0') != std::string::npos) return true;
  size_t start = 0;
  while (start <= loc.size()) {
    size_t stop = loc.find_first_of("/\\", start);
    if (stop == std::string::npos) stop = loc.size();
    if (loc.compare(start, stop - start, "..") == 0) return true;
    start = stop + 1;
  }
  return false;
}

std::string OnnxWalker::ExternalEntry(uint64_t begin, uint64_t end) {
  std::string key, value;
  std::string err = ForEachField(src_, begin, end, [&](const WireField& f) -> std::string {
    if (f.number == 1 && !ReadString(f, kMaxPath, &key)) return "external_data key unreadable";
    if (f.number == 2 && !ReadString(f, kMaxPath, &value)) {
      return "external_data value unreadable or longer than " + std::to_string(kMaxPath);
    }
    return "";
  });
  if (!err.empty() || key != "location") return err;
  if (EscapesModelDir(value)) bad_locations_.insert(value);
  if (locations_.size() < 8) locations_.insert(value);
  return "";
}

std::string OnnxWalker::Opset(uint64_t begin, uint64_t end) {
  return ForEachField(src_, begin, end, [&](const WireField& f) -> std::string {
    if (f.number != 1) return "";
    std::string d;
    if (!ReadString(f, kMaxPath, &d)) return "opset_import domain unreadable or too long";
    Domain(d);
    return "";
  });
}

std::string OnnxWalker::Function(uint64_t begin, uint64_t end, int depth) {
  return ForEachField(src_, begin, end, [&](const WireField& f) -> std::string {
    if (f.wire_type != 2) return "";
    if (f.number == function::kNode) return Node(f.begin, f.begin + f.length, depth);
    if (f.number == function::kOpset) return Opset(f.begin, f.begin + f.length);
    (void)function::kDomain;  // a function's own domain names it, it does not import it
    return "";
  });
}

std::string OnnxWalker::TrainingInfo(uint64_t begin, uint64_t end, int depth) {
  return ForEachField(src_, begin, end, [&](const WireField& f) -> std::string {
    if (f.wire_type == 2 &&
        (f.number == training::kInitialization || f.number == training::kAlgorithm)) {
      return Graph(f.begin, f.begin + f.length, depth + 1);
    }
    return "";
  });
}

void OnnxWalker::Report() {
  if (!bad_locations_.empty()) {
    std::string detail = "external data location '" + Printable(*bad_locations_.begin()) +
                         "' escapes the model directory (absolute path or '..')";
    if (bad_locations_.size() > 1) {
      detail += "; " + std::to_string(bad_locations_.size() - 1) + " more such locations";
    }
    ctx_.Add("onnx/external-data-path", Severity::kHigh, detail);
  }
  static const std::set<std::string> kStandard = {"", "ai.onnx", "ai.onnx.ml", "ai.onnx.training",
                                                  "ai.onnx.preview.training"};
  int reported = 0;
  for (const std::string& d : domains_) {
    if (kStandard.count(d) || reported == 10) continue;
    ++reported;
    bool ort = d == "com.microsoft" || d.rfind("com.microsoft.", 0) == 0;
    ctx_.Add("onnx/custom-op-domain", ort ? Severity::kLow : Severity::kMedium,
             "operators from domain '" + Printable(d, 80) + "'" +
                 (ort ? " (onnxruntime contrib ops)" : " need a custom-op library to run"));
  }
  ctx_.AddFact("onnx_external_data", std::to_string(external_tensors_));
  if (!locations_.empty()) {
    std::string files;
    for (const auto& l : locations_) files += (files.empty() ? "" : ",") + Printable(l, 80);
    ctx_.AddFact("onnx_external_files", files);
  }
}

}  // namespace

void AnalyzeOnnx(const ByteSource& src, ScanContext& ctx) {
  OnnxWalker walker(src, ctx);
  std::string err = walker.Model(0, src.size());
  // What was seen before a parse error is still reported: a hostile location
  // stays a finding even in a truncated file.
  walker.Report();
  if (!err.empty()) ctx.Undecide("onnx: malformed ModelProto: " + err);
}

}  // namespace modelgate::scanners
