#include "scanners/numpy.h"

namespace modelgate::scanners {

void AnalyzeNumpy(const ByteSource& src, ScanContext& ctx) {
  (void)src;
  ctx.Undecide("numpy analysis is not implemented yet");
}

}  // namespace modelgate::scanners
