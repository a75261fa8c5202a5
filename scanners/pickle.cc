#include "scanners/pickle.h"

namespace modelgate::scanners {

void AnalyzePickle(const ByteSource& src, ScanContext& ctx) {
  (void)src;
  ctx.Undecide("pickle analysis is not implemented yet");
}

bool ProbePickle(const ByteSource& src, const ScanLimits& limits) {
  (void)src;
  (void)limits;
  return false;
}

}  // namespace modelgate::scanners
