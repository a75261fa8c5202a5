#include "scanners/gguf.h"

namespace modelgate::scanners {

void AnalyzeGguf(const ByteSource& src, ScanContext& ctx) {
  (void)src;
  ctx.Undecide("gguf analysis is not implemented yet");
}

}  // namespace modelgate::scanners
