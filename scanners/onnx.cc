#include "scanners/onnx.h"

namespace modelgate::scanners {

void AnalyzeOnnx(const ByteSource& src, ScanContext& ctx) {
  (void)src;
  ctx.Undecide("onnx analysis is not implemented yet");
}

}  // namespace modelgate::scanners
